"""The brand voice: the service's checks (each wrong field named, nothing changed), which voice is in force for a
campaign, the Settings › Voice page and a campaign's voice page (refused in place, who may change them), and the
history rows they leave."""
import pytest

from gtm.extensions import db
from gtm.models import Activity, Campaign, Workspace
from gtm.services import voice
from gtm.services.errors import Invalid

from tests.kit.members import client_of, joined_member

GOOD = {"tone": "warm, direct", "use": ["florists", "save time"], "avoid": ["revolutionary", "synergy"],
        "reading_level": "plain", "examples": ["Orders, deliveries and regulars in one place. Try it this week."]}


def stored(workspace_id: int, campaign_id: int | None = None):
    db.session.expire_all()
    if campaign_id is not None:
        return db.session.get(Campaign, campaign_id).voice
    return db.session.get(Workspace, workspace_id).voice


@pytest.mark.parametrize("field, value, message", [
    ("tone", "x" * (voice.TONE_MAX + 1), "at most 80 characters"),
    ("tone", 5, "must be text"),
    ("use", ["w"] * 0 + [f"word{n}" for n in range(voice.WORDS_MAX + 1)], "at most 20 words"),
    ("use", ["x" * (voice.WORD_MAX + 1)], "at most 40 characters"),
    ("use", [1, 2], "list of words"),
    ("avoid", ["florists"], "also among the words to use"),
    ("avoid", {"a": 1}, "list of words"),
    ("reading_level", "toddler", "Choose a reading level"),
    ("examples", ["one", "two", "three", "four"], "At most 3 example posts"),
    ("examples", ["x" * (voice.EXAMPLE_MAX + 1)], "at most 600 characters"),
    ("examples", [3], "list of posts"),
    ("tone", "nul\x00", "NUL"),
])
def test_each_wrong_field_is_named_and_nothing_changes(user, campaign, field, value, message):
    voice.set_workspace_voice(user.workspace_id, GOOD)
    voice.set_campaign_voice(user.workspace_id, campaign.id, {**GOOD, "tone": "bold"})
    history = Activity.query.count()
    for setter in (lambda v: voice.set_workspace_voice(user.workspace_id, v),
                   lambda v: voice.set_campaign_voice(user.workspace_id, campaign.id, v)):
        with pytest.raises(Invalid) as refused:
            setter({**GOOD, field: value})
        assert list(refused.value.fields) == [field] and message.lower() in refused.value.fields[field].lower()
    assert stored(user.workspace_id) == GOOD
    assert stored(user.workspace_id, campaign.id) == {**GOOD, "tone": "bold"}
    assert Activity.query.count() == history


def test_lists_are_read_from_text_and_cleaned(user):
    saved = voice.set_workspace_voice(user.workspace_id, {"tone": "  warm,   direct ", "use": "florists,\n save time\n,,",
                                                          "avoid": "Synergy, synergy", "examples": ["  ", "A post."]})
    assert saved == {"tone": "warm, direct", "use": ["florists", "save time"], "avoid": ["Synergy"],
                     "reading_level": "", "examples": ["A post."]}


def test_the_campaigns_voice_is_in_force_else_the_workspaces_else_none(user, campaign):
    ws = user.workspace_id
    assert voice.resolved(ws, campaign.id) == (None, "none") and voice.voice_in_force(ws, campaign.id) is None
    voice.set_workspace_voice(ws, GOOD)
    assert voice.resolved(ws, campaign.id) == (GOOD, "workspace")
    own = {**GOOD, "tone": "playful", "avoid": []}
    voice.set_campaign_voice(ws, campaign.id, own)
    assert voice.resolved(ws, campaign.id) == (own, "campaign") and voice.campaign_voice(ws, campaign.id) == own
    assert voice.workspace_voice(ws) == GOOD
    # Clearing the campaign's voice ("follow the workspace's") brings the workspace's back; so does an empty one.
    voice.set_campaign_voice(ws, campaign.id, None)
    assert voice.resolved(ws, campaign.id) == (GOOD, "workspace") and stored(ws, campaign.id) is None
    voice.set_campaign_voice(ws, campaign.id, own)
    voice.set_campaign_voice(ws, campaign.id, {"tone": " ", "use": [], "examples": [""]})
    assert voice.resolved(ws, campaign.id) == (GOOD, "workspace")
    voice.set_workspace_voice(ws, {})
    assert voice.resolved(ws, campaign.id) == (None, "none")
    kinds = [row.kind for row in Activity.query.order_by(Activity.id)]
    assert kinds.count("voice_changed") == 2 and kinds.count("campaign_voice_changed") == 4


def test_saving_the_same_voice_again_records_nothing(user):
    voice.set_workspace_voice(user.workspace_id, GOOD)
    voice.set_workspace_voice(user.workspace_id, dict(GOOD))
    assert Activity.query.filter_by(kind="voice_changed").count() == 1


