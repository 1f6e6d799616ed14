"""Planning, writing and regenerating a campaign's strategy through the API, what the fake model answers for
it, and what a refused or failed change must leave as it was."""
import re

from gtm.extensions import db
from gtm.models import Campaign, Edge, Member, Phase, Post, Run, StrategyVersion, Variant

from .campaigns import CHANNELS
from .fake_openai import Reply
from .plans import schema_name, valid_plan, valid_regeneration

PLAN_SIZES = (3, 3, 3, 3)
WRITING = re.compile(r"^The post to write \(([^,]+), day ", re.M)


def answer_plans_with(fake, plan: dict) -> None:
    """Answer planning calls with `plan`; every other call gets the fake's schema-valid default."""
    fake.responder = lambda body: Reply.json(plan) if schema_name(body) == "StrategyPlan" else None


def plan_and_write(api, campaign, work) -> dict:
    """Plan version 1 and write every post; return the nodes."""
    status, _ = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202
    work()
    status, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert status == 200 and nodes["version"] == 1
    return nodes


def plan_twice(api, campaign, work) -> Post:
    """Plan version 1, write it, then plan version 2; return a post of version 1 (now archived)."""
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "A second plan"})
    work()
    old = Post.query.filter_by(version=1).order_by(Post.id).first()
    assert not old.is_active and old.status == "ready"
    return old


def regenerate(api, campaign_id, phase_num, direction="Pivot to a developer-first strategy with technical demos"):
    return api.post("/api/agents/regenerate-strategy/",
                    json={"campaign_id": str(campaign_id), "phase_num": phase_num, "new_direction": direction})


def snapshot(campaign_id: int) -> dict:
    """Everything a failed or refused change must leave as it was."""
    db.session.expire_all()
    return {
        "current": db.session.get(Campaign, campaign_id).current_version,
        "versions": sorted(v.number for v in StrategyVersion.query.filter_by(campaign_id=campaign_id)),
        "active": sorted(p.id for p in Post.query.filter_by(campaign_id=campaign_id, is_active=True)),
        "posts": Post.query.filter_by(campaign_id=campaign_id).count(),
        "members": Member.query.filter_by(campaign_id=campaign_id).count(),
        "phases": Phase.query.filter_by(campaign_id=campaign_id).count(),
        "edges": Edge.query.filter_by(campaign_id=campaign_id).count(),
        "variants": Variant.query.count(),
    }


def active(campaign_id: int) -> list[Post]:
    db.session.expire_all()
    return Post.query.filter_by(campaign_id=campaign_id, is_active=True).order_by(Post.phase, Post.id).all()


def post_key(body: dict) -> str:
    """The key of the post a PostContent call writes (its prompt's "The post to write (key, …" line)."""
    found = WRITING.findall(body["messages"][1]["content"])
    assert len(found) == 1, body["messages"][1]["content"]
    return found[0]


def content_for(body: dict) -> dict:
    """A valid PostContent whose image prompts name the post and the variant, so each image can be traced."""
    key = post_key(body)
    return {label.lower(): {"headline": f"Headline {key} {label}", "body": f"Body of {key}, variant {label}.",
                            "call_to_action": "Try it", "hashtags": ["bloom"], "image_prompt": f"Picture {key} {label}"}
            for label in "AB"}


class Answers:
    """The fake's answers: the plan, the next regeneration, and post content traced to its post."""

    def __init__(self, fake):
        self.fake = fake
        self.plan = valid_plan(PLAN_SIZES, CHANNELS, title_of=lambda key: f"Planned post {key}")
        self.regeneration: dict | None = None
        self.listen()

    def listen(self) -> None:
        self.fake.responder = self.answer

    def answer(self, body: dict):
        name = schema_name(body)
        if name == "StrategyPlan":
            return Reply.json(self.plan)
        if name == "StrategyRegeneration":
            assert self.regeneration is not None, "a regeneration call nobody expected"
            return Reply.json(self.regeneration)
        if name == "PostContent":
            return Reply.json(content_for(body))
        return None

    def calls(self, name: str) -> list[dict]:
        return [body for body in self.fake.chat_requests if schema_name(body) == name]

    def plan_and_write(self, api, campaign, work) -> None:
        """Plan with these answers and write every post: all of the plan's posts are active."""
        status, _ = api.post(f"/api/campaigns/{campaign.id}/strategy")
        assert status == 202
        work()
        assert len(active(campaign.id)) == sum(PLAN_SIZES)

    def regenerate(self, api, campaign, work, phase_num: int, sizes, prefix: str, direction: str,
                   **texts) -> tuple[list[Post], list[Post], list[Post]]:
        """Regenerate from `phase_num` with an answer built from the kept keys in the database; return
        (kept, replaced, new) posts."""
        before = active(campaign.id)
        kept = [p for p in before if p.phase < phase_num]
        replaced = [p for p in before if p.phase >= phase_num]
        self.regeneration = valid_regeneration(phase_num, [p.key for p in kept if p.phase == phase_num - 1], sizes,
                                               CHANNELS, prefix=prefix, **texts)
        status, body = regenerate(api, campaign.id, phase_num, direction)
        assert status == 202, body
        work()
        run = db.session.get(Run, int(body["run_id"]))
        assert run.status == "succeeded", run.error
        new = [p for p in active(campaign.id) if p.version == body["version"]]
        assert {p.id for p in active(campaign.id)} == {p.id for p in kept + new}
        return kept, replaced, new
