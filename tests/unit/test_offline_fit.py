"""The offline model's last step: its posts fit the limits of their channel, whatever the voice added."""
from gtm.llm.offline.compose import shorten
from gtm.llm.offline.fit import as_posted, fit
from gtm.services import channel_rules

BODY = ("Less time on manual work, more time for your customers. Bloom CRM is a CRM for independent florists in "
        "the US with 1-10 staff.\n\nIt tracks orders, deliveries and repeat customers.\n\nA warm way to get there.")


def variant(**changes) -> dict:
    return {"headline": "Meet Bloom CRM", "body": BODY, "call_to_action": "See how it works",
            "hashtags": ["BloomCRM", "IndependentFlorists", "ProductLaunch"], "image_prompt": "A shop.", **changes}


def test_an_x_post_fits_280_characters_by_whole_paragraphs_first():
    answer = {"a": variant(body=BODY + "\n\n" + "Spring orders come early this year, and busy mornings stay calm. " * 2)}
    assert channel_rules.check("x", answer["a"])  # over before
    fitted = fit(answer, "post", {"channel_limits": channel_rules.limits("x")})["a"]
    assert len(as_posted(fitted)) <= 280 and channel_rules.check("x", fitted) == []
    assert fitted["body"].startswith("Less time on manual work") and not fitted["body"].endswith("…")


def test_an_email_preview_fits_on_its_first_line_without_losing_words():
    fitted = fit(variant(hashtags=[]), "variant", {"channel_limits": channel_rules.limits("email")})
    first = fitted["body"].splitlines()[0]
    assert first == "Less time on manual work, more time for your customers." and len(first) <= 90
    assert channel_rules.check("email", fitted) == []
    assert " ".join(fitted["body"].split()) == " ".join(BODY.split())  # only a line break was added


def test_a_first_sentence_too_long_for_the_preview_is_shortened_at_a_word():
    long = "Every order, every delivery and every regular customer of your flower shop, kept in one calm place for you"
    fitted = fit(variant(body=long + ". Try it.", hashtags=[]), "variant",
                 {"channel_limits": channel_rules.limits("email")})
    first, *rest = fitted["body"].splitlines()
    assert len(first) <= 90 and first.endswith("…") and channel_rules.check("email", fitted) == []
    assert rest[-1] == "Try it."


def test_other_answers_and_channels_without_limits_are_left_as_they_are():
    answer = {"a": variant(), "b": variant()}
    assert fit(answer, "post", {"channel_limits": {}}) == {"a": variant(), "b": variant()}
    assert fit({"phases": []}, "plan", {"channel_limits": channel_rules.limits("x")}) == {"phases": []}


def test_shortened_text_counts_its_ellipsis_within_the_limit():
    for limit in (10, 20, 90):
        cut = shorten("Every order and every delivery of your shop in one calm place " * 3, limit)
        assert len(cut) <= limit and cut.endswith("…")
