"""A campaign with its strategy written, quickly: one is planned and written once per test process and
exported, and each test imports that export as a campaign of its own, with the same phases, posts and edges.

These fixtures stand in for the `campaign` fixture in the modules that import them. There is one export per
model (offline, or the fake OpenAI server's default answers), as their plans differ: a test gets the campaign its
own model would have written, whichever test of the process came first."""
import pytest

from gtm.services import campaigns as campaign_service, exports, imports

from .campaigns import CAMPAIGN


_WRITTEN: dict[str, bytes] = {}


@pytest.fixture
def campaign(app, user, api, work, fake_openai):
    """A campaign with a written strategy (version 1)."""
    model = app.config["GTM_LLM"]
    if model not in _WRITTEN:
        planned = campaign_service.create_campaign(user.workspace_id, CAMPAIGN)
        assert api.post(f"/api/campaigns/{planned.id}/strategy")[0] == 202
        work()
        _WRITTEN[model] = exports.export(user.workspace_id, planned.id, "json").data
        fake_openai.forget_requests()  # the test sees only its own requests
    return imports.import_campaign(user.workspace_id, written_export())


def written_export():
    """The export this test's written campaign is imported from (made by the process's first test on its model)."""
    from flask import current_app

    return _WRITTEN[current_app.config["GTM_LLM"]]


@pytest.fixture
def planned(api, campaign):
    """The campaign's posts by phase, from /nodes."""
    status, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert status == 200
    return nodes
