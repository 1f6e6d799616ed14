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
