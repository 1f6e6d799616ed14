"""Regression tests for defects a new user hit: archived posts are read-only, a retried post settles its
pipeline again, one current row is held by the database, runs without a job id are reconciled, API
reads do not write, and every generated row records who wrote it."""
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from gtm.extensions import db
from gtm.models import ApiToken, Post, Run, StepVersion, Variant
from gtm.services import runs, steps
from gtm.services.steps import versions as step_versions

from tests.kit.fake_openai import Reply
from tests.kit.jobs import queue_length
from tests.kit.plans import schema_name, valid_plan
from tests.kit.strategy import answer_plans_with


def _plan_twice(api, campaign, work) -> Post:
    """Plan version 1, write it, then plan version 2; return a post of version 1 (now archived)."""
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "A second plan"})
    work()
    old = Post.query.filter_by(version=1).order_by(Post.id).first()
    assert not old.is_active and old.status == "ready"
    return old


def test_archived_posts_are_read_only_on_pages_and_in_the_api(htmx, api, campaign, work, app):
    old = _plan_twice(api, campaign, work)
    base = f"/campaigns/{campaign.id}/posts/{old.id}"
    runs_before = Run.query.count()
    approved_before = old.approved

    dialog = htmx.get(f"{base}/variants/A/regenerate")
    assert dialog.status_code == 409 and "archived strategy version (v1)" in dialog.get_data(as_text=True)
    for path, data in ((f"{base}/variants/A/regenerate", {"feedback": "Shorter"}),
                       (f"{base}/approve", {"approved": "1"}),
                       (f"{base}/approve", {"approved": "0"})):
        response = htmx.post(path, data=data)
        assert response.status_code == 409, path
        assert "read-only" in response.get_data(as_text=True)

    old.status, old.error = "failed", "It broke"
    db.session.commit()
    response = htmx.post(f"{base}/retry", data={"back": "post"})
    assert response.status_code == 409 and "read-only" in response.get_data(as_text=True)

    db.session.expire_all()
    assert Run.query.count() == runs_before and queue_length(app) == 0
    assert db.session.get(Post, old.id).approved == approved_before
    page = htmx.get(base).get_data(as_text=True)
    assert "Archived · read-only" in page
    assert "/retry" not in page and "/approve" not in page and "/regenerate" not in page

    status, body = api.post(f"/api/campaigns/{campaign.id}/approve-all")
    assert status == 200
    db.session.expire_all()
    assert not db.session.get(Post, old.id).approved, "approve-all leaves archived posts alone"


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


def test_a_run_that_never_reached_the_queue_fails_and_can_be_retried(htmx, api, campaign, work, app):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    post.status = "planned"
    # A post run created while Redis was away: no job id, nothing in RQ.
    stray = runs.add(workspace_id=campaign.workspace_id, campaign_id=campaign.id, kind="post",
                     subject=f"post:{post.id}", params={"post_id": post.id})
    db.session.commit()
    assert stray.job_id is None
    assert runs.reconcile(stray).status == "queued", "within its grace it may still be handed over"
    stray.created_at -= timedelta(minutes=5)
    db.session.commit()

    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Run, stray.id).status == "failed"
    assert db.session.get(Post, post.id).status == "failed" and "Retry" in board
    response = htmx.post(f"/campaigns/{campaign.id}/posts/{post.id}/retry")
    assert response.status_code == 200, "the lost run no longer holds the post's slot"
    work()
    db.session.expire_all()
    assert db.session.get(Post, post.id).status == "ready"


def test_a_run_whose_job_id_was_not_recorded_is_found_by_its_run_id(campaign, user, app):
    run = steps.start(user.workspace_id, campaign.id, "competitors")
    run.job_id = None
    run.created_at -= timedelta(minutes=5)
    db.session.commit()
    assert runs.reconcile(run).status == "queued", "its job is in RQ under the id derived from the run"


