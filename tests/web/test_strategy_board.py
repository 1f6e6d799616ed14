"""The strategy board, the graph and approval: polling that stops, the nodes JSON, approve-all,
the SVG and its Mermaid text, well-formed pages, archived posts that stay read-only, and a graph page that
reads posts only."""
import re

import pytest
from sqlalchemy import event

from gtm.extensions import db
from gtm.models import Edge, Post, Run

from tests.kit.jobs import queue_length
from tests.kit.pages import check_page, crawl
from tests.kit.plans import valid_plan
from tests.kit.strategy import answer_plans_with, plan_twice


def test_board_polls_while_posts_are_unfinished_and_then_stops(htmx, api, campaign, work):
    board_url = f"/campaigns/{campaign.id}/strategy"
    assert "hx-trigger" not in htmx.get(board_url).get_data(as_text=True), "nothing to wait for yet"
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    waiting = htmx.get(board_url).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in waiting and "<progress" in waiting
    summary = htmx.get(f"/campaigns/{campaign.id}/strategy/summary").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in summary

    work()
    finished = htmx.get(board_url)
    page = finished.get_data(as_text=True)
    assert finished.status_code == 200 and "HX-Request" in finished.headers["Vary"]
    assert "<html" not in page, "htmx gets the fragment"
    assert "hx-trigger" not in page and "<progress" not in page
    assert page.count('class="post-card status-ready') == Post.query.count() == 12
    assert "Phase 1 · Tease" in page and "Approve all" in page
    summary = htmx.get(f"/campaigns/{campaign.id}/strategy/summary").get_data(as_text=True)
    assert "hx-trigger" not in summary and "12 posts" in summary and "12 ready" in summary


def test_the_plan_form_waits_while_a_strategy_is_being_written(htmx, api, campaign, work):
    board_url = f"/campaigns/{campaign.id}/strategy"
    assert 'name="direction"' in htmx.get(board_url).get_data(as_text=True)
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    waiting = htmx.get(board_url).get_data(as_text=True)
    assert 'name="direction"' not in waiting and "still writing this strategy" in waiting
    work()
    finished = htmx.get(board_url).get_data(as_text=True)
    assert 'name="direction"' in finished and "Plan a new version" in finished and "hx-trigger" not in finished


def test_board_polls_only_for_active_posts(htmx, api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "A short one"})
    work()
    # An old version's post left unfinished does not keep the board polling.
    old = Post.query.filter_by(version=1).first()
    old.status = "writing"
    db.session.commit()
    page = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "hx-trigger" not in page, page[:3000]
    assert f'id="post-card-{old.id}"' not in page


def test_progress_counts_posts(htmx, api, campaign, work, app):
    from jobs.strategy import plan_strategy

    status, body = api.post(f"/api/campaigns/{campaign.id}/strategy")
    # Run only the planning job, as the first worker to pick it up would.
    with app.app_context():
        plan_strategy(int(body["run_id"]))
    db.session.expire_all()
    run = db.session.get(Run, int(body["run_id"]))
    assert run.status == "running" and (run.done, run.total) == (0, 12)
    page = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert "Writing post 1 of 12…" in page and 'max="12"' in page
    assert page.count("status-planned") == 12
    status, shown = api.get(f"/api/runs/{body['run_id']}")
    assert shown["status"] == "running", "a planned pipeline waits for its posts, it is not lost"
    work()
    status, shown = api.get(f"/api/runs/{body['run_id']}")
    assert shown["status"] == "succeeded" and shown["progress"] == {"done": 12, "total": 12}


