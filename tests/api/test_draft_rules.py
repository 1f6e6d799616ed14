"""Better drafts: the plan's angles saved and shown, a post's prompt naming its phase's siblings (bounded),
and a draft over its channel's rules repaired once, or saved whole with warnings on the page and in the API."""
import pytest

from gtm.extensions import db
from gtm.llm import render
from gtm.models import Member, Post, Variant
from gtm.services.strategy.context import SIBLINGS_MAX, post_prompt_context

from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name, valid_plan

ANGLES = ["customer story", "how-to", "ROI numbers"]
SIZES = (3, 2, 2)


def _plan(channels=("x", "linkedin")) -> dict:
    plan = valid_plan(SIZES, channels)
    for phase in plan["phases"]:
        for slot, post in enumerate(phase["posts"]):
            post["angle"] = ANGLES[slot]
    return plan


def _variant(body: str) -> dict:
    return {"headline": "Less admin", "body": body, "call_to_action": "Try it", "hashtags": ["bloom"],
            "image_prompt": "A florist at work"}


def _user_text(body: dict) -> str:
    return "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")


def _listen(fake, plan, first_post: dict | None = None, repaired: dict | None = None) -> None:
    """Answer the plan; answer the first X post (p1-0) with `first_post`, and its repair with `repaired`."""
    def answer(body):
        name = schema_name(body)
        if name == "StrategyPlan":
            return Reply.json(plan)
        if name == "PostContent" and "Title: Title of p1-0\n" in body["messages"][1]["content"] and first_post:
            return Reply.json(repaired if len(body["messages"]) > 2 else first_post)
        return None
    fake.responder = answer


@pytest.fixture
def x_campaign(campaign):
    campaign.channels = ["x", "linkedin"]
    db.session.commit()
    return campaign


@pytest.mark.llm("openai")
def test_the_plans_angles_are_saved_shown_and_each_post_knows_its_siblings(api, htmx, x_campaign, work,
                                                                           fake_openai):
    _listen(fake_openai, _plan())
    api.post(f"/api/campaigns/{x_campaign.id}/strategy")
    work()
    posts = {p.key: p for p in Post.query.filter_by(campaign_id=x_campaign.id)}
    assert [posts[f"p1-{slot}"].angle for slot in range(3)] == ANGLES

    # The plan's call asks for distinct angles; the schema it sends requires one.
    planned = next(b for b in fake_openai.chat_requests if schema_name(b) == "StrategyPlan")
    assert "every post takes a different angle" in _user_text(planned)
    schema = planned["response_format"]["json_schema"]["schema"]["$defs"]["PlannedPost"]
    assert "angle" in schema["required"] and "default" not in schema["properties"]["angle"]

    # p1-1's call: its own angle, and its two siblings with theirs, told not to repeat them; not other phases.
    prompt = _user_text(next(b for b in fake_openai.chat_requests if schema_name(b) == "PostContent"
                             and "Title: Title of p1-1\n" in b["messages"][1]["content"]))
    assert "Angle: how-to\n" in prompt and "do not repeat their angles" in prompt
    assert "- Title of p1-0 · angle: customer story\n" in prompt
    assert "- Title of p1-2 · angle: ROI numbers\n" in prompt
    assert "Title of p2-0" not in prompt and "Title of p1-1 ·" not in prompt
    # Its channel's rules (p1-1 is on LinkedIn) are in its prompt, with the channel's number of hashtags.
    assert "LinkedIn's rules for each variant:" in prompt and "at most 3000 characters" in prompt
    assert "up to 5 hashtags" in prompt

    status, nodes = api.get(f"/api/campaigns/{x_campaign.id}/nodes")
    assert [p["angle"] for p in nodes["phases"][0]["posts"]] == ANGLES
    board = htmx.get(f"/campaigns/{x_campaign.id}/strategy").get_data(as_text=True)
    assert '<span class="post-angle">customer story</span>' in board
    page = htmx.get(f"/campaigns/{x_campaign.id}/posts/{posts['p1-2'].id}").get_data(as_text=True)
    assert "<dt>Angle</dt>" in page and "ROI numbers" in page

    # A phase larger than any plan makes (an import, say) still gives each call at most SIBLINGS_MAX siblings,
    # each title shortened.
    for number in range(6):
        extra = Post(campaign_id=x_campaign.id, version=1, phase=1, key=f"extra-{number}", title="T" * 200,
                     channel="x", brief="b", angle="A" * 100, status="ready")
        db.session.add(extra)
        db.session.flush()
        db.session.add(Member(campaign_id=x_campaign.id, version=1, post_id=extra.id))
    db.session.commit()
    context = post_prompt_context(posts["p1-0"])
    assert len(context["siblings"]) == SIBLINGS_MAX
    text = render("post", **context).messages[1]["content"]
    assert "T" * 60 not in text and "A" * 40 not in text and text.count("· angle:") == SIBLINGS_MAX


