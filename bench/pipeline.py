"""Benchmark the strategy pipeline: parallel speed-up and flat prompt size.

Run it as `.venv/bin/python -m bench.pipeline` (or `python bench/pipeline.py`). It starts an
embedded Redis, a temporary SQLite database in WAL mode (or DATABASE_URL when set), the fake
OpenAI server from tests/kit/fake_openai.py answering every call after a fixed latency L, and real
`gtm worker` processes. It reports ratios measured in this one run, not absolute times:

1. Parallelism: wall time of "plan a 4-phase, 12-post campaign and write every post with its
   images", divided by the critical path bound: the plan call, plus ceil(posts / workers) rounds
   of (a content call + the variants' images, which are made together). Target with 4 workers:
   at most 1.3.
2. Scoped context: mean prompt tokens per content call for a 10-post campaign against a campaign
   that grew to 60 posts (three successive plans of 20; a single plan holds at most 5 × 5 = 25
   posts by the graph rules). Each call carries its phase's siblings by title and angle (bounded),
   so the grown campaign's fuller phases cost a little more, and nothing else grows. Target: at
   most 1.05.

It exits with status 1 when a target is missed. BENCH_LOG_LEVEL=INFO keeps the workers' logs
(with job ids) in the temporary folder, to see where time goes.
"""
import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/pipeline.py` puts bench/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

import click  # noqa: E402

from gtm import broker, create_app, queue  # noqa: E402
from gtm.extensions import db  # noqa: E402
from gtm.models import Post, Run  # noqa: E402
from gtm.services import accounts, campaigns, strategy  # noqa: E402
from tests.kit.fake_openai import FakeOpenAI, Reply  # noqa: E402
from tests.kit.schema_samples import estimate_tokens  # noqa: E402
from tests.kit.plans import schema_name, valid_plan  # noqa: E402
from tests.kit.processes import stop  # noqa: E402

SPEED_TARGET = 1.3
TOKENS_TARGET = 1.05
ANGLES = ["customer story", "how-to", "ROI numbers", "behind the scenes", "founder's note"]
CHANNELS = ["linkedin", "email", "instagram", "x"]
CAMPAIGN = {
    "name": "Bloom launch",
    "product": "Bloom is a CRM for independent florists. It tracks orders, deliveries and repeat customers, "
               "and reminds shops when a regular customer's anniversary or birthday is near.",
    "audience": "Owners of independent flower shops with one to five staff",
    "goals": "300 paid sign-ups in the first 90 days, at a cost per sign-up under 40 EUR",
    "competitors": ["Floranext", "Spreadsheets", "Generic CRMs"],
    "channels": CHANNELS,
    "budget": "12000",
    "currency": "EUR",
    "brief": "Launch at the spring trade fair. Warm, practical tone; show the shop owner's day, not features.",
}


def plan(sizes: list[int], salt: str) -> dict:
    """A plan that follows the graph rules, with texts of a realistic length and a distinct angle per post."""
    planned = valid_plan(sizes, CHANNELS, title_of=lambda key: f"{salt} post {key}: a shop owner's day",
                         brief_of=lambda key: f"Show one concrete moment in a florist's week where Bloom saves time "
                                              f"({key}).",
                         goal_of=lambda number: f"Move owners one step closer to signing up ({salt}, phase {number})",
                         name_of=lambda number: f"Phase {number}")
    for phase in planned["phases"]:
        for slot, post in enumerate(phase["posts"]):
            post["angle"] = ANGLES[slot % len(ANGLES)]
    return planned


class Bench:
    """The services a run needs, started once and stopped together."""

    def __init__(self, latency: float):
        self.folder = Path(tempfile.mkdtemp(prefix="gtm-bench-"))
        self.redis = broker.EmbeddedRedis(self.folder / "redis").start()
        self.fake = FakeOpenAI().start()
        self.fake.latency = latency
        self.plan: dict | None = None
        self.fake.responder = lambda body: Reply.json(self.plan) if schema_name(body) == "StrategyPlan" else None
        self.database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{self.folder / 'bench.db'}"
        self.config = {
            "INSTANCE_PATH": str(self.folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "REDIS_URL": self.redis.url,
            "GTM_LLM": "openai",
            "OPENAI_API_KEY": "bench-key",
            "OPENAI_BASE_URL": self.fake.base_url,
            "GTM_MODEL": "fake-model",
            "SECRET_KEY": "bench",
        }
        self.app = create_app(self.config)
        self.context = self.app.app_context()
        self.context.push()
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
        db.create_all()
        self.workspace_id = accounts.sign_up("bench@example.com", "Sturdy-passw0rd").workspace_id
        self.workers: list[subprocess.Popen] = []

    def start_workers(self, count: int) -> None:
        self.stop_workers()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "GTM_"))}
        env.update({"GTM_INSTANCE_PATH": self.config["INSTANCE_PATH"], "DATABASE_URL": self.database_url,
                    "REDIS_URL": self.redis.url, "GTM_LLM": "openai", "OPENAI_API_KEY": "bench-key",
                    "OPENAI_BASE_URL": self.fake.base_url, "GTM_MODEL": "fake-model", "SECRET_KEY": "bench",
                    "GTM_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING")})
        for number in range(count):
            with open(self.folder / f"worker-{count}-{number}.log", "w") as log:
                self.workers.append(subprocess.Popen(
                    [sys.executable, "-m", "gtm.cli", "worker", "--name", f"bench-{os.getpid()}-{count}-{number}"],
                    env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True))
        if not queue.wait_for_workers(self.app, count, timeout=60):
            raise click.ClickException(f"{count} workers did not start; see the logs in {self.folder}")

    def stop_workers(self) -> None:
        stop(self.workers, timeout=15)
        self.workers = []
        # Stopped workers leave their registrations behind for a moment; new ones are counted afresh.
        from rq import Worker
        for worker in Worker.all(connection=broker.connection(self.app)):
            worker.register_death()

    def pipeline(self, sizes: list[int], salt: str, campaign_id: int | None = None) -> tuple[float, int, Run]:
        """Plan (and write) one strategy; return the wall time, the post count and the pipeline run."""
        if campaign_id is None:
            campaign_id = campaigns.create_campaign(self.workspace_id, dict(CAMPAIGN, name=salt)).id
        self.plan = plan(sizes, salt)
        begin = time.monotonic()
        run = strategy.plan(self.workspace_id, campaign_id)
        deadline = begin + 600
        while True:
            db.session.expire_all()
            run = db.session.get(Run, run.id)
            if run.finished:
                break
            if time.monotonic() > deadline:
                raise click.ClickException("the pipeline did not finish within 10 minutes")
            time.sleep(0.02)
        elapsed = time.monotonic() - begin
        if run.status != "succeeded":
            raise click.ClickException(f"the pipeline failed: {run.error}")
        posts = db.session.query(Post).filter_by(campaign_id=campaign_id, version=run.params["version"]).count()
        return elapsed, posts, run

    def content_tokens(self) -> list[int]:
        return [estimate_tokens(body.get("messages") or []) for body in self.fake.chat_requests
                if schema_name(body) == "PostContent"]

    def close(self) -> None:
        self.stop_workers()
        self.context.pop()
        self.fake.stop()
        self.redis.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.3, help="seconds the fake takes per call (L)")
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4], help="worker counts to measure")
    parser.add_argument("--repeats", type=int, default=3, help="timed pipelines per worker count (median)")
    args = parser.parse_args()
    latency = args.latency
    sizes = [3, 3, 3, 3]
    bench = Bench(latency)
    results = {}
    try:
        click.echo(f"gtm strategy pipeline benchmark · fake OpenAI latency L = {latency:.2f} s · "
                   f"{os.cpu_count()} CPU cores (load average {os.getloadavg()[0]:.2f} at start) · "
                   f"database {db.engine.dialect.name}")
        click.echo("")
        click.echo(f"1. Parallel writing: {len(sizes)} phases, {sum(sizes)} posts; per post one content call and "
                   "the variants' two images (made together)")
        for workers in args.workers:
            bench.start_workers(workers)
            bench.pipeline([2, 2, 2], f"warm-up-{workers}")  # first jobs pay one-off costs; not measured
            times = []
            for repeat in range(args.repeats):
                bench.fake.reset()
                bench.fake.latency = latency
                bench.fake.responder = lambda body: (Reply.json(bench.plan) if schema_name(body) == "StrategyPlan"
                                                     else None)
                elapsed, posts, _ = bench.pipeline(sizes, f"speed-{workers}-{repeat}")
                times.append(elapsed)
            rounds = math.ceil(posts / workers)
            bound = latency + rounds * 2 * latency
            elapsed = statistics.median(times)
            ratio = elapsed / bound
            results[workers] = ratio
            calls = len(bench.fake.chat_requests), len(bench.fake.image_requests)
            click.echo(f"   {workers} workers: wall {elapsed:.2f} s (median of {len(times)}: "
                       f"{', '.join(f'{t:.2f}' for t in times)}) · bound {bound:.2f} s "
                       f"(plan L + {rounds} rounds × (content L + images L)) · ratio {ratio:.2f} · "
                       f"{calls[0]} chat and {calls[1]} image calls per run")

        click.echo("")
        click.echo("2. Prompt tokens per content call (estimate_tokens on the recorded requests)")
        bench.start_workers(max(args.workers))
        bench.fake.latency = 0.0
        bench.fake.reset()
        bench.fake.responder = lambda body: Reply.json(bench.plan) if schema_name(body) == "StrategyPlan" else None
        bench.pipeline([3, 3, 2, 2], "small")
        small = bench.content_tokens()
        bench.fake.reset()
        bench.fake.responder = lambda body: Reply.json(bench.plan) if schema_name(body) == "StrategyPlan" else None
        grown = campaigns.create_campaign(bench.workspace_id, dict(CAMPAIGN, name="grown")).id
        for round_ in range(3):
            bench.pipeline([4, 4, 4, 4, 4], "grown", campaign_id=grown)
        large = bench.content_tokens()
        total = db.session.query(Post).filter_by(campaign_id=grown).count()
        mean_small, mean_large = sum(small) / len(small), sum(large) / len(large)
        token_ratio = mean_large / mean_small
        click.echo(f"   10-post campaign: {len(small)} content calls, mean {mean_small:.0f} tokens "
                   f"(min {min(small)}, max {max(small)})")
        click.echo(f"   {total}-post campaign: {len(large)} content calls, mean {mean_large:.0f} tokens "
                   f"(min {min(large)}, max {max(large)}); last plan's calls mean "
                   f"{sum(large[-20:]) / 20:.0f}")
        click.echo(f"   ratio {token_ratio:.2f}")

        click.echo("")
        click.echo("Targets")
        met = True
        speed = results.get(4)
        if speed is not None:
            ok = speed <= SPEED_TARGET
            met &= ok
            click.echo(f"   wall / bound with 4 workers: {speed:.2f} (target ≤ {SPEED_TARGET}) · "
                       f"{'met' if ok else 'NOT met'}")
        ok = token_ratio <= TOKENS_TARGET
        met &= ok
        click.echo(f"   tokens per content call, 60 posts / 10 posts: {token_ratio:.2f} (target ≤ {TOKENS_TARGET}) · "
                   f"{'met' if ok else 'NOT met'}")
    finally:
        bench.close()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
