"""A post as a person reads it: "Phase 2, post 3 · Instagram", from its phase, key and channel; and a plan's
streamed JSON read into lines of phases and posts, with no key in them."""
import json

import pytest

from gtm.services.labels import plan_lines, post_label, post_number


@pytest.mark.parametrize("key, number", [("p2-a", 1), ("p2-c", 3), ("p3-k", 11), ("p1-z", 26), ("p1-aa", 27),
                                         ("r4-b", 2), ("P2-C", 3), (" p2-c ", 3)])
def test_a_keys_letters_count_the_posts_of_its_phase(key, number):
    assert post_number(key) == number


@pytest.mark.parametrize("key", ["p2-0", "p2-1", "intro", "", "p2-", "p2-abcd", "p2-c3"])
def test_a_key_written_another_way_gives_no_number(key):
    assert post_number(key) is None


def test_the_label_names_phase_post_and_channel():
    assert post_label(2, "p2-c", "instagram") == "Phase 2, post 3 · Instagram"
    assert post_label(3, "p3-k", "linkedin") == "Phase 3, post 11 · LinkedIn"
    assert post_label(1, "p1-b", "x") == "Phase 1, post 2 · X (Twitter)"
    # What is not known is left out, never guessed.
    assert post_label(2, "p2-1", "email") == "Phase 2 · Email"
    assert post_label(2, "p2-a", None) == "Phase 2, post 1"
    assert post_label(2, "p2-a", "fax") == "Phase 2, post 1 · fax"


PLAN = {"phases": [{"number": 1, "name": "Tease", "goal": "Curiosity", "posts": [
    {"key": "p1-a", "title": "A first look", "channel": "linkedin", "brief": "Show the box.", "day": 0},
    {"key": "p1-b", "title": "Why now", "channel": "instagram", "brief": "The reason.", "day": 2}]},
    {"number": 2, "name": "Launch", "goal": "Sign-ups", "posts": [
        {"key": "p2-a", "title": "It is here", "channel": "email", "brief": "Go.", "day": 7}]}],
    "edges": [{"from": "p1-a", "to": "p2-a"}, {"from": "p1-b", "to": "p2-a"}]}


def test_a_whole_plan_reads_as_phases_and_labelled_posts():
    assert plan_lines("```json\n" + json.dumps(PLAN, indent=2) + "\n```") == [
        "Phase 1 · Tease", "Phase 1, post 1 · LinkedIn: A first look", "Show the box.",
        "Phase 1, post 2 · Instagram: Why now", "The reason.",
        "Phase 2 · Launch", "Phase 2, post 1 · Email: It is here", "Go."]


def test_every_part_of_a_streaming_plan_reads_without_keys_or_channel_keys():
    text = json.dumps(PLAN)
    for end in range(len(text) + 1):
        lines = plan_lines(text[:end])
        shown = " ".join(lines)
        for key in ("p1-a", "p1-b", "p2-a", "linkedin", "instagram", "email\"", "edges"):
            assert key not in shown, (text[:end], lines)
    cut = text[:text.index("Why now") + 4]
    assert plan_lines(cut)[-1] == "Phase 1, post 2: Why", "the title arriving is shown; the channel once whole"


def test_escapes_and_text_that_is_not_json():
    assert plan_lines("") == [] and plan_lines("not json at all") == []
    assert plan_lines('{"phases": [{"number": 1, "name": "Say \\"hi\\" \\u00e9') == ['Phase 1 · Say "hi" é']
    assert plan_lines('{"phases": [{"number": 1, "name": "Cut \\u00') == ["Phase 1 · Cut"]