def test_api_reads_do_not_write_to_the_database(api, campaign, token, app):
    writes = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    assert api.get(f"/api/campaigns/{campaign.id}")[0] == 200
    first = db.session.scalar(db.select(ApiToken.last_used_at))
    assert first is not None
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert api.get(f"/api/campaigns/{campaign.id}")[0] == 200
            assert api.get(f"/api/campaigns/{campaign.id}/nodes")[0] == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert writes == []

    db.session.execute(db.update(ApiToken).values(last_used_at=first - timedelta(minutes=2)))
    db.session.commit()
    api.get(f"/api/campaigns/{campaign.id}")
    db.session.expire_all()
    assert db.session.scalar(db.select(ApiToken.last_used_at)) > first - timedelta(minutes=2), "noted again"


def test_the_graph_page_does_not_reconcile_the_board(auth_client, campaign, api, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert auth_client.get(f"/campaigns/{campaign.id}/strategy/graph").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements and not any("FROM run" in s for s in statements), "the graph reads posts, not runs"


@pytest.mark.llm("openai")
def test_step_versions_and_variants_record_who_wrote_them(api, campaign, work, fake_openai):
    status, body = api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    work()
    version = StepVersion.query.one()
    run = db.session.get(Run, int(body["run_id"]))
    assert (version.provider, version.model) == ("openai", "fake-model")
    assert (version.tokens_in, version.tokens_out) == (run.tokens_in, run.tokens_out) and version.tokens_in > 0
    status, step = api.get(f"/api/campaigns/{campaign.id}/steps/competitors")
    assert step["versions"][0]["provider"] == "openai" and step["versions"][0]["tokens"]["in"] == run.tokens_in

    answer_plans_with(fake_openai, valid_plan())
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    a, b = (Variant.query.filter_by(post_id=post.id, label=label).one() for label in "AB")
    post_run = Run.query.filter_by(kind="post", subject=f"post:{post.id}").one()
    assert {a.provider, b.provider} == {"openai"} and {a.model, b.model} == {"fake-model"}
    assert a.tokens_in + b.tokens_in == post_run.tokens_in > 0
    assert a.tokens_out + b.tokens_out == post_run.tokens_out


@pytest.mark.llm("openai")
def test_offline_drafts_keep_their_badge_after_a_key_is_set(auth_client, campaign, api, work):
    # Written earlier by the offline model; the app now runs on a real provider (the fake server).
    step_versions.add_current(campaign.id, "competitors", content={"summary": "Drafted offline", "competitors": []},
                              provider="offline", model="offline")
    db.session.commit()
    card = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    assert "Offline draft" in card

    api.post(f"/api/campaigns/{campaign.id}/steps/competitors/generate")
    work()
    card = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    assert "v2 of 2" in card and "Offline draft" not in card and "fake-model" in card
    older = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors?v=1").get_data(as_text=True)
    assert "Offline draft" in older


def test_offline_variants_carry_the_badge(auth_client, campaign, api, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    assert page.count("Offline draft") == 2


def test_version_numbers_in_other_scripts_name_no_version(auth_client, campaign):
    # "²" and "٣" are digits to str.isdigit() but not to int(): they name nothing, as any other text.
    for raw in ("²", "٣", "1²"):
        response = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors?v={raw}")
        assert response.status_code == 404, raw


def test_an_edit_form_field_numbered_in_another_script_is_ignored(auth_client, campaign, work, user):
    steps.start(user.workspace_id, campaign.id, "competitors")
    work()
    form = {"summary": "Edited", "competitors.².name": "Ghost"}
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/edit", data=form)
    assert response.status_code in (303, 422), response.status_code
    assert "Ghost" not in str([v.content for v in StepVersion.query.all()])


def test_each_plan_records_its_members(api, campaign, work):
    from gtm.services.strategy.lookups import member_posts

    _plan_twice(api, campaign, work)
    for version in (1, 2):
        members = member_posts(campaign.id, version)
        assert members and [p.id for p in members] == [p.id for p in Post.query.filter_by(version=version)
                                                        .order_by(Post.phase, Post.id)]
    assert {p.is_active for p in member_posts(campaign.id, 2)} == {True}