@pytest.mark.llm("openai")
def test_an_over_long_x_post_gets_one_repair_naming_the_rule(api, x_campaign, work, fake_openai):
    _listen(fake_openai, _plan(), first_post={"a": _variant("b" * 300), "b": _variant("Short and sweet.")},
            repaired={"a": _variant("Orders, deliveries and reminders in one place."),
                      "b": _variant("Short and sweet.")})
    api.post(f"/api/campaigns/{x_campaign.id}/strategy")
    work()
    calls = [b for b in fake_openai.chat_requests if schema_name(b) == "PostContent"
             and "Title: Title of p1-0\n" in b["messages"][1]["content"]]
    assert len(calls) == 2, "one repair, no more"
    repair = calls[1]["messages"][-1]["content"]
    assert "variant A: Longer than X allows: 320 of 280 characters" in repair and "x.length" in repair
    assert "variant B" not in repair

    post = Post.query.filter_by(campaign_id=x_campaign.id, key="p1-0").one()
    a = Variant.query.filter_by(post_id=post.id, label="A").one()
    assert a.body == "Orders, deliveries and reminders in one place." and not a.warnings
    status, found = api.get(f"/api/campaigns/{x_campaign.id}/posts/{post.id}/variants/A")
    assert status == 200 and found["versions"][0]["warnings"] == []


@pytest.mark.llm("openai")
def test_a_draft_still_too_long_after_its_repair_is_saved_whole_with_a_warning(api, htmx, x_campaign, work,
                                                                               fake_openai):
    long_body = "Bloom keeps every order in one place. " * 8  # 304 characters
    _listen(fake_openai, _plan(), first_post={"a": _variant(long_body), "b": _variant("Short.")},
            repaired={"a": _variant(long_body + "Still long."), "b": _variant("Short.")})
    api.post(f"/api/campaigns/{x_campaign.id}/strategy")
    work()
    post = Post.query.filter_by(campaign_id=x_campaign.id, key="p1-0").one()
    assert post.status == "ready"
    a = Variant.query.filter_by(post_id=post.id, label="A").one()
    assert a.body == (long_body + "Still long.").strip(), "never cut"
    # The headline (10), the body (315), the hashtag (6) and the blank lines between them (4).
    message = "Longer than X allows: 335 of 280 characters for the post, counting the headline, the body and the " \
              "hashtags (a link counts as 23)."
    assert a.warnings == [{"rule": "x.length", "message": message}]
    assert not Variant.query.filter_by(post_id=post.id, label="B").one().warnings

    status, found = api.get(f"/api/campaigns/{x_campaign.id}/posts/{post.id}/variants/A")
    assert found["versions"][0]["warnings"] == [{"rule": "x.length", "message": message}]
    page = htmx.get(f"/campaigns/{x_campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert "Check before posting:" in page and message in page and 'id="variant-A-warnings"' in page
    assert 'id="variant-B-warnings"' not in page

    # A rewrite of the variant carries the siblings too, and a fitting answer clears the warning.
    fake_openai.responder = lambda body: (Reply.json(_variant("Now it fits.")) if schema_name(body) ==
                                          "VariantContent" else None)
    before = len(fake_openai.chat_requests)
    response = htmx.post(f"/campaigns/{x_campaign.id}/posts/{post.id}/variants/A/regenerate",
                         data={"feedback": "Shorter, please"})
    assert response.status_code == 204
    work()
    rewrite = fake_openai.chat_requests[before:]
    assert len(rewrite) == 1 and "- Title of p1-1 · angle: how-to\n" in _user_text(rewrite[0])
    current = Variant.query.filter_by(post_id=post.id, label="A", is_current=True).one()
    assert current.number == 2 and current.body == "Now it fits." and not current.warnings


def test_a_hand_edit_over_the_rules_keeps_its_words_and_says_why(api, campaign, work):
    # Email: a subject of 70 characters and hashtags are a person's choice, kept and flagged.
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.filter_by(campaign_id=campaign.id, channel="email").first()
    status, edited = api.post(f"/api/campaigns/{campaign.id}/posts/{post.id}/variants/A/versions", json={
        "headline": "S" * 70, "body": "Hello", "call_to_action": "Reply", "hashtags": ["spring"]})
    assert status == 201 and edited["headline"] == "S" * 70 and edited["hashtags"] == ["spring"]
    assert [w["rule"] for w in edited["warnings"]] == ["email.headline", "email.hashtags"]
    assert edited["warnings"][0]["message"] == "The subject line is longer than Email shows: 70 of 60 characters."
