"""Campaigns through the pages: the form, its limits, the list and the campaign page."""
import pytest

from gtm.models import Campaign

from tests.kit.campaigns import FORM


def test_create_campaign_through_the_form(auth_client):
    response = auth_client.post("/campaigns/new", data=FORM)
    assert response.status_code == 303
    campaign = Campaign.query.one()
    assert response.headers["Location"] == f"/campaigns/{campaign.id}"
    assert campaign.competitors == ["Floranext", "Spreadsheets"]
    assert campaign.channels == ["linkedin", "email"] and str(campaign.budget) == "12000.00"
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    for title in ("Competitor analysis", "Customer analysis", "Objectives", "Mechanics", "Cost estimate"):
        assert title in page
    assert "Offline model" in page
    assert "Bloom launch" in auth_client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Name is required"),
    ("product", "   ", "Product is required"),
    ("name", "n" * 121, "At most 120 characters"),
    ("product", "p" * 2001, "At most 2,000 characters"),
    ("brief", "b" * 4001, "At most 4,000 characters"),
    ("competitors", ", ".join(f"c{i}" for i in range(11)), "At most 10 competitors"),
    ("competitors", "x" * 81, "at most 80 characters"),
    ("budget", "lots", "as a number"),
    ("budget", "-5", "cannot be negative"),
    ("budget", "1e12", "at most 1,000,000,000"),
    ("budget", "NaN", "as a number"),
    ("currency", "EURO", "three-letter"),
    ("channels", ["linkedin", "myspace"], "Unknown channel myspace"),
])
def test_form_errors_appear_next_to_their_field_and_nothing_is_created(auth_client, field, value, message):
    response = auth_client.post("/campaigns/new", data={**FORM, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if field != "channels":
        assert f'id="{field}-error"' in page
    assert Campaign.query.count() == 0
    if field in ("name", "product", "brief") and value.strip():
        assert value[:50] in page, "the typed value stays in the form"


def test_form_states_its_limits(auth_client):
    page = auth_client.get("/campaigns/new").get_data(as_text=True)
    assert "Up to 120 characters" in page and "Up to 2,000 characters" in page and 'maxlength="4000"' in page


def test_the_launch_date_hint_matches_the_date_picker(auth_client):
    """The field is a date picker, which shows the reader's own date format: the hint names no other."""
    page = auth_client.get("/campaigns/new").get_data(as_text=True)
    field = page[page.index('id="launch_date"'):]
    field = field[:field.index("</div>")]
    assert 'type="date"' in page[page.index('id="launch_date"') - 200:page.index('id="launch_date"') + 200]
    assert "Pick it in the date field, or leave it empty." in field
    assert "YYYY" not in field and "MM" not in field


# --- Edited, archived and deleted ---------------------------------------------------------------------------

def test_the_edit_form_is_prefilled_and_saves_every_field(auth_client, campaign):
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.id}/edit"' in page
    form = auth_client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert "Owners of independent flower shops" in form and "Floranext, Spreadsheets" in form
    assert 'value="instagram" checked' in form and "<option selected>EUR</option>" in form
    changed = {"name": "Bloom spring launch", "product": "Bloom CRM", "audience": "Florists and cafés",
               "goals": "500 sign-ups", "competitors": "Floranext", "channels": ["x"], "budget": "9000.5",
               "currency": "usd", "launch_date": "2027-04-01", "brief": "Short."}
    response = auth_client.post(f"/campaigns/{campaign.id}/edit", data=changed)
    assert response.status_code == 303 and response.headers["Location"] == f"/campaigns/{campaign.id}"
    saved = Campaign.query.one()
    assert (saved.name, saved.product, saved.audience, saved.goals) == (
        "Bloom spring launch", "Bloom CRM", "Florists and cafés", "500 sign-ups")
    assert saved.competitors == ["Floranext"] and saved.channels == ["x"] and str(saved.budget) == "9000.50"
    assert saved.currency == "USD" and saved.launch_date.isoformat() == "2027-04-01" and saved.brief == "Short."


def test_an_edit_marks_the_written_steps_stale_and_says_why(auth_client, campaign):
    from gtm.extensions import db
    from gtm.services.steps import versions
    versions.add_current(campaign.id, "competitors", content={"summary": "x"}, context_versions={})
    db.session.commit()
    assert "is-stale" not in auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    form = auth_client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert "marks the steps" in form
    auth_client.post(f"/campaigns/{campaign.id}/edit", data={**FORM, "audience": "Wedding planners"})
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "is-stale" in page and "the campaign&#39;s details (edited since)" in page


def test_a_bad_edit_shows_the_field_and_changes_nothing(auth_client, campaign):
    response = auth_client.post(f"/campaigns/{campaign.id}/edit", data={**FORM, "name": "", "budget": "lots"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page and 'id="budget-error"' in page and "Nothing was saved" in page
    saved = Campaign.query.one()
    assert saved.name == "Bloom launch" and str(saved.budget) == "12000.00" and saved.details_changed_at is None


def test_archive_hides_the_campaign_until_show_archived(auth_client, campaign):
    response = auth_client.post(f"/campaigns/{campaign.id}/archive")
    assert response.status_code == 303
    listing = auth_client.get("/").get_data(as_text=True)
    assert "Bloom launch" not in listing and "Show archived campaigns" in listing
    assert "Bloom launch" in auth_client.get("/?archived=1").get_data(as_text=True)
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "hidden from the campaigns list" in page and "Unarchive" in page
    auth_client.post(f"/campaigns/{campaign.id}/unarchive")
    assert "Bloom launch" in auth_client.get("/").get_data(as_text=True)


def test_delete_names_what_it_removes_and_needs_the_name_typed(auth_client, campaign):
    page = auth_client.get(f"/campaigns/{campaign.id}/delete").get_data(as_text=True)
    for what in ("analysis step versions", "strategy versions", "posts", "days of results", "triggers", "alerts",
                 "chat messages", "runs"):
        assert what in page
    for typed in ("", "Bloom"):
        response = auth_client.post(f"/campaigns/{campaign.id}/delete", data={"confirm_name": typed})
        assert response.status_code == 422 and 'id="confirm_name-error"' in response.get_data(as_text=True)
        assert Campaign.query.count() == 1
    response = auth_client.post(f"/campaigns/{campaign.id}/delete", data={"confirm_name": "Bloom launch"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert Campaign.query.count() == 0


def test_another_workspace_cannot_edit_archive_or_delete(client, campaign):
    from gtm.services import accounts
    from tests.kit.clients import PASSWORD, log_in
    rival = accounts.sign_up("rival@example.com", PASSWORD)
    log_in(client, rival.email)
    for path in ("edit", "archive", "delete"):
        assert client.post(f"/campaigns/{campaign.id}/{path}", data={**FORM, "confirm_name": "Bloom launch"}
                           ).status_code == 404
    assert Campaign.query.one().archived_at is None and Campaign.query.one().name == "Bloom launch"


def test_the_list_shows_each_campaigns_open_alerts_and_last_change(auth_client, campaign, user):
    from datetime import datetime, timedelta, timezone

    from gtm.extensions import db
    from gtm.models import Alert
    from gtm.services import campaigns as campaign_service
    quiet = campaign_service.create_campaign(user.workspace_id, {**FORM, "name": "Quiet launch"})
    long_ago = datetime.now(timezone.utc) - timedelta(days=3)
    quiet.created_at = campaign.created_at = long_ago
    db.session.add_all([Alert(campaign_id=campaign.id, fingerprint=f"f{n}", evidence={}, action={},
                              dismissed_at=long_ago if n == 2 else None) for n in range(3)])
    db.session.commit()
    listing = auth_client.get("/").get_data(as_text=True)
    bloom, quiet_part = listing.split("Bloom launch", 1)[1], listing.split("Quiet launch", 1)[1]
    assert "2 open alerts" in bloom.split("</li>")[0] and "Last change just now: alert raised" in bloom.split("</li>")[0]
    assert "open alert" not in quiet_part.split("</li>")[0]
    assert f"Last change {long_ago:%d %b %Y}: created" in quiet_part.split("</li>")[0]
