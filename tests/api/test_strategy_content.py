"""Writing posts: one job per post, in parallel, idempotent, with a bounded context, media and retries;
regenerating a variant with feedback keeps the old one; a retried post settles its pipeline again."""
from pathlib import Path

import pytest
from sqlalchemy import select, update

from gtm import metrics
from gtm.extensions import db
from gtm.models import Post, Run, Variant
from gtm.services import accounts, runs

from tests.kit.clients import log_in
from tests.kit.fake_openai import Reply
from tests.kit.jobs import queue_length
from tests.kit.plans import schema_name, valid_plan
from tests.kit.statements import statements_of
from tests.kit.strategy import answer_plans_with


def _post_request(fake, title: str) -> dict:
    return next(r for r in fake.chat_requests if schema_name(r) == "PostContent"
                and f"Title: {title}\n" in r["messages"][1]["content"])


@pytest.mark.llm("openai")
def test_a_posts_call_carries_its_parents_and_siblings_and_not_unrelated_posts(api, campaign, work, fake_openai):
    answer_plans_with(fake_openai, valid_plan())
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    # In valid_plan, p3-1's parents are p2-1 (same slot) and p2-0 (the branch from slot 0).
    prompt = _post_request(fake_openai, "Title of p3-1")["messages"][1]["content"]
    assert "Title of p2-1: Brief of p2-1" in prompt and "Title of p2-0: Brief of p2-0" in prompt
    assert "Brief of p3-1" in prompt and "Goal of phase 3" in prompt and "Bloom is a CRM" in prompt
    for unrelated in ("p2-2", "p1-0", "p1-1", "p4-1"):
        assert f"Title of {unrelated}" not in prompt, unrelated
    # Its phase's siblings by title only (their angles are another test's), not their briefs.
    assert "- Title of p3-0\n" in prompt and "- Title of p3-2\n" in prompt and "Brief of p3-0" not in prompt
    # A first-phase post has no parents at all.
    first = _post_request(fake_openai, "Title of p1-0")["messages"][1]["content"]
    assert "It follows these posts" not in first
    # Every post got its own call, and each variant its own image.
    assert len([r for r in fake_openai.chat_requests if schema_name(r) == "PostContent"]) == 12
    assert len(fake_openai.image_requests) == 24


@pytest.mark.llm("openai")
def test_running_a_post_job_twice_keeps_its_variants(api, campaign, work, fake_openai, app):
    from jobs.strategy import write_post

    answer_plans_with(fake_openai, valid_plan())
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    child = Run.query.filter_by(kind="post").order_by(Run.id).first()
    post_id = child.params["post_id"]
    variants = {(v.id, v.label, v.number, v.media_path) for v in Variant.query.filter_by(post_id=post_id)}
    assert len(variants) == 2
    calls = len(fake_openai.requests)

    # As if the worker died after saving the variants, and RQ ran the job again.
    child.status, child.finished_at = "running", None
    db.session.commit()
    with app.app_context():
        write_post(child.id)
    db.session.expire_all()

    assert {(v.id, v.label, v.number, v.media_path) for v in Variant.query.filter_by(post_id=post_id)} == variants
    assert len(fake_openai.requests) == calls, "nothing already made is asked for again"
    assert db.session.get(Run, child.id).status == "succeeded"
    assert db.session.get(Post, post_id).status == "ready"
    assert Variant.query.count() == 2 * Post.query.count()


@pytest.mark.llm("openai")
def test_retrying_a_failed_post_rewrites_that_post_alone(htmx, api, campaign, work, fake_openai, app):
    plan = valid_plan(sizes=(2, 2, 2))
    failing = {"on": True}

    def responder(body):
        if schema_name(body) == "StrategyPlan":
            return Reply.json(plan)
        if failing["on"] and "Title: Title of p2-1\n" in body["messages"][1]["content"]:
            return Reply.text("this is not JSON")
        return None

    fake_openai.responder = responder
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    status, run = api.get(f"/api/runs/{body['run_id']}")
    assert run["status"] == "failed" and "1 of 6 posts could not be written" in run["error"]
    broken = Post.query.filter_by(key="p2-1").one()
    assert broken.status == "failed" and "not valid JSON" in broken.error
    assert Variant.query.filter_by(post_id=broken.id).count() == 0
    others = {v.id for v in Variant.query.all()}
    assert len(others) == 10

    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "not valid JSON" in board and f"/posts/{broken.id}/retry" in board
    assert "hx-trigger" not in board, "a failed post is finished: the board stops polling"

    failing["on"] = False
    before = len(fake_openai.chat_requests)
    response = htmx.post(f"/campaigns/{campaign.id}/posts/{broken.id}/retry")
    assert response.status_code == 200 and 'hx-trigger="every 1s"' in response.get_data(as_text=True)
    assert queue_length(app) == 1
    work()
    retried = fake_openai.chat_requests[before:]
    assert len(retried) == 1 and "Title: Title of p2-1\n" in retried[0]["messages"][1]["content"]
    db.session.expire_all()
    assert db.session.get(Post, broken.id).status == "ready"
    assert {v.id for v in Variant.query.filter(Variant.post_id != broken.id)} == others
    assert Variant.query.filter_by(post_id=broken.id).count() == 2
    retry_run = Run.query.filter_by(kind="post", subject=f"post:{broken.id}").order_by(Run.id.desc()).first()
    assert retry_run.status == "succeeded" and retry_run.parent_id == int(body["run_id"])

    # A post that is not failed cannot be retried; nothing is queued.
    response = htmx.post(f"/campaigns/{campaign.id}/posts/{broken.id}/retry")
    assert response.status_code == 409 and "Only a failed post can be retried" in response.get_data(as_text=True)
    assert queue_length(app) == 0


