"""The campaign most tests work on, as fields, as the new-campaign form posts them, and as a fixture."""
import pytest

from gtm.services import campaigns

CAMPAIGN = {
    "name": "Bloom launch",
    "product": "Bloom is a CRM for independent florists. It tracks orders, deliveries and repeat customers.",
    "audience": "Owners of independent flower shops",
    "goals": "300 paid sign-ups in the first 90 days",
    "competitors": ["Floranext", "Spreadsheets"],
    "channels": ["linkedin", "email", "instagram"],
    "budget": "12000",
    "currency": "EUR",
    "brief": "Launch at the spring trade fair. Warm, practical tone.",
}
CHANNELS = CAMPAIGN["channels"]
# The new-campaign form's fields, filled in as a person would.
FORM = {**CAMPAIGN, "competitors": "Floranext, Spreadsheets", "channels": ["linkedin", "email"]}


@pytest.fixture
def campaign(user):
    return campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN))
