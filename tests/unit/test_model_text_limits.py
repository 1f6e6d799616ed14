"""What the model writes is held to the product's limits: a variant's fields, a plan's texts and a step's
texts over their limits are each a problem naming the field (the model is asked again with it), and a
runaway key or channel is quoted back shortened."""
import pytest

from gtm.llm.schemas import StrategyPlan, VariantContent
from gtm.services import graph
from gtm.services.steps.content import EDIT_TEXT_MAX, too_long
from gtm.services.strategy.variants import CALL_TO_ACTION_MAX, HASHTAG_MAX, IMAGE_PROMPT_MAX, problems

from tests.kit.plans import valid_plan


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
