"""The graph rules, the layout and the Mermaid text, as plain functions."""
from types import SimpleNamespace

from gtm.llm.schemas import StrategyPlan
from gtm.services import graph

from tests.kit.plans import valid_plan

CHANNELS = ["linkedin", "email", "instagram"]


def test_a_valid_plan_has_no_problems():
    for sizes in ((2, 2, 2), (3, 3, 3, 3), (5, 5, 5, 5, 5), (2, 5, 2)):
        assert graph.problems(StrategyPlan.model_validate(valid_plan(sizes=sizes)), CHANNELS) == []


def test_every_problem_is_named_once():
    plan = valid_plan()
    plan["phases"][0]["posts"][0]["channel"] = "fax"
    plan["edges"] = [e for e in plan["edges"] if e["to"] != "p2-2"]
    found = graph.problems(StrategyPlan.model_validate(plan), CHANNELS)
    assert found == ["post 'p1-0' uses channel 'fax'; use one of the campaign's channels: linkedin, email, instagram",
                     "post 'p1-2' in phase 1 has no child in phase 2",
                     "post 'p2-2' in phase 2 has no parent in phase 1"]


def _posts():
    phases = [SimpleNamespace(number=n, name=f"Phase {n}") for n in (1, 2, 3)]
    posts = [SimpleNamespace(id=i, phase=p, title=f'Post "{i}" <b>', channel="x", day=i, status="ready",
                             approved=i == 2)
             for i, p in ((1, 1), (2, 1), (3, 2), (4, 3), (5, 3))]
    edges = [(1, 3), (2, 3), (3, 4), (3, 5)]
    return phases, posts, edges


def test_layout_runs_left_to_right_and_centres_short_columns():
    phases, posts, edges = _posts()
    drawing = graph.layout(phases, posts, edges, {"x": "X"})
    where = {node.id: node for node in drawing.nodes}
    assert where[1].x < where[3].x < where[4].x and where[4].x == where[5].x
    # The single post of phase 2 sits between the two of phase 1.
    assert where[1].y < where[3].y < where[2].y
    assert len(drawing.paths) == 4 and drawing.width > where[4].x + graph.NODE_W
    assert where[2].approved and where[1].label == "X · day 1"


def test_mermaid_escapes_labels_and_marks_approved_posts():
    phases, posts, edges = _posts()
    text = graph.mermaid(phases, posts, edges, {"x": "X"})
    assert text.splitlines()[0] == "flowchart LR"
    assert 'post1["Post #quot;1#quot; #lt;b#gt;<br/>X · day 1"]' in text
    assert "post3 --> post5" in text and text.count("-->") == 4
    assert "class post2 approved" in text
