"""Benchmark regenerating the strategy from phase N: model calls per new post, and flat prompt size.

Run it as `.venv/bin/python bench/regenerate.py` (or `-m bench.regenerate`). Like bench/pipeline.py
it starts an embedded Redis, a temporary SQLite database (or DATABASE_URL when set), the fake OpenAI
server from tests/kit/fake_openai.py and real `gtm worker` processes, and reports ratios measured in
this one run, counted at the fake server:

1. Calls: the chat calls a regeneration from phase N makes (on a freshly planned 4-phase campaign),
   divided by 1 + the new posts: one planning call, and one content call per new post; kept posts
   cost nothing. Measured for N = 1, every phase, and N = last + 1 (extending the campaign).
   Target: 1.0 for every N. Images are reported beside it: one per new variant (target 1.0 too).
2. Prompt size: estimate_tokens of the regeneration call's messages when the campaign has grown
   through 5 regenerations from phase 2 (the 6th), divided by that of the first one. Target: at
   most 1.2, as the prompt carries the current version only, not the campaign's history.

It exits with status 1 when a target is missed.
"""
import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/regenerate.py` puts bench/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

import click  # noqa: E402

from gtm.extensions import db  # noqa: E402
from gtm.models import Post, Run  # noqa: E402
from gtm.services import campaigns, strategy  # noqa: E402
from tests.kit.fake_openai import Reply  # noqa: E402
from tests.kit.schema_samples import estimate_tokens  # noqa: E402
from tests.kit.plans import schema_name, valid_plan, valid_regeneration  # noqa: E402

CALLS_TARGET = 1.0
TOKENS_TARGET = 1.2
PLAN_SIZES = (3, 3, 3, 3)
# New phase sizes per N: the combined strategy keeps 3 to 6 phases.
CASES = ((1, (3, 3, 3)), (2, (3, 3)), (3, (2, 3)), (4, (3, 2)), (5, (2, 2)))


def texts(salt: str) -> dict:
    """Titles, briefs, goals and names of a realistic length, different for each plan or regeneration."""
    return {"title_of": lambda key: f"{salt} post {key}: a shop owner's day",
            "brief_of": lambda key: f"Show one concrete moment in a florist's week where Bloom saves time ({key}).",
            "goal_of": lambda number: f"Move owners one step closer to signing up ({salt}, phase {number})",
            "name_of": lambda number: f"Phase {number}"}


@dataclass
class Counted:
    """What one regeneration asked the model."""

    phase_num: int
    new_posts: int
    chat_calls: int
    image_calls: int
    prompt_tokens: int

    @property
    def calls_ratio(self) -> float:
        return self.chat_calls / (1 + self.new_posts)

    @property
    def images_ratio(self) -> float:
        return self.image_calls / (2 * self.new_posts)


class Regenerations:
    """Plans and regenerations against the fake server, counting each regeneration's calls.

    `finish(run_id)` returns once the run and its posts are done: the benchmark waits for its worker
    processes, a test runs a burst worker. The caller holds an app context.
    """

    def __init__(self, fake, workspace_id: int, channels: list[str], campaign: dict,
                 finish: Callable[[int], None]):
        self.fake, self.workspace_id, self.channels, self.campaign = fake, workspace_id, channels, campaign
        self.finish = finish
        self.plan_answer: dict | None = None
        self.regeneration_answer: dict | None = None

    def listen(self) -> None:
        """Answer planning and regeneration calls; every other call gets the fake's schema-valid default."""
        def answer(body):
            name = schema_name(body)
            if name == "StrategyPlan":
                return Reply.json(self.plan_answer)
            if name == "StrategyRegeneration":
                return Reply.json(self.regeneration_answer)
            return None
        self.fake.responder = answer

    def _finished(self, run: Run) -> Run:
        self.finish(run.id)
        db.session.expire_all()
        run = db.session.get(Run, run.id)
        if run.status != "succeeded":
            raise click.ClickException(f"run {run.id} ({run.kind}) did not succeed: {run.error}")
        return run

    def plan(self, sizes, salt: str) -> int:
        """Create a campaign, plan it and write every post; return its id."""
        campaign_id = campaigns.create_campaign(self.workspace_id, dict(self.campaign, name=salt)).id
        self.plan_answer = valid_plan(sizes, self.channels, **texts(salt))
        self._finished(strategy.plan(self.workspace_id, campaign_id))
        return campaign_id

    def regenerate(self, campaign_id: int, phase_num: int, sizes, salt: str, direction: str) -> Counted:
        """Regenerate from `phase_num` with new phases of `sizes`; return what it asked the model."""
        db.session.expire_all()
        kept = [p.key for p in Post.query.filter_by(campaign_id=campaign_id, is_active=True, phase=phase_num - 1)]
        self.regeneration_answer = valid_regeneration(phase_num, kept, sizes, self.channels, prefix=f"{salt}-",
                                                      **texts(salt))
        chats, images = len(self.fake.chat_requests), len(self.fake.image_requests)
        run = self._finished(strategy.regenerate(self.workspace_id, campaign_id, phase_num, direction))
        asked = self.fake.chat_requests[chats:]
        prompts = [body for body in asked if schema_name(body) == "StrategyRegeneration"]
        new = Post.query.filter_by(campaign_id=campaign_id, version=run.params["version"]).count()
        return Counted(phase_num, new, len(asked), len(self.fake.image_requests) - images,
                       estimate_tokens(prompts[0]["messages"]) if prompts else 0)


def calls_per_regeneration(regs: Regenerations, plan_sizes=PLAN_SIZES, cases=CASES) -> list[Counted]:
    """Regenerate a freshly planned campaign from each N in `cases`; return what each asked."""
    found = []
    for phase_num, sizes in cases:
        campaign_id = regs.plan(plan_sizes, f"calls-{phase_num}")
        found.append(regs.regenerate(campaign_id, phase_num, sizes, f"n{phase_num}",
                                     f"From phase {phase_num}, lead with developers and technical demos"))
    return found


def prompt_growth(regs: Regenerations, rounds: int = 5, plan_sizes=PLAN_SIZES,
                  sizes=(3, 3, 3)) -> tuple[int, list[Counted]]:
    """Regenerate one campaign from phase 2, 1 + `rounds` times; return its id and each regeneration's counts."""
    campaign_id = regs.plan(plan_sizes, "grown")
    return campaign_id, [regs.regenerate(campaign_id, 2, sizes, f"g{round_}",
                                         f"Round {round_}: lead with the shop owner's week, then the numbers "
                                         "that matter") for round_ in range(rounds + 1)]


def main() -> None:
    from bench.pipeline import CAMPAIGN, CHANNELS, Bench

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gtm worker processes")
    parser.add_argument("--rounds", type=int, default=5, help="regenerations before the measured one (≥ 5)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    bench = Bench(latency=0.0)

    def finish(run_id: int) -> None:
        deadline = time.monotonic() + 300
        while True:
            db.session.expire_all()
            if db.session.get(Run, run_id).finished:
                return
            if time.monotonic() > deadline:
                raise click.ClickException(f"run {run_id} did not finish within 5 minutes")
            time.sleep(0.02)

    regs = Regenerations(bench.fake, bench.workspace_id, CHANNELS, CAMPAIGN, finish)
    regs.listen()
    met = True
    try:
        bench.start_workers(args.workers)
        click.echo(f"gtm regeneration benchmark · {args.workers} workers · database {db.engine.dialect.name} · "
                   f"calls counted at the fake OpenAI server")
        click.echo("")
        last = len(PLAN_SIZES)
        click.echo(f"1. Model calls of a regeneration from phase N of a {last}-phase, {sum(PLAN_SIZES)}-post strategy")
        counted = calls_per_regeneration(regs)
        for c in counted:
            where = " (extends the campaign)" if c.phase_num == last + 1 else ""
            click.echo(f"   N = {c.phase_num}{where}: {c.new_posts} new posts · {c.chat_calls} chat calls / "
                       f"(1 + {c.new_posts}) = {c.calls_ratio:.2f} · {c.image_calls} images / "
                       f"(2 × {c.new_posts}) = {c.images_ratio:.2f}")

        click.echo("")
        click.echo(f"2. Prompt tokens of the regeneration call (estimate_tokens), regenerating one campaign from "
                   f"phase 2, {args.rounds + 1} times")
        campaign_id, grown = prompt_growth(regs, args.rounds)
        total = Post.query.filter_by(campaign_id=campaign_id).count()
        click.echo(f"   tokens per regeneration: {', '.join(str(g.prompt_tokens) for g in grown)} "
                   f"(the campaign holds {total} posts at the end)")
        token_ratio = grown[-1].prompt_tokens / grown[0].prompt_tokens

        click.echo("")
        click.echo("Targets")
        for c in counted:
            for label, ratio in (("chat calls / (1 + new posts)", c.calls_ratio),
                                 ("images / new variants", c.images_ratio)):
                ok = ratio == CALLS_TARGET
                met &= ok
                click.echo(f"   N = {c.phase_num}: {label} {ratio:.2f} (target {CALLS_TARGET:.1f}) · "
                           f"{'met' if ok else 'NOT met'}")
        ok = token_ratio <= TOKENS_TARGET
        met &= ok
        click.echo(f"   tokens, regeneration {len(grown)} / regeneration 1: {token_ratio:.2f} "
                   f"(target ≤ {TOKENS_TARGET}) · {'met' if ok else 'NOT met'}")
    finally:
        bench.close()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
