"""Hostile text shows as text on every page, and what the model writes is bounded by the product's limits.

The timing lives in bench/hostile.py; here its data builder runs small, and the pages must answer with the
text escaped. Then the limits on what the model writes: a text over its limit goes back to the model in the
repair request, naming the field, as every other problem with its answer does.
"""
import json

import pytest

from bench.hostile import KINDS, NORMAL, build
from gtm.extensions import db
from gtm.llm.schemas import StrategyPlan, VariantContent
from gtm.models import Post, Run, StepVersion, Variant
from gtm.services import graph
from gtm.services.steps.content import EDIT_TEXT_MAX, too_long
from gtm.services.strategy.variants import CALL_TO_ACTION_MAX, HASHTAG_MAX, IMAGE_PROMPT_MAX, problems
from gtm.web.filters import render_markdown

from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name, valid_plan

SCRIPT = '<script>alert("x")</script>'


# --- Rendering -------------------------------------------------------------------------------------------

def test_raw_html_in_markdown_shows_as_text():
    html = str(render_markdown(f'{SCRIPT} and <b onmouseover="alert(1)">bold</b>\n\n<div>\n<img src=x>\n</div>'))
    assert "<script" not in html and "<b " not in html and "<img" not in html and "<div" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;/script&gt;" in html
    assert "&lt;b onmouseover=" in html and "&lt;img src=x&gt;" in html


def test_markdown_keeps_what_normal_content_uses():
    html = str(render_markdown(
        "### Plan\n\nSome **bold**, _emphasis_ and [a link](https://example.com).\n\n- one\n- two\n\n1. first\n\n"
        "> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[bad](javascript:alert(1))"))
    for part in ("<h3>Plan</h3>", "<strong>bold</strong>", "<em>emphasis</em>", "<li>one</li>", "<ol>",
                 "<blockquote>", "<th>a</th>", "<td>2</td>"):
        assert part in html, part
    assert '<a href="https://example.com" rel="noopener nofollow">a link</a>' in html
    assert "javascript:" not in html.replace("[bad](javascript:alert(1))", "")


def test_fifty_thousand_brackets_render_as_escaped_text():
    html = str(render_markdown("[" * 50000))
    assert html.count("[") == 50000 and "<a" not in html
    html = str(render_markdown("<" * 50000))
    assert html.count("&lt;") == 50000 and "<<" not in html


def test_deep_quotes_and_lists_are_cut_short():
    html = str(render_markdown("> " * 5000 + "x"))
    assert 0 < html.count("<blockquote>") <= 20
    html = str(render_markdown("- " * 5000 + "x"))
    assert 0 < html.count("<ul>") <= 20


@pytest.mark.parametrize("kind", ["raw HTML", "[ run", "< run", "table wide", "> > > deep"])
def test_pages_show_hostile_text_escaped(app, user, auth_client, kind):
    built = build(user.workspace_id, user.id, KINDS[kind], cap=60)
    for page, path in built.paths().items():
        response = auth_client.get(path)
        text = response.get_data(as_text=True)
        assert response.status_code == 200, (page, response.status_code)
        assert "<script>alert" not in text and "<img src=x" not in text, page
        if kind == "raw HTML":
            assert "&lt;script&gt;alert(" in text, page
        if kind == "[ run":
            assert "[[[[[[[[" in text, page


def test_the_normal_content_shows_formatted(app, user, auth_client):
    built = build(user.workspace_id, user.id, NORMAL, cap=400)
    post = auth_client.get(built.paths()["post"]).get_data(as_text=True)
    assert "<strong>every order</strong>" in post and 'rel="noopener nofollow"' in post


# --- What the model writes is held to the product's limits --------------------------------------------------

def variant(**changes):
    values = {"headline": "Less admin", "body": "Bloom keeps orders in one place.", "call_to_action": "Try it",
              "hashtags": ["bloom"], "image_prompt": "A florist at work"}
    return VariantContent(**{**values, **changes})


@pytest.mark.parametrize("changes,named", [
    ({"call_to_action": "c" * (CALL_TO_ACTION_MAX + 1)}, f"the call to action has {CALL_TO_ACTION_MAX + 1} characters"),
    ({"image_prompt": "i" * (IMAGE_PROMPT_MAX + 1)}, f"the image prompt has {IMAGE_PROMPT_MAX + 1} characters"),
    ({"hashtags": ["ok", "h" * (HASHTAG_MAX + 1)]}, f"1 hashtag longer than {HASHTAG_MAX} characters"),
], ids=["call to action", "image prompt", "hashtag"])
def test_a_variant_field_over_its_limit_is_a_problem_naming_it(changes, named):
    assert problems("B", variant(), 1300) == []
    found = problems("B", variant(**changes), 1300)
    assert len(found) == 1 and found[0].startswith(f"variant B: {named}"), found


def test_limits_at_their_edge_are_accepted():
    edge = variant(call_to_action="c" * CALL_TO_ACTION_MAX, image_prompt="i" * IMAGE_PROMPT_MAX,
                   hashtags=["h" * HASHTAG_MAX])
    assert problems("A", edge, 1300) == []


