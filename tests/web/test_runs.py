"""The run page: a run's progress, the text arriving from the model while it works, and its outcome; and
runs that lost their way to the queue (never handed over, or their job id not recorded) found again."""
import re

from markupsafe import escape
from datetime import timedelta

from gtm import broker
from gtm.extensions import db
from gtm.models import Post, Run
from gtm.services import runs, steps


def test_run_page_shows_live_text_as_whole_lines(auth_client, campaign, work):
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    run = Run.query.filter_by(subject="competitors").one()
    # Part of a JSON answer, as the model streams it: the page shows its values, one per line.
    broker.live_text.append(run.id, '{"summary": "Owners compare us with doing nothing.", '
                                    '"competitors": [{"name": "Flora')

    html = auth_client.get(f"/runs/{run.id}").get_data(as_text=True)
    preview = html.split('class="live-preview"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r"<p>(.*?)</p>", preview) == ["Owners compare us with doing nothing.", "Flora"], preview

    work()
    assert "live-preview" not in auth_client.get(f"/runs/{run.id}").get_data(as_text=True)


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
    run = steps.start_step(user.workspace_id, campaign.id, "competitors")
    run.job_id = None
    run.created_at -= timedelta(minutes=5)
    db.session.commit()
    assert runs.reconcile(run).status == "queued", "its job is in RQ under the id derived from the run"


def test_the_run_page_says_what_the_run_does_in_words(auth_client, api, campaign, work):
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    step_run = Run.query.filter_by(subject="competitors").one()
    work()
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.filter_by(campaign_id=campaign.id).order_by(Post.id).first()
    post_run = Run.query.filter_by(kind="post", subject=f"post:{post.id}").one()
    plan_run = Run.query.filter_by(kind="strategy").one()
    auth_client.post(f"/campaigns/{campaign.id}/posts/{post.id}/variants/B/regenerate", data={"feedback": "Shorter"})
    variant_run = Run.query.filter_by(kind="variant").one()
    expected = {
        step_run: "Generating the competitor analysis",
        plan_run: "Planning the strategy",
        post_run: f"Writing the post “{post.title}” (Phase 1, post 1 · ",
        variant_run: f"Rewriting variant B of “{post.title}” (Phase 1, post 1 · ",
    }
    for run, words in expected.items():
        html = auth_client.get(f"/runs/{run.id}").get_data(as_text=True)
        heading = re.search(r"<h1>(.*?)</h1>", html, re.S)[1]
        title = re.search(r"<title>(.*?)</title>", html, re.S)[1]
        assert heading.startswith(str(escape(words))), (words, heading)
        assert title.startswith(heading), (title, heading)
        # Not the queue's names for it: "Run 12: post · post:34".
        assert f"Run {run.id}" not in html and "post:" not in html and f"{run.kind} · " not in heading
