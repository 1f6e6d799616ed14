"""A campaign with its strategy written, quickly: one is planned and written once per test process and
exported, and each test imports that export as a campaign of its own, with the same phases, posts and edges.

These fixtures stand in for the `campaign` fixture in the modules that import them."""
import pytest

from gtm.services import campaigns as campaign_service, exports, imports

from .campaigns import CAMPAIGN


_WRITTEN = {}


@pytest.fixture
def campaign(user, api, work):
    """A campaign with a written strategy (version 1)."""
    if "export" not in _WRITTEN:
        planned = campaign_service.create_campaign(user.workspace_id, CAMPAIGN)
        assert api.post(f"/api/campaigns/{planned.id}/strategy")[0] == 202
        work()
        _WRITTEN["export"] = exports.export(user.workspace_id, planned.id, "json").data
    return imports.import_campaign(user.workspace_id, written_export())


def written_export():
    """The export every written campaign is imported from (made by the first `campaign` of the process)."""
    return _WRITTEN["export"]


@pytest.fixture
def planned(api, campaign):
    """The campaign's posts by phase, from /nodes."""
    status, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert status == 200
    return nodes
