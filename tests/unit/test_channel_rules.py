"""The channels' rules: one table, channels named by key or name in any case, and what a draft breaks said in
words a marketer reads."""
import pytest

from gtm.services import channel_rules


def draft(headline="Less admin", body="Bloom keeps orders in one place.", hashtags=(), call_to_action="Try it"):
    return {"headline": headline, "body": body, "hashtags": list(hashtags), "call_to_action": call_to_action}


@pytest.mark.parametrize("name", ["x", "X", "Twitter", "X (Twitter)", " x "])
def test_a_channel_is_found_by_its_key_or_its_name_in_any_case(name):
    assert channel_rules.rules_for(name) is channel_rules.RULES["x"]


def test_a_channel_without_rules_has_none():
    assert channel_rules.rules_for("blog") is None and channel_rules.rules_for("carrier pigeon") is None
    assert channel_rules.check("carrier pigeon", draft(body="b" * 10_000, hashtags=["a"] * 40)) == []
    assert channel_rules.describe("blog") == []


def test_x_counts_the_headline_body_and_hashtags_as_posted():
    # "Less admin" (10) + 2 + body + 2 + "#bloom #crm" (11) = 25 + body.
    fits = draft(body="b" * 255, hashtags=["bloom", "crm"])
    assert channel_rules.as_posted(fits).endswith("\n\n#bloom #crm") and len(channel_rules.as_posted(fits)) == 280
    assert channel_rules.check("x", fits) == []
    over = draft(body="b" * 287, hashtags=["bloom", "crm"])
    assert channel_rules.check("x", over) == [{"rule": "x.length", "message": (
        "Longer than X allows: 312 of 280 characters for the post, counting the headline, the body and the "
        "hashtags (a link counts as 23).")}]


def test_a_link_counts_as_x_shortens_it():
    link = "https://example.com/" + "a" * 300
    assert channel_rules.check("x", draft(body=f"Read more: {link}")) == []
    assert len(channel_rules.as_posted(draft(body=f"Read more: {link}"))) > 280


def test_email_subject_preview_and_hashtags():
    found = channel_rules.check("Email", draft(headline="s" * 61, body="p" * 91 + "\nSecond line", hashtags=["a"]))
    assert [f["rule"] for f in found] == ["email.headline", "email.preview", "email.hashtags"]
    assert found[0]["message"] == "The subject line is longer than Email shows: 61 of 60 characters."
    assert found[1]["message"] == ("The preview (the body's first line) is longer than an inbox shows: 91 of 90 "
                                   "characters.")
    assert found[2]["message"] == "Email posts take no hashtags: this one has 1."
    assert channel_rules.check("email", draft(headline="s" * 60, body="p" * 90 + "\n" + "q" * 500)) == []


def test_instagram_links_and_hashtags():
    found = channel_rules.check("instagram", draft(body="See bloom.app/spring for more", hashtags=["t"] * 31))
    assert [f["rule"] for f in found] == ["instagram.hashtags", "instagram.links"]
    assert found[0]["message"] == "More hashtags than suit Instagram: 31 of at most 30."
    assert "bloom.app/spring" in found[1]["message"] and "link in bio" in found[1]["message"]
    assert channel_rules.check("instagram", draft(body="c" * 2000, hashtags=["t"] * 30)) == []


def test_the_repair_names_each_rule_but_not_extra_hashtags_which_are_dropped():
    over = draft(body="b" * 300, hashtags=["a", "b", "c", "d"])
    assert [f["rule"] for f in channel_rules.check("x", over)] == ["x.length", "x.hashtags"]
    problems = channel_rules.repair_problems("A", "x", over)
    assert len(problems) == 1 and problems[0].startswith("variant A: Longer than X allows")
    assert "x.length" in problems[0]
    assert channel_rules.hashtags_max("x", 8) == 3 and channel_rules.hashtags_max("email", 8) == 0
    assert channel_rules.hashtags_max("blog", 8) == 8


def test_the_rules_are_said_in_a_prompt():
    said = " ".join(channel_rules.describe("x"))
    assert "at most 280 characters" in said and "At most 3 hashtags" in said
    assert "No hashtags." in channel_rules.describe("email")
