"""One current version per step and per post variant, held by the database itself, and an older version made
current again under that rule."""
import pytest
from sqlalchemy.exc import IntegrityError

from gtm.extensions import db
from gtm.models import StepVersion, Variant
from gtm.services import steps
from gtm.services.steps import versions as step_versions


def test_the_database_holds_one_current_version_per_step_and_variant(campaign, api, work):
    step_versions.add_current(campaign.id, "competitors", content={"summary": "one"})
    db.session.commit()
    db.session.add(StepVersion(campaign_id=campaign.id, kind="competitors", number=2, content={}, is_current=True))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    variant = Variant.query.filter_by(label="A").first()
    db.session.add(Variant(post_id=variant.post_id, label="A", number=2, is_current=True, headline="h", body="b",
                           call_to_action="c", image_prompt="i"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_older_version_becomes_current_under_the_one_current_rule(campaign, user):
    for summary in ("one", "two", "three"):
        step_versions.add_current(campaign.id, "competitors", content={"summary": summary})
        db.session.commit()
    # v1 has the lowest id: marking it before unmarking v3 would break the unique index.
    steps.make_current(user.workspace_id, campaign.id, "competitors", 1)
    current = StepVersion.query.filter_by(campaign_id=campaign.id, is_current=True).all()
    assert [v.number for v in current] == [1]
    steps.make_current(user.workspace_id, campaign.id, "competitors", 3)
    assert [v.number for v in StepVersion.query.filter_by(is_current=True)] == [3]
