"""Benchmark the chat's answers: the prompt of a question stays bounded however long the conversation grows.

Run it as `.venv/bin/python bench/chat.py` (or `-m bench.chat`). Like bench/pipeline.py it starts an
embedded Redis, a temporary SQLite database (or DATABASE_URL when set), the fake OpenAI server from
tests/kit/fake_openai.py and real `gtm worker` processes. One campaign is planned and written (4 phases,
12 posts), given a week of results and exported; the export is imported as a second campaign, so both
hold the same strategy and numbers. The first has 2 chat messages (one earlier exchange and the question),
the second 200 (199 earlier exchanges, saved as rows with realistic questions, commands and answers of up to
a few hundred characters, and the question). The same question is then asked in each, through the chat
service and a worker, and the answering call's prompt is measured at the fake server (estimate_tokens of
its messages, as the other benchmarks count).

Target: the prompt with 200 messages is at most 1.2 times the prompt with 2. It exits with status 1 when
the target is missed.
"""
import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/chat.py` puts bench/ first on the path, not the project
    sys.path.insert(0, str(ROOT))

import click  # noqa: E402

from gtm.extensions import db  # noqa: E402
from gtm.models import ChatMessage, Post, Run  # noqa: E402
from gtm.services import chat, exports, imports, results  # noqa: E402
from tests.kit.fake_openai import Reply  # noqa: E402
from tests.kit.plans import schema_name  # noqa: E402
from tests.kit.schema_samples import estimate_tokens  # noqa: E402

TOKENS_TARGET = 1.2
PLAN_SIZES = [3, 3, 3, 3]
QUESTION = "Which phase is weakest, and what should we change there?"
EARLIER = (
    ("How is phase 2 doing so far?",
     "Phase 2 has a CTR of 0.9% from 8,000 impressions, below phase 1's 1.4%. Its LinkedIn post carries most of "
     "the clicks; the email and Instagram posts trail. A regeneration from phase 2 that leads with a concrete "
     "result could win clicks back."),
    ("!help", chat.HELP),
    ("Can we make the tone warmer for the email posts? The last two read like a feature list and our florists "
     "want to hear about their Saturday mornings, not about dashboards.",
     "The email posts of phases 2 and 3 are still drafts, so they can be rewritten before anyone reviews them. "
     "Rewrite variant A of “Your Saturday rush, handled” with feedback asking for the shop owner's morning "
     "and one result, and keep variant B as it is to compare."),
    ("What should we try next week?",
     "Phase 3 starts on day 15 with three posts; none has results yet. Phase 2's numbers suggest leading with "
     "the anniversary reminders, which drew the best CTR so far (1.8% on Instagram)."),
)


def wait(run_id: int) -> Run:
    deadline = time.monotonic() + 300
    while True:
        db.session.expire_all()
        run = db.session.get(Run, run_id)
        if run.finished:
            if run.status != "succeeded":
                raise click.ClickException(f"run {run.id} ({run.kind}) did not succeed: {run.error}")
            return run
        if time.monotonic() > deadline:
            raise click.ClickException(f"run {run_id} did not finish within 5 minutes")
        time.sleep(0.02)


def record_week(workspace_id: int, campaign_id: int) -> None:
    """A week of numbers for both variants of every current post, phase 2 weakest."""
    posts = Post.query.filter_by(campaign_id=campaign_id, is_active=True).order_by(Post.phase, Post.id).all()
    last = date.today() - timedelta(days=1)
    results.record_metrics(workspace_id, campaign_id, [
        {"post_id": str(post.id), "variant": label, "date": (last - timedelta(days=day)).isoformat(),
         "impressions": 1000 + 10 * day, "clicks": (6 if post.phase == 2 else 13) + day % 3, "conversions": 1,
         "spend": "4.50"}
        for post in posts for label in "AB" for day in range(7)])


def history(campaign_id: int, count: int) -> None:
    """`count` earlier messages with their replies, oldest first, as the chat saves them."""
    for number in range(count):
        text, reply = EARLIER[number % len(EARLIER)]
        kind = "command" if text.startswith("!") else "question"
        db.session.add(ChatMessage(campaign_id=campaign_id, author="bench@example.com", text=text, reply=reply,
                                   kind=kind))
    db.session.commit()


def ask(bench, workspace_id: int, campaign_id: int) -> tuple[int, int]:
    """Ask the question; return the answering call's prompt tokens and the run's tokens in."""
    asked = len(bench.fake.chat_requests)
    message = chat.post_message(workspace_id, campaign_id, None, "bench@example.com", QUESTION)
    run = wait(message.run_id)
    calls = [body for body in bench.fake.chat_requests[asked:] if schema_name(body) == "ChatAnswer"]
    if len(calls) != 1:
        raise click.ClickException(f"the question made {len(calls)} answering calls, not 1")
    return estimate_tokens(calls[0]["messages"]), run.tokens_in


def main() -> None:
    from bench.pipeline import Bench

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="gtm worker processes")
    parser.add_argument("--messages", type=int, default=200, help="messages of the long conversation (≥ 3)")
    args = parser.parse_args()
    if args.messages < 3:
        parser.error("--messages must be at least 3")
    bench = Bench(latency=0.0)
    planning = bench.fake.responder

    def answer(body):
        # The answer of a real model, with its usage counted as the fake counts prompts.
        if schema_name(body) == "ChatAnswer":
            return Reply.json({"answer": "Phase 2 is weakest at 0.6% CTR; lead it with one concrete result.",
                               "action": {"kind": "regenerate", "phase": 2,
                                          "direction": "Win back clicks in phase 2: lead with one concrete result"}},
                              usage=(estimate_tokens(body["messages"]), 40))
        return planning(body)

    bench.fake.responder = answer
    met = False
    try:
        bench.start_workers(args.workers)
        click.echo(f"gtm chat benchmark · {args.workers} workers · database {db.engine.dialect.name} · "
                   f"prompts counted at the fake OpenAI server")
        _, posts, run = bench.pipeline(PLAN_SIZES, "chat")
        short_id = run.campaign_id
        record_week(bench.workspace_id, short_id)
        long_id = imports.import_campaign(bench.workspace_id,
                                          exports.export(bench.workspace_id, short_id, "json").data).id
        record_week(bench.workspace_id, long_id)
        history(short_id, 1)
        history(long_id, args.messages - 1)
        few, few_in = ask(bench, bench.workspace_id, short_id)
        many, many_in = ask(bench, bench.workspace_id, long_id)
        ratio = many / few
        met = ratio <= TOKENS_TARGET
        click.echo("")
        click.echo(f"Prompt tokens of the answering call, a {posts}-post campaign with a week of results:")
        click.echo(f"   2 messages:   {few} tokens (run tokens in: {few_in})")
        click.echo(f"   {args.messages} messages: {many} tokens (run tokens in: {many_in})")
        click.echo("")
        click.echo("Target")
        click.echo(f"   tokens, {args.messages} messages / 2 messages: {ratio:.2f} (target ≤ {TOKENS_TARGET}) · "
                   f"{'met' if met else 'NOT met'}")
    finally:
        bench.close()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