def test_each_variant_gets_an_image_served_only_to_its_workspace(auth_client, campaign, api, work, app):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    variant = Variant.query.first()
    assert variant.media_path == f"{campaign.workspace_id}/variant-{variant.id}.png"
    stored = Path(app.instance_path) / "media" / variant.media_path
    assert stored.read_bytes().startswith(b"\x89PNG")
    assert all(v.media_path for v in Variant.query.all())

    with auth_client.get(f"/media/variants/{variant.id}.png") as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.get_data() == stored.read_bytes()
    assert auth_client.get("/media/variants/99999.png").status_code == 404

    # Another workspace's member gets the same answer as for an image that does not exist.
    stranger = accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
    auth_client.post("/logout")
    log_in(auth_client, stranger.email)
    assert auth_client.get(f"/media/variants/{variant.id}.png").status_code == 404
    post = db.session.get(Post, variant.post_id)
    assert auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").status_code == 404


def test_regenerate_a_variant_with_feedback_keeps_the_old_one(htmx, api, campaign, work, app):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    base = f"/campaigns/{campaign.id}/posts/{post.id}/variants/B/regenerate"
    a_before = {(v.id, v.headline) for v in Variant.query.filter_by(post_id=post.id, label="A")}

    dialog = htmx.get(base).get_data(as_text=True)
    assert "<dialog" in dialog and 'for="feedback-B"' in dialog and "autofocus" in dialog
    assert "Up to 1,000 characters" in dialog

    for feedback, message in (("   ", "Say what should change"), ("z" * 1001, "at most 1,000 characters")):
        response = htmx.post(base, data={"feedback": feedback})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert Run.query.filter_by(kind="variant").count() == 0 and queue_length(app) == 0
    assert htmx.post(f"/campaigns/{campaign.id}/posts/{post.id}/variants/C/regenerate",
                     data={"feedback": "x"}).status_code == 404

    response = htmx.post(base, data={"feedback": "Make it more concise"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/campaigns/{campaign.id}/posts/{post.id}"
    busy = htmx.post(base, data={"feedback": "Again"})
    assert busy.status_code == 409 and "already being rewritten" in busy.get_data(as_text=True)
    assert Run.query.filter_by(kind="variant").count() == 1
    page = htmx.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    work()

    versions = Variant.query.filter_by(post_id=post.id, label="B").order_by(Variant.number).all()
    assert [(v.number, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[1].feedback == "Make it more concise" and versions[1].based_on == 1
    assert versions[1].media_path and versions[0].media_path and versions[1].media_path != versions[0].media_path
    assert {(v.id, v.headline) for v in Variant.query.filter_by(post_id=post.id, label="A")} == a_before

    page = htmx.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert "hx-trigger" not in page
    assert "v2 of 2" in page and "v1 of 1" in page and "Make it more concise" in page
    older = htmx.get(f"/campaigns/{campaign.id}/posts/{post.id}/variants/B?number=1").get_data(as_text=True)
    assert "v1 of 2" in older and "Older version" in older and "Newer version of variant B" in older

    # Without JavaScript: a plain page, a form post and a redirect.
    htmx.environ_base.pop("HTTP_HX_REQUEST")
    plain = htmx.get(base).get_data(as_text=True)
    assert "<html" in plain and "<dialog" not in plain and 'name="feedback"' in plain
    response = htmx.post(base, data={"feedback": "A warmer tone"})
    assert response.status_code == 303 and response.headers["Location"] == f"/campaigns/{campaign.id}/posts/{post.id}"
    full = htmx.get(f"/campaigns/{campaign.id}/posts/{post.id}?B=1").get_data(as_text=True)
    assert "v1 of 2" in full


def test_a_post_page_that_meets_the_end_of_a_rewrite_polls_again_or_shows_it(htmx, api, campaign, work, app):
    """A poll of the post page reads several rows; the rewrite's commits can land between any two of
    them. Whichever read they land before, the page must not stop polling without the new version."""
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    page = f"/campaigns/{campaign.id}/posts/{post.id}"
    rewrite = f"{page}/variants/A/regenerate"
    htmx.post(rewrite, data={"feedback": "Shorter"})
    with statements_of(app) as seen:
        htmx.get(page)
    work()
    for moment in range(len(seen) + 1):
        htmx.post(rewrite, data={"feedback": f"Shorter, take {moment}"})
        with statements_of(app, before=moment, run=work):
            html = htmx.get(page).get_data(as_text=True)
        work()
        count = Variant.query.filter_by(post_id=post.id, label="A").count()
        variant_a = html.split('id="variant-A"', 1)[1].split('id="variant-B"', 1)[0]
        assert 'hx-trigger="every 1s"' in html or f"v{count} of {count}" in variant_a, (moment, seen[moment:moment + 1])


@pytest.mark.llm("openai")
def test_a_retried_post_settles_its_pipeline_again(htmx, api, campaign, work, fake_openai):
    plan = valid_plan(sizes=(2, 2, 2))
    failing = {"on": True}

    def responder(body):
        if schema_name(body) == "StrategyPlan":
            return Reply.json(plan)
        if failing["on"] and "Title: Title of p1-1\n" in body["messages"][1]["content"]:
            return Reply.text("not JSON at all")
        return None

    fake_openai.responder = responder
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    pipeline = db.session.get(Run, int(body["run_id"]))
    assert pipeline.status == "failed" and (pipeline.done, pipeline.total) == (6, 6)
    assert "Some posts failed" in htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)

    failing["on"] = False
    broken = Post.query.filter_by(key="p1-1").one()
    assert htmx.post(f"/campaigns/{campaign.id}/posts/{broken.id}/retry").status_code == 200
    db.session.expire_all()
    pipeline = db.session.get(Run, int(body["run_id"]))
    assert pipeline.status == "running" and (pipeline.done, pipeline.total) == (5, 6), "at work again"
    work()

    status, run = api.get(f"/api/runs/{body['run_id']}")
    assert run["status"] == "succeeded" and run["error"] is None and run["progress"] == {"done": 6, "total": 6}
    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Some posts failed" not in board and "failed" not in board.split("Approve all")[0]


def finished(kind: str, outcome: str) -> float:
    """This process's count of runs finished, as /metrics reports it."""
    return metrics.REGISTRY.get_sample_value("gtm_runs_finished_total", {"kind": kind, "outcome": outcome}) or 0.0


@pytest.mark.llm("openai")
def test_a_page_that_read_the_posts_before_the_last_one_finished_leaves_the_finished_pipeline_alone(
        api, campaign, work, fake_openai):
    """A page reconciles a pipeline's posts, then settles it; the last post's worker finishes the post and the
    pipeline in between. The page must see that post finished, not put the pipeline back to work (and count it
    finished twice)."""
    answer_plans_with(fake_openai, valid_plan(sizes=(2, 2, 2)))
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    pipeline_id = int(body["run_id"])
    last = db.session.scalars(select(Run).where(Run.parent_id == pipeline_id).order_by(Run.id.desc())).first()
    finished_as = {column: getattr(last, column) for column in ("status", "finished_at", "message")}

    def elsewhere(**changes):  # another process's committed change, on its own connection
        with db.engine.begin() as connection:
            connection.execute(update(Run).where(Run.id == last.id).values(**changes))
            if changes["status"] == "succeeded":
                connection.execute(update(Run).where(Run.id == pipeline_id).values(
                    status="succeeded", active_key=None, finished_at=changes["finished_at"]))

    elsewhere(status="running", finished_at=None, message="Making the images…")
    with db.engine.begin() as connection:
        connection.execute(update(Run).where(Run.id == pipeline_id).values(status="running", finished_at=None))
    db.session.expire_all()
    seen = db.session.scalars(select(Run).where(Run.parent_id == pipeline_id)).all()
    assert [run.finished for run in seen].count(False) == 1, "the page saw the last post at work"
    elsewhere(**finished_as)
    counted = finished("strategy", "succeeded")

    runs.settle(pipeline_id)

    db.session.expire_all()
    pipeline = db.session.get(Run, pipeline_id)
    assert pipeline.status == "succeeded" and pipeline.finished_at is not None, "not back at work"
    assert (pipeline.done, pipeline.total) == (6, 6)
    assert finished("strategy", "succeeded") == counted


@pytest.mark.llm("openai")
def test_a_run_is_counted_finished_only_when_its_finish_is_saved(api, campaign, app):
    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    run = db.session.get(Run, int(body["run_id"]))
    failed = finished("strategy", "failed")

    runs.fail(run.id, "the model is away")
    assert finished("strategy", "failed") == failed + 1

    run.status, run.finished_at, run.active_key = "running", None, None
    db.session.commit()
    runs._finish(run, runs.RunStatus.failed, error="rolled back")
    db.session.rollback()
    assert db.session.get(Run, run.id).status == "running"
    assert finished("strategy", "failed") == failed + 1, "nothing was saved"
