"""The offline model's voice filter: avoided words and phrases replaced by a neutral word or dropped with clean
spacing and punctuation, in copy only (never keys, ids or channels), the tone worked into a post's body within its
channel's limit, a word to use in its call to action; the same answer and voice always give the same text."""
import copy

import pytest

from gtm.llm.offline.voice import avoided_in, honour, without


@pytest.mark.parametrize("text, avoid, expected", [
    ("A revolutionary tool for florists.", ["revolutionary"], "A new tool for florists."),
    ("An innovative, revolutionary way.", ["revolutionary", "new"], "An innovative way."),
    ("An amazing team.", ["amazing", "good"], "A team."),
    ("Cheap and fast. Ready today.", ["cheap"], "Fast. Ready today."),
    ("Fast, cheap.", ["cheap"], "Fast."),
    ("It works (synergy)!", ["synergy", "teamwork"], "It works!"),
    ("Meet Bloom: cheap, fast.", ["cheap"], "Meet Bloom: fast."),
    ("A GAME  CHANGER for shops", ["game changer"], "A BIG STEP for shops"),
    ("Revolutionaryish words stay; so does a user.", ["revolutionary"], "Revolutionaryish words stay; so does a user."),
    ("Line one.\n\nBest in class tools", ["best in class"], "Line one.\n\nTools"),
])
def test_avoided_words_are_replaced_or_dropped_cleanly(text, avoid, expected):
    assert without(text, avoid) == expected
    assert avoided_in(without(text, avoid), avoid) == []


def post_answer() -> dict:
    return {label: {"headline": "Launch day: revolutionary orders", "body": "Straight to the outcome: revolutionary.\n\n"
                    "Bloom keeps orders in one place.", "call_to_action": "Book a demo",
                    "hashtags": ["Revolutionary", "Launch"], "image_prompt": "A revolutionary shop"}
            for label in ("a", "b")}


def test_a_posts_copy_follows_the_voice_and_nothing_else_changes():
    values = {"voice": {"tone": "Friendly, calm", "use": ["save an hour"], "avoid": ["revolutionary", "launch"]},
              "body_limit": 3000}
    shown = honour(post_answer(), "post", values)
    for variant in shown.values():
        assert variant["headline"] == "Release day: new orders"
        assert variant["body"].endswith("\n\nA friendly way to get there.") and "revolutionary" not in variant["body"]
        assert variant["call_to_action"] == "Book a demo – save an hour"
        assert variant["hashtags"] == []  # both hashtags were avoided words
        assert variant["image_prompt"] == "A revolutionary shop"  # a picture's description is not copy
    assert honour(post_answer(), "post", values) == shown  # deterministic
    assert honour(post_answer(), "post", {"voice": None}) == post_answer()


def test_the_tone_keeps_to_the_channels_limit():
    answer = {"a": {"headline": "h", "body": "First line.\n\n" + "word " * 50, "call_to_action": "Go",
                    "hashtags": [], "image_prompt": "i"}}
    shown = honour(copy.deepcopy(answer), "post", {"voice": {"tone": "warm"}, "body_limit": 200})["a"]["body"]
    assert len(shown) <= 200 and shown.startswith("First line.\n\nA warm way to get there.") and shown.endswith("…")
    tight = honour(copy.deepcopy(answer), "post", {"voice": {"tone": "warm"}, "body_limit": 20})["a"]["body"]
    assert tight == answer["a"]["body"]  # no room for it: the body as it was


def test_keys_ids_channels_and_names_of_others_are_left_alone():
    plan = {"phases": [{"number": 1, "name": "Launch", "goal": "Launch well", "posts": [
        {"key": "launch-a", "title": "Launch news", "channel": "launch", "brief": "Launch it.", "day": 0}]}],
        "competitors": [{"name": "Launch Co", "summary": "They launch often."}]}
    shown = honour(plan, "plan", {"voice": {"avoid": ["launch"]}})
    phase = shown["phases"][0]
    assert (phase["name"], phase["goal"]) == ("Release", "Release well")
    assert phase["posts"][0] == {"key": "launch-a", "title": "Release news", "channel": "launch",
                                 "brief": "Release it.", "day": 0}
    assert shown["competitors"][0] == {"name": "Launch Co", "summary": "They release often."}
