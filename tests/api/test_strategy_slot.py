"""A pipeline frees the campaign's slot for strategy changes as soon as its last post is written, never later."""
from gtm.extensions import db
from gtm.models import Post, Run
from gtm.services import runs, strategy

from tests.kit.strategy import plan_and_write, regenerate


def _pipeline(campaign_id: int) -> Run:
    return Run.query.filter_by(campaign_id=campaign_id, kind="strategy").one()


def test_the_last_post_settles_its_pipeline_in_the_same_transaction(api, campaign, work):
    nodes = plan_and_write(api, campaign, work)
    post = db.session.get(Post, int(nodes["phases"][0]["posts"][0]["id"]))
    post.status, post.error = "failed", "The model API kept failing."
    db.session.commit()
    retry = strategy.retry_post(campaign.workspace_id, campaign.id, post.id)
    assert _pipeline(campaign.id).finished is False, "a retry puts its pipeline back to work"

    # The post's own work, without the job wrapper that settles the parent afterwards: what a page reads
    # between the post's commit and any later one.
    strategy.write_post(retry.id)
    db.session.expire_all()

    assert db.session.get(Post, post.id).status == "ready"
    pipeline = _pipeline(campaign.id)
    assert pipeline.status == "succeeded" and pipeline.active_key is None
    status, body = regenerate(api, campaign.id, 2)
    assert status == 202, body


def test_a_slot_left_by_a_pipeline_whose_posts_are_all_written_is_taken_back(api, campaign, work):
    plan_and_write(api, campaign, work)
    # As when a worker dies between a post's commit and its pipeline's: every post is ready, the
    # pipeline still says it is running and holds the slot.
    pipeline = _pipeline(campaign.id)
    pipeline.status, pipeline.finished_at = "running", None
    pipeline.active_key = runs.active_key(campaign.id, "strategy", "")
    db.session.commit()

    status, body = regenerate(api, campaign.id, 2)

    assert status == 202, body
    db.session.expire_all()
    assert _pipeline(campaign.id).status == "succeeded"


def test_a_pipeline_still_writing_keeps_the_slot(api, campaign, work):
    plan_and_write(api, campaign, work)
    post = Post.query.filter_by(campaign_id=campaign.id, is_active=True).first()
    post.status = "failed"
    db.session.commit()
    strategy.retry_post(campaign.workspace_id, campaign.id, post.id)  # queued, not yet written

    status, body = regenerate(api, campaign.id, 2)

    assert status == 409 and "in flight" in body["error"] + str(body.get("detail")), body
