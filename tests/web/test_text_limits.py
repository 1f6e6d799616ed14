"""A text field with a limit says it and counts down: every such field of the app's forms carries maxlength and
a count under it (which says the limit without JavaScript, and which gtm.js keeps up to date), and the server
never cuts: text over a limit is refused naming the limit and the length, with nothing saved. A line break
counts as one character, as the browser's maxlength and the count under the field take it."""
from html.parser import HTMLParser

import pytest

from gtm.extensions import db
from gtm.models import Campaign, Post

from tests.kit.campaigns import CAMPAIGN
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture


class Fields(HTMLParser):
    """The text fields of a page, and the character counts that name a field."""

    def __init__(self):
        super().__init__()
        self.fields: list[dict] = []
        self.counts: dict[str, dict] = {}
        self._count = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "textarea" or (tag == "input" and attrs.get("type", "text") in ("text", "email", "search")):
            if "readonly" not in attrs and "hidden" not in attrs:
                self.fields.append({"tag": tag, **attrs})
        if "data-char-count" in attrs:
            self._count = self.counts[attrs["data-char-count"]] = {**attrs, "text": ""}

    def handle_data(self, data):
        if self._count is not None:
            self._count["text"] += data

    def handle_endtag(self, tag):
        self._count = None


def fields_of(client, url: str) -> Fields:
    response = client.get(url)
    assert response.status_code == 200, url
    found = Fields()
    found.feed(response.get_data(as_text=True))
    return found


def form_values(**changes) -> dict:
    values = {key: value for key, value in CAMPAIGN.items() if key != "channels"}
    values["competitors"] = ", ".join(CAMPAIGN.get("competitors") or [])
    return {**values, "channels": CAMPAIGN.get("channels") or ["linkedin"], **changes}


def test_a_brief_over_the_limit_is_refused_naming_the_limit_and_nothing_is_saved(auth_client, user):
    before = Campaign.query.count()
    response = auth_client.post("/campaigns/new", data=form_values(name="Too long", brief="b" * 4001))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "At most 4,000 characters (this has 4,001)." in page
    assert Campaign.query.count() == before
    # The text comes back whole, not cut, with the count under it.
    assert "b" * 4001 in page and 'id="brief-count"' in page


def test_an_edited_brief_over_the_limit_is_refused_and_the_campaign_stays(auth_client, campaign):
    brief = campaign.brief
    response = auth_client.post(f"/campaigns/{campaign.id}/edit", data=form_values(name=campaign.name,
                                                                                  brief="e" * 4002))
    assert response.status_code == 422
    assert "At most 4,000 characters (this has 4,002)." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).brief == brief


def test_line_breaks_count_as_one_character(auth_client, user):
    # 4,000 characters as the field shows them; the browser sends each of the 999 breaks as CR LF.
    lines = ["abc"] * 1000
    brief = "\r\n".join(lines)
    assert len(brief.replace("\r\n", "\n")) == 3999
    response = auth_client.post("/campaigns/new", data=form_values(name="Many lines", brief=brief + "x"))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    saved = Campaign.query.filter_by(name="Many lines").one()
    assert saved.brief == "\n".join(lines) + "x"


def limited_pages(campaign, post) -> dict[str, list[str]]:
    """The forms with text limits, and the ids of the limited fields each must show."""
    cid = campaign.id
    return {
        "/campaigns/new": ["name", "product", "audience", "goals", "brief"],
        f"/campaigns/{cid}/edit": ["name", "product", "audience", "goals", "brief"],
        f"/campaigns/{cid}/strategy/regenerate?phase_num=2": ["new-direction"],
        f"/campaigns/{cid}/strategy": ["chat-text"],
        f"/campaigns/{cid}/steps/competitors": ["competitors-known_competitors", "competitors-notes"],
        f"/campaigns/{cid}/triggers": ["trigger-direction"],
        f"/campaigns/{cid}/posts/{post.id}/variants/A/regenerate": ["feedback-A"],
        f"/campaigns/{cid}/posts/{post.id}/variants/A/edit": ["edit-A-headline", "edit-A-body", "edit-A-call_to_action",
                                                          "edit-A-hashtags"],
        "/settings": ["name"],
    }


def test_every_limited_field_has_maxlength_and_a_count_that_says_the_limit(auth_client, campaign):
    post = Post.query.filter_by(campaign_id=campaign.id).first()
    for url, expected in limited_pages(campaign, post).items():
        page = fields_of(auth_client, url)
        ids = [field.get("id") for field in page.fields]
        assert set(expected) <= set(ids), (url, ids)
        for field in page.fields:
            if field["tag"] == "textarea" or "maxlength" in field:
                assert field.get("maxlength"), (url, field)
                count = page.counts.get(field["id"])
                assert count, f"{url}: {field['id']} has no count under it"
                limit = int(field["maxlength"])
                assert count["data-limit"] == str(limit)
                assert count["text"] == f"Up to {limit:,} characters.", "without JavaScript the limit is written"
                assert f"{field['id']}-count" in field.get("aria-describedby", "").split()


@pytest.mark.parametrize("kind, field", [("regenerate", "regenerate-competitors-feedback"), ("edit", None)])
def test_the_steps_regenerate_and_edit_forms_count_too(auth_client, campaign, work, kind, field):
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate",
                     data={"known_competitors": "Floranext", "notes": "Price."})
    work()
    page = fields_of(auth_client, f"/campaigns/{campaign.id}/steps/competitors/{kind}")
    # A list written one item per line has its limit on each item, not on the whole text.
    counted = [found for found in page.fields if found.get("maxlength")]
    assert counted and (field is None or field in [found["id"] for found in counted])
    for found in counted:
        assert page.counts[found["id"]]["data-limit"] == found["maxlength"], found
