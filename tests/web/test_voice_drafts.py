"""The voice in the drafts: the offline model avoids the words to avoid and works the tone in; a model's draft
that still uses an avoided word is flagged on its variant, whose one-click "Rewrite without it" asks for a rewrite
with the feedback filled in, and the rewrite without the word is not flagged."""
import re

import pytest

from gtm.extensions import db
from gtm.models import Run, Variant
from gtm.services import voice

from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name
from tests.kit.strategy import Answers, active, content_for

OFFLINE_VOICE = {"tone": "Friendly, practical", "use": ["save an hour a day"], "avoid": ["launch", "florists", "built"],
                 "reading_level": "plain", "examples": []}


def words_of(variant: Variant) -> str:
    return "\n".join([variant.headline, variant.body, variant.call_to_action, *variant.hashtags])


def test_the_offline_model_avoids_the_words_to_avoid_and_uses_the_tone(api, user, campaign, work):
    voice.set_workspace_voice(user.workspace_id, OFFLINE_VOICE)
    status, _ = api.post(f"/api/campaigns/{campaign.id}/strategy")
    assert status == 202
    work()
    posts = active(campaign.id)
    assert posts and all(p.status == "ready" for p in posts)
    variants = Variant.query.filter(Variant.post_id.in_([p.id for p in posts])).all()
    for variant in variants:
        text = words_of(variant)
        assert not re.search(r"\b(launch|florists|built)\b", text, re.I), text
        assert "friendly" in variant.body.lower(), variant.body
        assert "  " not in variant.body and " ." not in variant.body and " ," not in variant.body
        # Nothing to warn of: no avoided word, and the tone added stays within the channel's limits.
        assert not variant.warnings, variant.warnings
    assert any("save an hour a day" in v.call_to_action for v in variants)
    for post in posts:
        assert not re.search(r"\b(launch|florists|built)\b", post.title + post.brief, re.I), post.title
        assert post.channel in ("linkedin", "email", "instagram") and re.fullmatch(r"[a-z0-9-]+", post.key)


class Revolutionary(Answers):
    """Posts whose variant A calls the product revolutionary; a rewrite drops the word."""

    def answer(self, body: dict):
        if schema_name(body) == "PostContent":
            content = content_for(body)
            content["a"]["body"] = "A revolutionary way to keep your regulars."
            return Reply.json(content)
        if schema_name(body) == "VariantContent":
            return Reply.json({"headline": "Keep your regulars", "body": "A simpler way to keep your regulars.",
                               "call_to_action": "Try it", "hashtags": ["bloom"], "image_prompt": "Shop at dawn"})
        return super().answer(body)


@pytest.mark.llm("openai")
def test_a_draft_with_an_avoided_word_is_flagged_and_rewritten_in_one_click(api, auth_client, user, campaign, work,
                                                                          fake_openai):
    voice.set_workspace_voice(user.workspace_id, {"tone": "calm", "avoid": ["revolutionary", "game changer"]})
    answers = Revolutionary(fake_openai)
    answers.plan_and_write(api, campaign, work)
    post = active(campaign.id)[0]
    flagged = Variant.query.filter_by(post_id=post.id, label="A", is_current=True).one()
    assert {"rule": "voice_avoid", "word": "revolutionary",
            "message": "Uses ‘revolutionary’, which the voice avoids"} in flagged.warnings
    assert not any(w["rule"] == "voice_avoid"
                   for w in Variant.query.filter_by(post_id=post.id, label="B").one().warnings or [])

    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert "Uses ‘revolutionary’, which the voice avoids" in page
    form = re.search(r'<form method="post" action="([^"]+)" class="actions voice-rewrite">(.*?)</form>', page, re.S)
    assert form and form.group(1) == f"/campaigns/{campaign.id}/posts/{post.id}/variants/A/regenerate"
    feedback = re.search(r'name="feedback" value="([^"]+)"', form.group(2)).group(1)
    assert feedback == "Do not use ‘revolutionary’." and "Rewrite without ‘revolutionary’" in form.group(2)

    # The one click: the form as it is posted.
    assert auth_client.post(form.group(1), data={"feedback": feedback}).status_code == 303
    work()
    run = Run.query.filter_by(kind="variant").one()
    assert run.status == "succeeded" and run.params["feedback"] == feedback
    prompt = answers.calls("VariantContent")[0]["messages"][1]["content"]
    assert "What should change: Do not use ‘revolutionary’." in prompt
    assert "Never use these words or phrases: revolutionary; game changer" in prompt
    db.session.expire_all()
    rewritten = Variant.query.filter_by(post_id=post.id, label="A", is_current=True).one()
    assert rewritten.number == 2 and not rewritten.warnings
    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert "voice-rewrite" not in page


def test_the_check_finds_whole_words_and_phrases_in_any_case():
    avoid = {"avoid": ["revolutionary", "game changer", "AI"]}
    found = voice.check(avoid, {"headline": "A Game  Changer", "body": "Revolutionary.", "call_to_action": "Maintain",
                                "hashtags": ["#ai"]})
    assert [w["word"] for w in found] == ["revolutionary", "game changer", "AI"]
    assert voice.check(avoid, {"headline": "Revolutionaryish", "body": "said", "call_to_action": ""}) == []
    assert voice.check(None, {"body": "revolutionary"}) == []
