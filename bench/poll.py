"""Benchmark the board's poll: what an open board costs while nothing changes.

Run it as `.venv/bin/python bench/poll.py` (or `-m bench.poll`). It uses a temporary SQLite database
(or DATABASE_URL when set) and an embedded Redis, seeds campaigns, and reports in one run:

1. Unchanged poll ratio: the median time of a board poll that carries the state it shows (answered
   204) divided by the median time of the log-in page, sequential requests to one gunicorn worker
   on 127.0.0.1. Target: at most 1.5.
2. SQL statements per unchanged poll, counted in-process, for boards of 10 and 60 posts and with 0
   and 20 archived versions. Target: the same count in every case.
3. 200 concurrent pollers against the same gunicorn (a bounded thread pool of keep-alive clients on
   127.0.0.1): requests per second and p95 latency of unchanged board polls, each as a ratio to a
   hello-world route (`/ping`, added to the app by this script only) under the same load.

It exits with status 1 when a target is missed.
"""
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/poll.py` puts bench/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from gtm import broker, create_app  # noqa: E402
from gtm.extensions import db  # noqa: E402
from gtm.models import Campaign, Member, Phase, Post, StrategyVersion  # noqa: E402
from gtm.services import accounts, exports, imports  # noqa: E402
from tests.kit.plans import valid_plan  # noqa: E402
from tests.kit.processes import free_port, stop  # noqa: E402

RATIO_TARGET = 1.5
PASSWORD = "Sturdy-passw0rd"
CAMPAIGN = {"name": "Poll bench", "product": "A CRM for florists.", "audience": "Florists", "goals": "Sign-ups",
            "competitors": [], "channels": ["linkedin", "email", "instagram"], "budget": "1000", "currency": "EUR",
            "brief": ""}


# --- Seeding -------------------------------------------------------------------------------------------

def seed(workspace_id: int, posts: int = 12, archived_versions: int = 0) -> Campaign:
    """A campaign whose strategy has `posts` posts in 4 phases (version 1: a valid plan imported, topped up
    past the planner's 5 posts a phase with more posts in the last phase), then `archived_versions`
    regenerations of its first phase, each archiving that phase's posts."""
    per_phase = [min(5, posts // 4 + (1 if n < posts % 4 else 0)) for n in range(4)]
    plan = valid_plan(tuple(per_phase))
    for phase in plan["phases"]:
        for post in phase["posts"]:
            post.update(status="ready", approved=False, variants={
                label: {"headline": f"{post['key']} {label}", "body": "Body.", "call_to_action": "Try it.",
                        "hashtags": [], "image_prompt": "A shop."} for label in "AB"})
    doc = {"format": exports.FORMAT, "format_version": exports.FORMAT_VERSION, "campaign": CAMPAIGN, "steps": [],
           **plan}
    campaign = imports.import_campaign(workspace_id, doc)
    for extra in range(posts - sum(per_phase)):
        post = Post(campaign_id=campaign.id, version=1, phase=4, key=f"x4-{extra}", title=f"Extra post {extra}",
                    channel="email", brief="More.", day=30 + extra, status="ready")
        db.session.add(post)
        db.session.flush()
        db.session.add(Member(campaign_id=campaign.id, version=1, post_id=post.id))
    for _ in range(archived_versions):
        _regenerate_last_phase(campaign)
    # One post still being written, so the board polls as it does while a pipeline runs.
    db.session.scalars(select(Post).where(Post.campaign_id == campaign.id, Post.is_active.is_(True))
                       .order_by(Post.id.desc()).limit(1)).one().status = "writing"
    db.session.commit()
    return campaign


def _regenerate_last_phase(campaign: Campaign) -> None:
    """Write a new version as a regeneration does: the first phase's posts archived, new ones made in their place."""
    old = campaign.current_version
    new = old + 1
    posts = list(db.session.scalars(select(Post).join(Member, Member.post_id == Post.id).where(
        Member.campaign_id == campaign.id, Member.version == old)))
    last = 1
    db.session.add(StrategyVersion(campaign_id=campaign.id, number=new, origin="regenerate", from_phase=last,
                                   direction="Bench", based_on=old))
    for phase in db.session.scalars(select(Phase).where(Phase.campaign_id == campaign.id, Phase.version == old)):
        db.session.add(Phase(campaign_id=campaign.id, version=new, number=phase.number, name=phase.name,
                             goal=phase.goal))
    for post in posts:
        if post.phase == last:
            post.is_active = False
            post = Post(campaign_id=campaign.id, version=new, phase=last, key=f"v{new}-{post.id}",
                        title=post.title, channel=post.channel, brief=post.brief, day=post.day, status="ready")
            db.session.add(post)
            db.session.flush()
        db.session.add(Member(campaign_id=campaign.id, version=new, post_id=post.id))
    campaign.current_version = new
    db.session.flush()


# --- Counting statements -------------------------------------------------------------------------------

def poll_state(client, campaign_id: int) -> str:
    """Open the board as htmx does and read the state its poll carries."""
    text = client.get(f"/campaigns/{campaign_id}/strategy", headers={"HX-Request": "true"}).get_data(as_text=True)
    return re.search(r'/strategy\?state=([0-9a-f]+)', text).group(1)


def statements_per_poll(app, client, campaign_id: int) -> int:
    state = poll_state(client, campaign_id)
    seen = []

    def record(*args):
        seen.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(f"/campaigns/{campaign_id}/strategy?state={state}", headers={"HX-Request": "true"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 204, response.status_code
    return len(seen)


def log_in(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.status_code


def statement_counts(app) -> dict[tuple[int, int], int]:
    counts = {}
    with app.app_context():
        user = accounts.sign_up("counts@example.com", PASSWORD)
        cases = {(posts, versions): seed(user.workspace_id, posts, versions).id
                 for posts in (10, 60) for versions in (0, 20)}
    client = app.test_client()
    log_in(client, "counts@example.com")
    for case, campaign_id in cases.items():
        counts[case] = statements_per_poll(app, client, campaign_id)
    return counts


# --- Against gunicorn ----------------------------------------------------------------------------------

class Server:
    """gunicorn serving the app with a `/ping` hello-world route, on 127.0.0.1."""

    def __init__(self, env: dict, workers: int = 1, threads: int = 8):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--threads", str(threads), "--backlog", "2048", "--log-level", "warning", "bench.poll:bench_app()"],
            env=env, cwd=ROOT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/ping")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer")

    def request(self, method: str, path: str, headers: dict | None = None, body: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read(), response.getheader("Set-Cookie")
        finally:
            connection.close()

    def stop(self) -> None:
        stop([self.process], timeout=20)


def bench_app():
    """The app with a hello-world route beside it, for comparing like with like on one server."""
    app = create_app()

    @app.get("/ping")
    def ping():
        return "pong"
    return app




def session_cookie(server: Server, email: str) -> str:
    status, page, cookie = server.request("GET", "/login")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    jar = cookie.split(";", 1)[0]
    status, _, cookie = server.request(
        "POST", "/login", headers={"Cookie": jar, "Content-Type": "application/x-www-form-urlencoded"},
        body=f"email={email.replace('@', '%40')}&password={PASSWORD}&csrf_token={token}")
    assert status == 303, status
    return cookie.split(";", 1)[0]


def sequential(server: Server, path: str, headers: dict, count: int, expect: int) -> float:
    """Median seconds of `count` requests, one after another, on one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        assert response.status == expect, (path, response.status)
    connection.close()
    return statistics.median(times)


def concurrent(server: Server, path: str, headers: dict, clients: int, seconds: float, expect: int) -> tuple:
    """`clients` threads, each polling `path` on its own keep-alive connection for `seconds`:
    return (requests per second, p95 latency in seconds, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_at = time.monotonic() + 1.0
    stop_at = start_at + seconds

    def poller():
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        mine = []
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while time.monotonic() < stop_at:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != expect:
                    raise OSError(response.status)
                mine.append(time.perf_counter() - began)
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=poller) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95)] if latencies else float("inf")
    return len(latencies) / seconds, p95, errors[0]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="gtm-poll-"))
    redis_server = broker.EmbeddedRedis(folder / "r").start()
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("GTM_", "OPENAI_"))},
           "DATABASE_URL": database, "REDIS_URL": redis_server.url, "SECRET_KEY": "bench-secret",
           "GTM_INSTANCE_PATH": str(folder / "instance"), "GTM_LLM": "offline", "PYTHONPATH": str(ROOT)}
    os.environ.update(env)
    failed = []
    try:
        app = create_app()
        with app.app_context():
            if database.startswith("postgresql"):
                db.drop_all()
            db.create_all()

        counts = statement_counts(app)
        print("SQL statements per unchanged board poll:")
        for (posts, versions), count in sorted(counts.items()):
            print(f"  {posts:>2} posts, {versions:>2} archived versions: {count}")
        constant = len(set(counts.values())) == 1
        print(f"  constant: {'yes' if constant else 'NO'}")
        if not constant:
            failed.append("statement count")

        with app.app_context():
            user = accounts.sign_up("bench@example.com", PASSWORD)
            campaign_id = seed(user.workspace_id, 12).id
        server = Server(env)
        try:
            cookie = session_cookie(server, "bench@example.com")
            headers = {"Cookie": cookie, "HX-Request": "true"}
            _, text, _ = server.request("GET", f"/campaigns/{campaign_id}/strategy", headers=headers)
            state = re.search(rb'/strategy\?state=([0-9a-f]+)', text).group(1).decode()
            poll = f"/campaigns/{campaign_id}/strategy?state={state}"
            for _ in range(50):  # warm up both
                sequential(server, "/login", {}, 1, 200)
                sequential(server, poll, headers, 1, 204)
            login = sequential(server, "/login", {}, 400, 200)
            unchanged = sequential(server, poll, headers, 400, 204)
            changed = sequential(server, f"/campaigns/{campaign_id}/strategy", headers, 100, 200)
            ratio = unchanged / login
            print(f"\nSequential medians (12-post board): log-in page {login * 1000:.2f} ms, unchanged poll "
                  f"{unchanged * 1000:.2f} ms (204), full board fragment {changed * 1000:.2f} ms")
            print(f"  unchanged poll / log-in page: {ratio:.2f} (target at most {RATIO_TARGET})")
            if ratio > RATIO_TARGET:
                failed.append("unchanged poll ratio")

            clients, seconds = 200, 8.0
            ping_rps, ping_p95, ping_errors = concurrent(server, "/ping", {}, clients, seconds, 200)
            poll_rps, poll_p95, poll_errors = concurrent(server, poll, headers, clients, seconds, 204)
            print(f"\n{clients} concurrent pollers for {seconds:.0f} s each (one gunicorn worker, 8 threads):")
            print(f"  hello-world /ping: {ping_rps:.0f} requests/s, p95 {ping_p95 * 1000:.0f} ms, "
                  f"{ping_errors} errors")
            print(f"  unchanged board poll: {poll_rps:.0f} requests/s, p95 {poll_p95 * 1000:.0f} ms, "
                  f"{poll_errors} errors")
            print(f"  ratios to hello-world: throughput {poll_rps / ping_rps:.2f}, p95 latency "
                  f"{poll_p95 / ping_p95:.2f}")
            if poll_errors or ping_errors:
                failed.append("errors under load")
        finally:
            server.stop()
    finally:
        redis_server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    if failed:
        print(f"\nMISSED: {', '.join(failed)}")
        sys.exit(1)
    print("\nAll targets met.")


if __name__ == "__main__":
    main()