def test_nodes_json_has_the_contract_shape(api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    status, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert status == 200
    assert set(nodes) == {"version", "phases", "edges"} and nodes["version"] == 1
    ids = set()
    for number, phase in enumerate(nodes["phases"], start=1):
        assert set(phase) == {"number", "name", "goal", "posts"} and phase["number"] == number
        for post in phase["posts"]:
            assert set(post) == {"id", "key", "title", "channel", "angle", "brief", "day", "status", "approved",
                                 "approval_note", "review", "version", "is_active"}
            assert isinstance(post["id"], str) and post["status"] == "ready" and post["approved"] is False
            assert post["version"] == 1 and isinstance(post["day"], int) and post["channel"] in campaign.channels
            ids.add(post["id"])
    assert len(ids) == 12
    assert nodes["edges"] and all(set(e) == {"from", "to"} for e in nodes["edges"])
    assert all(e["from"] in ids and e["to"] in ids for e in nodes["edges"])
    assert len(nodes["edges"]) == Edge.query.count()


def test_nodes_json_without_a_strategy(api, campaign):
    assert api.get(f"/api/campaigns/{campaign.id}/nodes") == (200, {"version": None, "phases": [], "edges": []})


def test_approve_all_counts_active_posts_only(htmx, api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": "Make it short"})
    work()
    active = Post.query.filter_by(is_active=True).count()
    assert 0 < active < Post.query.count()
    status, body = api.post(f"/api/campaigns/{campaign.id}/approve-all")
    assert status == 200 and body == {"approved": active}
    assert Post.query.filter_by(approved=True).count() == active
    assert Post.query.filter_by(is_active=False, approved=True).count() == 0

    board = htmx.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert board.count("✓ Approved") == active and "Approve all" not in board
    graph = htmx.get(f"/campaigns/{campaign.id}/strategy/graph").get_data(as_text=True)
    assert len(re.findall(r'class="node status-ready approved"', graph)) == active
    mermaid = htmx.get(f"/campaigns/{campaign.id}/strategy/graph.mmd").get_data(as_text=True)
    assert "classDef approved" in mermaid and mermaid.count("✓") == active


def test_approve_and_unapprove_one_post(htmx, api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    url = f"/campaigns/{campaign.id}/posts/{post.id}/approve"
    page = htmx.post(url, data={"approved": "1"}).get_data(as_text=True)
    assert "✓ Approved" in page and "Unapprove" in page
    assert db.session.get(Post, post.id).approved
    htmx.post(url, data={"approved": "0"})
    db.session.expire_all()
    assert not db.session.get(Post, post.id).approved

    # A post that is not written yet cannot be approved.
    post.status = "writing"
    db.session.commit()
    response = htmx.post(url, data={"approved": "1"})
    assert response.status_code == 409 and "Only a written post can be approved" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Post, post.id).approved


def test_graph_svg_and_mermaid_download(htmx, api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    htmx.environ_base.pop("HTTP_HX_REQUEST")
    page = htmx.get(f"/campaigns/{campaign.id}/strategy/graph").get_data(as_text=True)
    svg = page[page.index("<svg"):page.index("</svg>")]
    edges = Edge.query.count()
    assert svg.count('class="edge"') == edges and svg.count('<g class="node') == 12
    assert svg.count('class="phase-label"') == 4 and "Phase 1 · Tease" in svg
    # Phases run left to right: every edge goes rightwards.
    for match in re.finditer(r'd="M(\d+),\d+ C[^"]* (\d+),\d+"', svg):
        assert int(match.group(2)) > int(match.group(1))
    # Branches and merges are visible: some post has two edges out, some post two edges in.
    sources = re.findall(r'data-from="(\d+)"', svg)
    targets = re.findall(r'data-to="(\d+)"', svg)
    assert max(sources.count(s) for s in sources) >= 2 and max(targets.count(t) for t in targets) >= 2
    assert 'id="copy-mermaid"' in page and 'for="mermaid-text"' in page

    response = htmx.get(f"/campaigns/{campaign.id}/strategy/graph.mmd")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == f'attachment; filename="campaign-{campaign.id}-strategy-v1.mmd"'
    text = response.get_data(as_text=True)
    assert text.startswith("flowchart LR\n") and text.count("subgraph phase") == 4 and text.count(" --> ") == edges
    assert text.count("end\n") == 4


@pytest.mark.llm("openai")
def test_llm_text_is_escaped(htmx, api, campaign, work, fake_openai):
    title = '<script>alert("x")</script> "Quoted"'
    answer_plans_with(fake_openai, valid_plan(titles={"p1-0": title}))
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    htmx.environ_base.pop("HTTP_HX_REQUEST")
    for url in (f"/campaigns/{campaign.id}/strategy", f"/campaigns/{campaign.id}/strategy/graph"):
        page = htmx.get(url).get_data(as_text=True)
        assert '<script>alert("x")</script>' not in page and "&lt;script&gt;" in page
    mermaid = htmx.get(f"/campaigns/{campaign.id}/strategy/graph.mmd").get_data(as_text=True)
    assert "#lt;script#gt;alert(#quot;x#quot;)" in mermaid


def test_strategy_pages_are_well_formed(auth_client, api, campaign, work):
    api.post(f"/api/campaigns/{campaign.id}/strategy")
    work()
    post = Post.query.order_by(Post.id).first()
    auth_client.post(f"/campaigns/{campaign.id}/posts/{post.id}/variants/A/regenerate", data={"feedback": "Shorter"})
    work()
    visited = crawl(auth_client, start=f"/campaigns/{campaign.id}/strategy")
    for expected in (f"/campaigns/{campaign.id}/strategy/graph", f"/campaigns/{campaign.id}/posts/{post.id}",
                     f"/campaigns/{campaign.id}/posts/{post.id}/variants/B/regenerate",
                     f"/campaigns/{campaign.id}/posts/{post.id}?A=1"):
        assert expected in visited, expected
    check_page("campaign", auth_client.get(f"/campaigns/{campaign.id}"))


def test_openapi_describes_the_strategy(api):
    status, document = api.get("/api/openapi.json")
    paths = document["paths"]
    assert paths["/api/campaigns/{id}/strategy"]["post"]["responses"]["202"]
    assert paths["/api/campaigns/{id}/nodes"]["get"]
    assert paths["/api/campaigns/{id}/approve-all"]["post"]
    assert paths["/api/campaigns/{id}/versions"]["get"]
    schemas = document["components"]["schemas"]
    assert schemas["PlanStrategy"]["properties"]["direction"]["maxLength"] == 1000
    assert set(schemas["Post"]["required"]) == {"id", "key", "title", "channel", "angle", "brief", "day", "status",
                                                "approved", "approval_note", "review", "version", "is_active"}


@pytest.mark.parametrize("path", ["strategy", "strategy/graph", "strategy/graph.mmd", "posts/99999",
                                  "posts/99999/variants/A", "posts/99999/variants/A/regenerate"])
def test_unknown_ids_are_not_found(auth_client, campaign, path):
    assert auth_client.get(f"/campaigns/99999/{path}").status_code == 404
    if path.startswith("posts"):
        assert auth_client.get(f"/campaigns/{campaign.id}/{path}").status_code == 404


@pytest.mark.parametrize("status, done, total, moving", [
    ("queued", 0, 3, True), ("running", 0, 1, True), ("running", 0, 3, False), ("running", 4, 12, False),
])
def test_progress_moves_when_there_is_nothing_to_count(app, status, done, total, moving):
    from types import SimpleNamespace

    from flask import render_template

    run = SimpleNamespace(status=status, done=done, total=total, message="Planning phases and posts…", seconds=2)
    with app.test_request_context():
        html = render_template("runs/_progress.html", run=run, live=[])
    assert ("<progress max=" not in html) is moving
    assert "Planning phases and posts…" in html


def test_archived_posts_are_read_only_on_pages_and_in_the_api(htmx, api, campaign, work, app):
    old = plan_twice(api, campaign, work)
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
