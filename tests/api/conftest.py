"""What the API's export and import tests share: a campaign with its strategy written."""
import pytest

from gtm.extensions import db

from tests.kit.exports import LAUNCH
from tests.kit.strategy import plan_and_write


@pytest.fixture
def written(api, campaign, work):
    """A campaign with a launch date, its competitor analysis, and strategy version 1 written; the nodes."""
    campaign.launch_date = LAUNCH
    db.session.commit()
    assert api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")[0] == 202
    work()
    return plan_and_write(api, campaign, work)
