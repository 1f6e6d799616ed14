"""The soak's model: the fake OpenAI server's answers, a share of them faults, and the campaigns it plans."""
import collections
import random
import threading

from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name, valid_plan, valid_regeneration

PASSWORD = "Sturdy-passw0rd"
CHANNELS = ["linkedin", "email", "instagram"]
PLAN_SIZES = (2, 2, 2)
REGENERATE_FROM = 2
REGENERATE_SIZES = (2, 2)
PLAN = valid_plan(PLAN_SIZES, CHANNELS)
REGENERATION = valid_regeneration(REGENERATE_FROM, [post["key"] for post in PLAN["phases"][0]["posts"]],
                                  REGENERATE_SIZES, CHANNELS)
CHAT_FAULTS = ("429", "500", "timeout", "truncated", "invalid JSON")
IMAGE_FAULTS = ("429", "500", "timeout")
LLM_TIMEOUT = 2.0
HEARTBEAT = 1  # GTM_WORKER_HEARTBEAT of the soak's workers: a dead worker's job is noticed in about 11 s


def campaign_fields(number: int) -> dict:
    return {"name": f"Soak {number}", "product": "Bloom is a CRM for independent florists.",
            "audience": "Owners of independent flower shops", "goals": "300 paid sign-ups in 90 days",
            "competitors": ["Floranext", "Spreadsheets"], "channels": CHANNELS, "budget": "12000",
            "currency": "EUR", "brief": "Launch at the spring trade fair."}


# --- The model, with faults ------------------------------------------------------------------------------

class Faults:
    """Decides, per model call, whether the fake answers with a fault; seeded, so a run can be repeated."""

    def __init__(self, rate: float, seed: int):
        self.rate = rate
        self.on = True
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: collections.Counter = collections.Counter()
        self.calls: collections.Counter = collections.Counter()

    def _pick(self, kinds: tuple[str, ...], call: str) -> str | None:
        with self.lock:
            self.calls[call] += 1
            if not self.on or self.random.random() >= self.rate:
                return None
            kind = self.random.choice(kinds)
            self.injected[kind] += 1
            return kind

    def chat(self, body: dict) -> Reply | None:
        fault = self._pick(CHAT_FAULTS, "chat")
        if fault:
            return _fault_reply(fault)
        name = schema_name(body)
        if name == "StrategyPlan":
            return Reply.json(PLAN)
        if name == "StrategyRegeneration":
            return Reply.json(REGENERATION)
        return None  # the fake's own answer, built from the request's schema

    def image(self, body: dict) -> Reply | None:
        fault = self._pick(IMAGE_FAULTS, "image")
        return _fault_reply(fault) if fault else None


def _fault_reply(kind: str) -> Reply:
    return {
        "429": lambda: Reply.error(429, "Rate limit reached for requests", retry_after=0.2),
        "500": lambda: Reply.error(500, "The server had an error while processing your request"),
        "timeout": lambda: Reply.hang(LLM_TIMEOUT + 1),
        "truncated": lambda: Reply.length('{"'),
        "invalid JSON": lambda: Reply.text('{"this is": not json'),
    }[kind]()
