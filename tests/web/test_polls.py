"""Cheap polls: a polling board sends the state it shows and gets 204 while that is still the state; anything
it shows that changes (a post's status, an approval, new numbers, a run's progress, streamed text) makes it
render again; a dead worker is still noticed; and an unchanged poll costs the same statements whatever the
number of posts and versions (bench/poll.py measures its time)."""
import re
import time
from datetime import timedelta

import pytest

from bench.poll import PASSWORD as BENCH_PASSWORD, seed, statements_per_poll
from gtm import broker
from gtm.extensions import db
from gtm.models import Post, Run
from gtm.models._base import utcnow
from gtm.services import accounts, results, runs
from gtm.services.strategy import polls

from tests.kit.clients import log_in

HX = {"HX-Request": "true"}


@pytest.fixture
def board(user):
    """A 12-post board with one post still being written, so it polls."""
    return seed(user.workspace_id, 12)


def shown_state(client, campaign_id: int) -> str:
    text = client.get(f"/campaigns/{campaign_id}/strategy", headers=HX).get_data(as_text=True)
    return re.search(r'hx-get="/campaigns/\d+/strategy\?state=([0-9a-f]+)"', text).group(1)


def poll(client, campaign_id: int, state: str):
    return client.get(f"/campaigns/{campaign_id}/strategy?state={state}", headers=HX)


def writing_post(campaign_id: int) -> Post:
    return Post.query.filter_by(campaign_id=campaign_id, status="writing").one()


def test_an_unchanged_poll_answers_204_and_a_change_renders_again(auth_client, board):
    state = shown_state(auth_client, board.id)
    response = poll(auth_client, board.id, state)
    assert response.status_code == 204 and response.get_data() == b""
    assert "HX-Request" in response.headers["Vary"]

    post = writing_post(board.id)
    post.status = "ready"
    db.session.commit()
    response = poll(auth_client, board.id, state)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f'id="post-card-{post.id}" class="post-card status-ready' in text
    # Nothing on the board is unfinished now: it stops polling.
    assert "?state=" not in text


@pytest.mark.parametrize("change", ["approve", "metrics", "new post", "progress", "streamed text"])
def test_each_thing_the_board_shows_changes_its_state(auth_client, board, change):
    state = shown_state(auth_client, board.id)
    post = Post.query.filter_by(campaign_id=board.id, status="ready").first()
    if change == "approve":
        post.approved = True
    elif change == "metrics":
        results.record_metrics(board.workspace_id, board.id, [{"post_id": post.id, "variant": "A", "date": "2026-01-05",
                                                        "impressions": 100, "clicks": 3}])
    elif change == "new post":
        post.is_active = False
    else:
        run = runs.add(workspace_id=board.workspace_id, campaign_id=board.id, kind="strategy", total=12)
        run.status, run.started_at = "running", utcnow()
        db.session.commit()
        state = shown_state(auth_client, board.id)
        assert poll(auth_client, board.id, state).status_code == 204
        if change == "progress":
            run.done = 3
        else:
            broker.live_text.append(run.id, '{"headline": "Spring is')
    db.session.commit()
    assert poll(auth_client, board.id, state).status_code == 200


def test_a_poll_still_notices_a_dead_worker(auth_client, board, app):
    state = shown_state(auth_client, board.id)
    post = writing_post(board.id)
    run = runs.add(workspace_id=board.workspace_id, campaign_id=board.id, kind="post", subject=f"post:{post.id}")
    run.status, run.started_at = "running", utcnow()
    run.created_at = utcnow() - timedelta(minutes=5)  # its job is gone, and long past the grace period
    db.session.commit()
    # Polls reconcile with the queue at most every few seconds per campaign: until then nothing shows...
    polls._last_reconcile[board.id] = time.monotonic()
    assert poll(auth_client, board.id, state).status_code == 204
    # ...and once it is due, the poll finds the worker gone.
    polls._last_reconcile.pop(board.id)
    response = poll(auth_client, board.id, state)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Run, run.id).status == "failed"
    assert f'id="post-card-{post.id}" class="post-card status-failed' in response.get_data(as_text=True)


def test_a_poll_without_state_or_htmx_renders_and_another_workspace_gets_404(auth_client, board, client):
    state = shown_state(auth_client, board.id)
    assert auth_client.get(f"/campaigns/{board.id}/strategy", headers=HX).status_code == 200
    full = auth_client.get(f"/campaigns/{board.id}/strategy?state={state}")
    assert full.status_code == 200 and "<!doctype html>" in full.get_data(as_text=True)
    assert poll(auth_client, board.id, "not-a-state").status_code == 200

    accounts.sign_up("stranger@example.com", BENCH_PASSWORD)
    log_in(client, "stranger@example.com", BENCH_PASSWORD)
    assert poll(client, board.id, state).status_code == 404


def test_the_summary_on_the_campaign_page_polls_the_same_way(auth_client, board):
    text = auth_client.get(f"/campaigns/{board.id}/strategy/summary", headers=HX).get_data(as_text=True)
    state = re.search(r'hx-get="/campaigns/\d+/strategy/summary\?state=([0-9a-f]+)"', text).group(1)
    url = f"/campaigns/{board.id}/strategy/summary?state={state}"
    assert auth_client.get(url, headers=HX).status_code == 204
    writing_post(board.id).status = "failed"
    db.session.commit()
    assert auth_client.get(url, headers=HX).status_code == 200


def test_an_unchanged_poll_costs_the_same_statements_for_10_or_60_posts_and_0_or_20_versions(app, user, auth_client):
    counts = {(posts, versions): statements_per_poll(app, auth_client, seed(user.workspace_id, posts, versions).id)
              for posts in (10, 60) for versions in (0, 20)}
    # At most the user's row, then one statement for the whole state.
    assert len(set(counts.values())) == 1 and max(counts.values()) <= 2, counts


def test_other_polling_fragments_answer_204_while_what_they_show_is_unchanged(auth_client, user, board):
    """The run page, a post being written and a step card: their state is a digest of what they show."""
    run = runs.add(workspace_id=user.workspace_id, campaign_id=board.id, kind="step", subject="competitors", total=3)
    run.status, run.started_at, run.message = "running", utcnow(), "Reading the market…"
    db.session.commit()
    post = writing_post(board.id)
    states = {}
    for url in (f"/runs/{run.id}", f"/campaigns/{board.id}/posts/{post.id}"):
        text = auth_client.get(url, headers=HX).get_data(as_text=True)
        states[url] = re.search(r'hx-get="[^"]*[?&]state=([0-9a-f]+)"', text).group(1)
        assert auth_client.get(f"{url}?state={states[url]}", headers=HX).status_code == 204, url
    run.done, run.message = 1, "Comparing Floranext…"
    db.session.commit()
    response = auth_client.get(f"/runs/{run.id}?state={states[f'/runs/{run.id}']}", headers=HX)
    assert response.status_code == 200 and "Comparing Floranext…" in response.get_data(as_text=True)


def test_a_section_that_refreshes_on_events_answers_204_when_unchanged(auth_client, board):
    """The triggers section refreshes itself when metrics arrive; with no change to show, nothing is swapped.
    It holds forms, whose CSRF tokens are left out of the digest (they are signed anew each second)."""
    url = f"/campaigns/{board.id}/triggers"
    text = auth_client.get(url, headers=HX).get_data(as_text=True)
    assert 'name="csrf_token"' in text
    state = re.search(r'hx-get="[^"]*[?&]state=([0-9a-f]+)"', text).group(1)
    assert auth_client.get(f"{url}?state={state}", headers=HX).status_code == 204
