"""Post JSON carries `is_active` beside `version`: in the current version's nodes, in an older version's
nodes (its archived posts false, the posts it shares with the current version true), and in the answers
that return one post (a move on the calendar)."""
from datetime import date, timedelta

from gtm.models import Post

from tests.kit.strategy import plan_twice


def test_nodes_and_versions_say_whether_each_post_is_active(api, campaign, work):
    plan_twice(api, campaign, work)
    status, nodes = api.get(f"/api/campaigns/{campaign.id}/nodes")
    assert status == 200 and nodes["version"] == 2
    current = [post for phase in nodes["phases"] for post in phase["posts"]]
    assert current and all(post["is_active"] is True and post["version"] == 2 for post in current)

    status, old = api.get(f"/api/campaigns/{campaign.id}/versions/1")
    assert status == 200 and old["is_current"] is False
    archived = [post for phase in old["phases"] for post in phase["posts"]]
    assert archived and all(post["is_active"] is False and post["version"] == 1 for post in archived)
    assert {post["id"] for post in archived} == {str(p.id) for p in Post.query.filter_by(version=1)}

    post = current[0]
    day = (date.today() + timedelta(days=40)).isoformat()
    status, moved = api.post(f"/api/campaigns/{campaign.id}/posts/{post['id']}/move", json={"date": day})
    assert status == 200 and moved["is_active"] is True and moved["version"] == 2 and moved["date"] == day


def test_the_openapi_document_lists_is_active_on_posts(api):
    status, document = api.get("/api/openapi.json")
    assert status == 200
    schemas = document["components"]["schemas"]
    for name in ("Post", "MovedPost"):
        assert schemas[name]["properties"]["is_active"]["type"] == "boolean", name
        assert "is_active" in schemas[name]["required"], name
