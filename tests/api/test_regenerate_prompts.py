"""What a regeneration asks the model, counted at the fake OpenAI server the real SDK talks to.

A regeneration from phase N makes one StrategyRegeneration call, one PostContent call per new post
and one image per new variant; kept posts cost nothing. Its prompt names the kept posts, the posts it
replaces and the direction, and does not grow with the campaign's history.
"""
import pytest

from gtm.llm import schemas
from gtm.models import Post, StrategyVersion, Variant
from gtm.services import graph

from tests.kit.campaigns import CHANNELS
from tests.kit.plans import valid_regeneration
from tests.kit.schema_samples import estimate_tokens
from tests.kit.strategy import PLAN_SIZES, Answers, post_key


def test_valid_regeneration_follows_the_rules_on_the_combined_graph():
    kept = {"p1-0": 1, "p1-1": 1, "p2-0": 2, "p2-1": 2, "p2-2": 2}
    for from_phase, kept_before, sizes in ((1, [], (2, 3, 2)), (2, ["p1-0", "p1-1"], (3, 3)),
                                           (3, ["p2-0", "p2-1", "p2-2"], (2, 5, 2, 3))):
        answer = schemas.StrategyRegeneration.model_validate(
            valid_regeneration(from_phase, kept_before, sizes, CHANNELS))
        in_reach = {key: phase for key, phase in kept.items() if phase < from_phase}
        assert graph.regeneration_problems(answer, CHANNELS, in_reach, from_phase) == []
    with pytest.raises(ValueError):
        valid_regeneration(2, ["r2-0", "r2-1"])


@pytest.mark.llm("openai")
@pytest.mark.parametrize("phase_num, sizes", [(1, (2, 3, 2)), (2, (3, 2)), (4, (2, 2)), (5, (3, 2))],
                         ids=["from-1", "from-2", "from-last", "past-the-last"])
def test_a_regeneration_calls_the_model_once_and_once_per_new_post(api, campaign, work, fake_openai, phase_num,
                                                                   sizes):
    answers = Answers(fake_openai)
    answers.plan_and_write(api, campaign, work)
    variants_before = {v.id: (v.post_id, v.label, v.number, v.media_path) for v in Variant.query.all()}
    fake_openai.reset()
    answers.listen()
    direction = "Pivot to a developer-first strategy with technical demos"

    kept, replaced, new = answers.regenerate(api, campaign, work, phase_num, sizes, "r", direction,
                                          title_of=lambda key: f"Regenerated post {key}")

    assert len(new) == sum(sizes) and len(kept) + len(replaced) == sum(PLAN_SIZES)
    # One planning call, one content call per new post, and nothing else.
    assert len(answers.calls("StrategyRegeneration")) == 1
    content = answers.calls("PostContent")
    assert len(fake_openai.chat_requests) == 1 + len(new) == 1 + len(content)
    # Each content call writes one new post, each new post once; no kept post is written again.
    assert sorted(post_key(body) for body in content) == sorted(p.key for p in new)
    for body in content:
        assert f"Title: Regenerated post {post_key(body)}\n" in body["messages"][1]["content"]
    # One image per new variant, and none for the kept ones.
    assert sorted(body["prompt"] for body in fake_openai.image_requests) == sorted(
        f"Picture {p.key} {label}" for p in new for label in "AB")
    for post in new:
        assert sorted((v.label, bool(v.media_path)) for v in post.variants) == [("A", True), ("B", True)]
    assert {v.id: (v.post_id, v.label, v.number, v.media_path)
            for v in Variant.query.filter(Variant.id.in_(variants_before))} == variants_before

    # The regeneration prompt names the kept posts, the replaced posts' titles and the direction.
    prompt = answers.calls("StrategyRegeneration")[0]["messages"][1]["content"]
    assert direction in prompt
    for post in kept:
        assert f"key {post.key} · {post.title} ·" in prompt, post.key
    for post in replaced:
        assert f"- {post.title}\n" in prompt + "\n", post.title
    # Nothing of the version being replaced is carried as a kept post.
    for post in replaced:
        assert f"key {post.key} " not in prompt


@pytest.mark.llm("openai")
def test_the_regeneration_prompt_does_not_grow_with_the_campaigns_history(api, campaign, work, fake_openai):
    answers = Answers(fake_openai)
    answers.plan_and_write(api, campaign, work)
    fake_openai.reset()
    answers.listen()
    directions = [f"Direction {round_}: lead with the shop owner's week, round {round_} of six" for round_ in range(6)]

    replaced_titles = []
    for round_, direction in enumerate(directions):
        _, replaced, new = answers.regenerate(api, campaign, work, 2, (3, 3), f"g{round_}-", direction,
                                           title_of=lambda key: f"Round {round_} post {key}: a florist's morning",
                                           brief_of=lambda key: f"What the shop owner sees first thing ({key}).")
        replaced_titles.append([p.title for p in replaced])

    prompts = [body["messages"] for body in answers.calls("StrategyRegeneration")]
    assert len(prompts) == 6
    first, sixth = estimate_tokens(prompts[0]), estimate_tokens(prompts[5])
    assert sixth <= 1.2 * first, (first, sixth)
    # The sixth prompt carries the current version only: its own direction and the titles it replaces,
    # none of the directions or titles of earlier versions.
    text = prompts[5][1]["content"]
    assert directions[5] in text and not any(d in text for d in directions[:5])
    assert all(title in text for title in replaced_titles[5])
    assert not any(title in text for titles in replaced_titles[:5] for title in titles)
    assert StrategyVersion.query.filter_by(campaign_id=campaign.id).count() == 7
    assert Post.query.filter_by(campaign_id=campaign.id).count() == sum(PLAN_SIZES) + 6 * 6
