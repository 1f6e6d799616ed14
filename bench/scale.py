"""Benchmark what a campaign's history and a workspace's size cost each page.

Run it as `.venv/bin/python -m bench.scale`. It uses a temporary SQLite database (or DATABASE_URL when
set) and an embedded Redis, and makes its data directly through the services, with no model calls. Three
workspaces, each with one planned campaign (the same 12-post plan and the same metric rows):

- fresh: FRESH_CAMPAIGNS campaigns; the planned one is fresh (version 1, no chat);
- one page: as many campaigns, strategy versions and chat messages as the API gives in a page by default
  (paging.LIMIT_DEFAULT), so every list fills its first page and no more;
- large: LARGE_CAMPAIGNS campaigns; the planned one grown to VERSIONS strategy versions (a regeneration,
  then restores back and forth) and CHAT_MESSAGES chat messages.

Every page and its API twin is requested in-process (Flask's test client) for each, in turn, and the
report gives each one's median time, bytes and SQL statements, and large divided by one page: what
the history beyond the first page costs. Target: at most RATIO_TARGET for every ratio; the worst one is
printed, and the script exits with status 1 when it is over. Large divided by fresh is printed beside
it; it is not a target, since a fresh campaign's lists are empty and one page of items is no growth.
"""
import argparse
import gc
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/scale.py` puts bench/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from gtm import broker, create_app  # noqa: E402
from gtm.extensions import db  # noqa: E402
from gtm.models import Post  # noqa: E402
from gtm.services import accounts, campaigns, paging  # noqa: E402
from tests.kit import history  # noqa: E402

RATIO_TARGET = 1.5
FRESH_CAMPAIGNS = 10
PAGE = paging.LIMIT_DEFAULT
LARGE_CAMPAIGNS = 500
VERSIONS = 200
CHAT_MESSAGES = 500
METRIC_DAYS = 14
REPEATS = 40
PASSWORD = "Sturdy-passw0rd"


# --- Seeding -------------------------------------------------------------------------------------------

@dataclass
class Side:
    """One workspace of the comparison: its log-in, its API token and its planned campaign."""

    name: str
    email: str
    token: str
    campaign_id: int
    post_id: int


def _side(name: str, count: int, versions: int, messages: int) -> Side:
    user = accounts.sign_up(f"{name}@example.com", PASSWORD)
    for number in range(count - 1):
        campaigns.create_campaign(user.workspace_id, {**history.CAMPAIGN, "name": f"Campaign {number + 1}"})
    campaign = history.planned(user.workspace_id, f"{name.title()} campaign")
    history.grow_versions(user.workspace_id, campaign, versions, author_id=user.id)
    history.chat_messages(user.workspace_id, campaign, user, messages)
    history.metrics(user.workspace_id, campaign, METRIC_DAYS)
    # A post of phase 2, written in version 1 and kept by every version since: the same post on every side.
    post_id = db.session.scalars(select(Post.id).where(Post.campaign_id == campaign.id, Post.is_active.is_(True),
                                                       Post.phase == 2).order_by(Post.id).limit(1)).one()
    return Side(name, user.email, accounts.create_token(user.id, "bench")[1], campaign.id, post_id)


# --- Measuring -----------------------------------------------------------------------------------------

# (label, path, whether it is an API call, extra headers); {c} is the campaign, {p} a current post.
REQUESTS = (
    ("campaigns page", "/", False, {}),
    ("board", "/campaigns/{c}/strategy", False, {}),
    ("versions page", "/campaigns/{c}/strategy/versions", False, {}),
    ("results page", "/campaigns/{c}/results", False, {}),
    ("chat (fragment)", "/campaigns/{c}/chat", False, {"HX-Request": "true"}),
    ("post page", "/campaigns/{c}/posts/{p}", False, {}),
    ("GET /api/campaigns", "/api/campaigns", True, {}),
    ("GET /api/…/versions", "/api/campaigns/{c}/versions", True, {}),
    ("GET /api/…/chat", "/api/campaigns/{c}/chat", True, {}),
    ("GET /api/…/metrics", "/api/campaigns/{c}/metrics", True, {}),
    ("GET /api/…/nodes", "/api/campaigns/{c}/nodes", True, {}),
)


def log_in(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.status_code


class Counter:
    """Counts the SQL statements the engine sends while it is on."""

    def __init__(self, engine):
        self.engine, self.seen = engine, 0

    def __enter__(self):
        self.seen = 0
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, *args):
        self.seen += 1


@dataclass
class Measured:
    seconds: float
    size: int
    statements: int


def _request(client, side: Side, path: str, api: bool, headers: dict):
    url = path.format(c=side.campaign_id, p=side.post_id)
    headers = {**headers, **({"Authorization": f"Bearer {side.token}"} if api else {})}
    # Each request starts with no garbage of the one before, which a collection would charge to it.
    gc.collect()
    start = time.perf_counter()
    response = client.get(url, headers=headers)
    body = response.get_data()
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code, body[:300])
    return elapsed, len(body)


SIDES = ("fresh", "page", "large")


def measure(app, clients: dict, sides: dict, repeats: int) -> dict[str, dict[str, Measured]]:
    with app.app_context():
        engine = db.engine
    found: dict[str, dict[str, Measured]] = {}
    for label, path, api, headers in REQUESTS:
        times: dict[str, list[float]] = {name: [] for name in SIDES}
        sizes, counts = {}, {}
        for name in SIDES:
            for _ in range(3):  # warm up: templates compiled, caches filled
                _request(clients[name], sides[name], path, api, headers)
            with Counter(engine) as counter:
                _, sizes[name] = _request(clients[name], sides[name], path, api, headers)
            counts[name] = counter.seen
        for _ in range(repeats):
            for name in SIDES:  # in turn, so a slow moment of the machine hits all alike
                times[name].append(_request(clients[name], sides[name], path, api, headers)[0])
        found[label] = {name: Measured(statistics.median(times[name]), sizes[name], counts[name]) for name in SIDES}
    return found


def report(found: dict[str, dict[str, Measured]]) -> float:
    print(f"fresh: {FRESH_CAMPAIGNS} campaigns, a freshly planned campaign; one page: {PAGE} campaigns, {PAGE} "
          f"versions, {PAGE} chat messages; large: {LARGE_CAMPAIGNS} campaigns, {VERSIONS} versions, "
          f"{CHAT_MESSAGES} chat messages\n")
    head = (f"{'request':<22} {'ms fresh':>9} {'ms page':>8} {'ms large':>9} {'KB fresh':>9} {'KB page':>8} "
            f"{'KB large':>9} {'SQL f/p/l':>10} {'time x':>7} {'bytes x':>8} {'vs fresh t/b':>13}")
    print(head)
    print("-" * len(head))
    worst, worst_at = 0.0, ""
    for label, sides in found.items():
        fresh, page, large = (sides[name] for name in SIDES)
        time_ratio, size_ratio = large.seconds / page.seconds, large.size / page.size
        for ratio, what in ((time_ratio, "time"), (size_ratio, "bytes")):
            if ratio > worst:
                worst, worst_at = ratio, f"{label} ({what})"
        statements = f"{fresh.statements}/{page.statements}/{large.statements}"
        versus_fresh = f"{large.seconds / fresh.seconds:.1f}/{large.size / fresh.size:.1f}"
        print(f"{label:<22} {fresh.seconds * 1000:>9.2f} {page.seconds * 1000:>8.2f} {large.seconds * 1000:>9.2f} "
              f"{fresh.size / 1024:>9.1f} {page.size / 1024:>8.1f} {large.size / 1024:>9.1f} {statements:>10} "
              f"{time_ratio:>7.2f} {size_ratio:>8.2f} {versus_fresh:>13}")
    print(f"\ntime x and bytes x: large / one page. worst ratio: {worst:.2f}, {worst_at} (target at most "
          f"{RATIO_TARGET})")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=REPEATS, help="timed requests per page and workspace")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="gtm-scale-"))
    redis_server = broker.EmbeddedRedis(folder / "r").start()
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    os.environ.update({"DATABASE_URL": database, "REDIS_URL": redis_server.url, "SECRET_KEY": "bench-secret",
                       "GTM_INSTANCE_PATH": str(folder / "instance"), "GTM_LLM": "offline"})
    for name in [name for name in os.environ if name.startswith("OPENAI_")]:
        del os.environ[name]
    try:
        app = create_app({"RATELIMIT_ENABLED": False})
        with app.app_context():
            if database.startswith("postgresql"):
                db.drop_all()
            db.create_all()
            started = time.perf_counter()
            sides = {"fresh": _side("fresh", FRESH_CAMPAIGNS, 1, 0),
                     "page": _side("page", PAGE, PAGE, PAGE),
                     "large": _side("large", LARGE_CAMPAIGNS, VERSIONS, CHAT_MESSAGES)}
            print(f"seeded in {time.perf_counter() - started:.1f} s")
        clients = {}
        for name, side in sides.items():
            clients[name] = app.test_client()
            log_in(clients[name], side.email)
        worst = report(measure(app, clients, sides, args.repeats))
    finally:
        redis_server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    if worst > RATIO_TARGET:
        print("MISSED")
        sys.exit(1)
    print("All targets met.")


if __name__ == "__main__":
    main()
