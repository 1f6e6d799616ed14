"""What a regeneration asks the model, counted at the fake OpenAI server the real SDK talks to.

A regeneration from phase N makes one StrategyRegeneration call, one PostContent call per new post
and one image per new variant; kept posts cost nothing. Its prompt names the kept posts, the posts it
replaces and the direction, and does not grow with the campaign's history.
"""
import re

import pytest

from gtm.extensions import db
from gtm.llm import schemas
from gtm.models import Post, Run, StrategyVersion, Variant
from gtm.services import graph

from tests.kit.fake_openai import Reply, estimate_tokens
from tests.kit.plans import schema_name, valid_plan, valid_regeneration
from tests.api.test_regenerate import regenerate

CHANNELS = ["linkedin", "email", "instagram"]  # the campaign fixture's channels
WRITING = re.compile(r"^The post to write \(([^,]+), day ", re.M)
PLAN_SIZES = (3, 3, 3, 3)


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


def active(campaign_id: int) -> list[Post]:
    db.session.expire_all()
    return Post.query.filter_by(campaign_id=campaign_id, is_active=True).order_by(Post.phase, Post.id).all()


def plan_and_write(api, campaign, work) -> None:
    status, _ = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202
    work()
    assert len(active(campaign.id)) == sum(PLAN_SIZES)


def regenerate_with(api, campaign, work, answers: Answers, phase_num: int, sizes, prefix: str,
                    direction: str, **texts) -> tuple[list[Post], list[Post], list[Post]]:
    """Regenerate from `phase_num` with an answer built from the kept keys in the database; return
    (kept, replaced, new) posts."""
    before = active(campaign.id)
    kept = [p for p in before if p.phase < phase_num]
    replaced = [p for p in before if p.phase >= phase_num]
    answers.regeneration = valid_regeneration(phase_num, [p.key for p in kept if p.phase == phase_num - 1], sizes,
                                              CHANNELS, prefix=prefix, **texts)
    status, body = regenerate(api, campaign.id, phase_num, direction)
    assert status == 202, body
    work()
    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "succeeded", run.error
    new = [p for p in active(campaign.id) if p.version == body["version"]]
    assert {p.id for p in active(campaign.id)} == {p.id for p in kept + new}
    return kept, replaced, new


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
    plan_and_write(api, campaign, work)
    variants_before = {v.id: (v.post_id, v.label, v.number, v.media_path) for v in Variant.query.all()}
    fake_openai.reset()
    answers.listen()
    direction = "Pivot to a developer-first strategy with technical demos"

    kept, replaced, new = regenerate_with(api, campaign, work, answers, phase_num, sizes, "r", direction,
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
    plan_and_write(api, campaign, work)
    fake_openai.reset()
    answers.listen()
    directions = [f"Direction {round_}: lead with the shop owner's week, round {round_} of six" for round_ in range(6)]

    replaced_titles = []
    for round_, direction in enumerate(directions):
        _, replaced, new = regenerate_with(api, campaign, work, answers, 2, (3, 3), f"g{round_}-", direction,
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
