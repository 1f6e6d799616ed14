"""bench/regenerate.py's measurements, small: the same functions on the suite's app, fake and burst worker."""
import pytest

from bench.regenerate import Regenerations, calls_per_regeneration, prompt_growth

from tests.kit.campaigns import CAMPAIGN


@pytest.fixture
def regs(app, user, fake_openai, work):
    regs = Regenerations(fake_openai, user.workspace_id, CAMPAIGN["channels"], CAMPAIGN, lambda run_id: work())
    regs.listen()
    return regs


@pytest.mark.llm("openai")
def test_the_benchmark_counts_one_call_per_new_post_plus_one(regs):
    counted = calls_per_regeneration(regs, plan_sizes=(2, 2, 2), cases=((1, (2, 2, 2)), (2, (2, 3)), (4, (2, 2))))
    assert [(c.phase_num, c.new_posts) for c in counted] == [(1, 6), (2, 5), (4, 4)]
    assert [(c.chat_calls, c.image_calls) for c in counted] == [(7, 12), (6, 10), (5, 8)]
    assert all(c.calls_ratio == c.images_ratio == 1.0 and c.prompt_tokens > 0 for c in counted)


@pytest.mark.llm("openai")
def test_the_benchmark_finds_the_prompt_flat(regs):
    _, grown = prompt_growth(regs, rounds=2, plan_sizes=(2, 2, 2), sizes=(2, 2))
    assert len(grown) == 3 and all(c.new_posts == 4 for c in grown)
    assert grown[-1].prompt_tokens <= 1.2 * grown[0].prompt_tokens