def test_the_prompt_block_stays_within_its_budget_with_the_examples_shortened():
    longest = {"tone": "t" * voice.TONE_MAX, "reading_level": "expert",
               "use": [f"use{n:02d}" + "u" * (voice.WORD_MAX - 5) for n in range(voice.WORDS_MAX)],
               "avoid": [f"avo{n:02d}" + "a" * (voice.WORD_MAX - 5) for n in range(voice.WORDS_MAX)],
               "examples": [("Example words here. " * 40)[:voice.EXAMPLE_MAX]] * voice.EXAMPLES_MAX}
    shown = voice.for_prompt(longest)
    text = voice.block_text(shown)
    assert len(text) // 4 <= voice.PROMPT_TOKENS
    # Every word to use and to avoid is whole in it; the examples are cut at a word, ended with "…".
    assert all(word in text for word in longest["use"] + longest["avoid"])
    assert len(shown["examples"]) == 3 and all(e.endswith("…") and len(e) < voice.EXAMPLE_MAX for e in shown["examples"])
    assert all(e[:-1].endswith(("here", "words", "Example")) for e in shown["examples"])
    small = voice.for_prompt(GOOD)
    assert small["examples"] == GOOD["examples"] and "Plain" in voice.block_text(small)
    assert voice.for_prompt(None) is None and voice.block_text(None).strip() == ""


def test_the_settings_page_saves_a_voice_and_refuses_in_place(auth_client, htmx, user):
    assert 'href="/settings/voice"' in auth_client.get("/settings").get_data(as_text=True)
    page = auth_client.get("/settings/voice").get_data(as_text=True)
    assert 'data-char-count="tone"' in page and 'data-char-count="example_1"' in page and "data-swap-refusals" in page
    refused = htmx.post("/settings/voice", data={"tone": "x" * 81, "use": "florists", "avoid": "florists",
                                                 "example_1": "Kept as typed"})
    assert refused.status_code == 422
    fragment = refused.get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and 'id="voice-form"' in fragment
    assert "at most 80 characters" in fragment and "also among the words to use" in fragment
    assert "Kept as typed" in fragment and stored(user.workspace_id) is None
    saved = htmx.post("/settings/voice", data={"tone": "warm, direct", "use": "florists\nsave time",
                                               "avoid": "revolutionary", "reading_level": "plain",
                                               "example_1": "A <b>post</b>", "example_2": "", "example_3": ""})
    assert saved.status_code == 204 and saved.headers["HX-Redirect"].endswith("/settings/voice")
    assert stored(user.workspace_id) == {"tone": "warm, direct", "use": ["florists", "save time"],
                                         "avoid": ["revolutionary"], "reading_level": "plain",
                                         "examples": ["A <b>post</b>"]}
    page = auth_client.get("/settings/voice").get_data(as_text=True)
    assert "A &lt;b&gt;post&lt;/b&gt;" in page and "save time" in page
    assert Activity.query.filter_by(kind="voice_changed").count() == 1


def test_a_campaign_follows_the_workspace_or_has_its_own(auth_client, user, campaign):
    voice.set_workspace_voice(user.workspace_id, GOOD)
    show = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.id}/voice"' in show and "The workspace&#39;s" in show
    page = auth_client.get(f"/campaigns/{campaign.id}/voice").get_data(as_text=True)
    assert "follows" in page and 'value="workspace" checked' in page and "warm, direct" in page
    mine = {"source": "campaign", "tone": "playful", "use": "", "avoid": "synergy", "reading_level": "general"}
    assert auth_client.post(f"/campaigns/{campaign.id}/voice", data=mine).status_code == 303
    assert voice.resolved(user.workspace_id, campaign.id)[1] == "campaign"
    assert stored(user.workspace_id, campaign.id)["tone"] == "playful"
    page = auth_client.get(f"/campaigns/{campaign.id}/voice").get_data(as_text=True)
    assert 'value="campaign" checked' in page and "playful" in page
    refused = auth_client.post(f"/campaigns/{campaign.id}/voice", data={**mine, "reading_level": "toddler"})
    assert refused.status_code == 422 and "Choose a reading level" in refused.get_data(as_text=True)
    assert stored(user.workspace_id, campaign.id)["reading_level"] == "general"
    # "Follow the workspace's voice" still refuses a field past its limit, and changes nothing.
    refused = auth_client.post(f"/campaigns/{campaign.id}/voice", data={**mine, "source": "workspace",
                                                                        "tone": "x" * 81})
    assert refused.status_code == 422 and voice.resolved(user.workspace_id, campaign.id)[1] == "campaign"
    # With fields that pass, it clears the campaign's own voice, whatever they hold.
    assert auth_client.post(f"/campaigns/{campaign.id}/voice", data={**mine, "source": "workspace"}).status_code == 303
    assert voice.resolved(user.workspace_id, campaign.id) == (GOOD, "workspace")


@pytest.mark.parametrize("role, changes", [("editor", True), ("reviewer", False), ("viewer", False)])
def test_owners_and_editors_change_the_voice_and_everyone_reads_it(app, user, campaign, role, changes):
    voice.set_workspace_voice(user.workspace_id, GOOD)
    member = client_of(app, joined_member(user, f"{role}@example.com", role).email)
    for path in ("/settings/voice", f"/campaigns/{campaign.id}/voice"):
        page = member.get(path)
        assert page.status_code == 200 and "warm, direct" in page.get_data(as_text=True)
        assert ('name="tone"' in page.get_data(as_text=True)) is changes
    answer = member.post("/settings/voice", data={"tone": "shouty"})
    assert answer.status_code == (303 if changes else 403)
    answer = member.post(f"/campaigns/{campaign.id}/voice", data={"source": "campaign", "tone": "shouty"})
    assert answer.status_code == (303 if changes else 403)
    assert (stored(user.workspace_id)["tone"] == "shouty") is changes