def planned(change):
    plan = valid_plan(sizes=(2, 2, 2))
    change(plan)
    return StrategyPlan.model_validate(plan)


@pytest.mark.parametrize("change,named", [
    (lambda plan: plan["phases"][1].update(goal="g" * (graph.GOAL_MAX + 1)),
     f"phase 2 has a goal of {graph.GOAL_MAX + 1} characters; use at most {graph.GOAL_MAX}"),
    (lambda plan: plan["phases"][0]["posts"][1].update(brief="b" * (graph.BRIEF_MAX + 1)),
     f"post 'p1-1' has a brief of {graph.BRIEF_MAX + 1} characters; use at most {graph.BRIEF_MAX}"),
], ids=["phase goal", "post brief"])
def test_a_plan_text_over_its_limit_is_a_problem_naming_it(change, named):
    assert graph.problems(planned(lambda plan: None), ["linkedin", "email", "instagram"]) == []
    assert graph.problems(planned(change), ["linkedin", "email", "instagram"]) == [named]


def test_a_runaway_key_or_channel_is_quoted_back_shortened():
    def runaway(plan):
        plan["phases"][0]["posts"][0].update(key="k" * 5000, channel="c" * 5000)
    found = graph.problems(planned(runaway), ["linkedin", "email", "instagram"])
    assert any("must have 1 to 40 characters" in problem for problem in found)
    assert all(len(problem) < 400 for problem in found), [len(problem) for problem in found]


def test_step_texts_over_the_hand_edit_limit_are_named():
    content = {"summary": "s" * (EDIT_TEXT_MAX + 1), "competitors": [{"name": "A", "pricing_notes": "fine"}]}
    assert too_long(content) == [f"summary: at most {EDIT_TEXT_MAX:,} characters (this has {EDIT_TEXT_MAX + 1:,})."]
    content["competitors"][0]["pricing_notes"] = "p" * (EDIT_TEXT_MAX + 2)
    assert [problem.split(":")[0] for problem in too_long(content)] == ["summary", "competitors.0.pricing_notes"]


COMPETITORS = {"summary": "Two rivals.", "competitors": [{
    "name": "Floranext", "positioning": "Broad", "strengths": ["Known"], "weaknesses": ["Costly"],
    "pricing_notes": "From 49 EUR", "how_we_differ": "Simpler"}]}


@pytest.mark.llm("openai")
def test_a_step_text_over_the_limit_goes_back_to_the_model_naming_it(api, campaign, work, fake_openai):
    long = json.loads(json.dumps(COMPETITORS))
    long["competitors"][0]["how_we_differ"] = "d" * (EDIT_TEXT_MAX + 1)
    fake_openai.script(Reply.json(long), Reply.json(COMPETITORS))
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate", json={})
    assert status == 202
    work()
    repair = fake_openai.chat_requests[1]["messages"][-1]["content"]
    assert "competitors.0.how_we_differ: at most 4,000 characters (this has 4,001)" in repair
    assert db.session.get(Run, int(body["run_id"])).status == "succeeded"
    assert StepVersion.query.one().content["competitors"][0]["how_we_differ"] == "Simpler"


@pytest.mark.llm("openai")
def test_a_step_text_over_the_limit_twice_saves_nothing(api, campaign, work, fake_openai):
    long = json.loads(json.dumps(COMPETITORS))
    long["summary"] = "s" * (EDIT_TEXT_MAX + 1)
    fake_openai.script(Reply.json(long), Reply.json(long))
    _, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate", json={})
    work()
    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "failed" and "summary: at most 4,000 characters" in run.error
    assert StepVersion.query.count() == 0


@pytest.mark.llm("openai")
def test_a_post_whose_call_to_action_stays_too_long_fails_naming_it(api, campaign, work, fake_openai):
    long = {label: {"headline": f"Headline {label}", "body": "Orders in one place.",
                    "call_to_action": "c" * (CALL_TO_ACTION_MAX + 1), "hashtags": ["bloom"],
                    "image_prompt": "A florist at work"} for label in ("a", "b")}

    def responder(body):
        if schema_name(body) == "StrategyPlan":
            return Reply.json(valid_plan(sizes=(2, 2, 2)))
        if "Title: Title of p1-0\n" in body["messages"][1]["content"]:
            return Reply.json(long)
        return None

    fake_openai.responder = responder
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    broken = Post.query.filter_by(key="p1-0").one()
    assert broken.status == "failed"
    assert f"variant A: the call to action has {CALL_TO_ACTION_MAX + 1} characters" in broken.error
    assert Variant.query.filter_by(post_id=broken.id).count() == 0
    asked = [r for r in fake_openai.chat_requests if "Title: Title of p1-0\n" in r["messages"][1]["content"]]
    assert len(asked) == 2 and "the call to action has" in asked[1]["messages"][-1]["content"]
