"""Posts are named for people: "Phase 2, post 3 · Instagram", never by their key (p2-c) or a channel's key,
on the post page and in the progress of a plan as it streams; the post page's trail names the campaign."""
import json
import re

from markupsafe import escape

from gtm import broker
from gtm.models import Post, Run

from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

KEY = re.compile(r"\b[pr]\d+-[a-z]+\b")


def test_the_post_page_names_the_post_by_phase_number_and_channel(auth_client, campaign):
    post = Post.query.filter_by(campaign_id=campaign.id, key="p2-c").one()
    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    channel = {"linkedin": "LinkedIn", "email": "Email", "instagram": "Instagram", "x": "X (Twitter)"}[post.channel]
    assert f"Phase 2, post 3 · {escape(channel)}" in page
    assert not KEY.findall(page), "no post key on the page"
    assert "<dt>Key</dt>" not in page


def test_the_post_pages_trail_names_the_campaign(auth_client, campaign):
    post = Post.query.filter_by(campaign_id=campaign.id, key="p1-a").one()
    page = auth_client.get(f"/campaigns/{campaign.id}/posts/{post.id}").get_data(as_text=True)
    trail = re.search(r'<p class="crumbs">(.*?)</p>', page, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail)
    assert links == [("/", "Campaigns"), (f"/campaigns/{campaign.id}", str(escape(campaign.name))),
                     (f"/campaigns/{campaign.id}/strategy", "Strategy")]
    assert f'<span aria-current="page">{escape(post.title)}</span>' in trail


def test_a_streaming_plan_shows_phases_and_posts_by_their_labels(auth_client, api, campaign):
    assert api.post(f"/api/campaigns/{campaign.id}/strategy", {"direction": "Again"})[0] == 202
    run = Run.query.filter_by(campaign_id=campaign.id, kind="strategy", status="queued").one()
    streamed = json.dumps({"phases": [{"number": 2, "name": "Launch", "goal": "Sign-ups", "posts": [
        {"key": "p2-a", "title": "Doors open", "channel": "linkedin", "brief": "Say it.", "day": 7},
        {"key": "p2-c", "title": "Seen on the gram", "channel": "instagram", "brief": "Show it.", "day": 9}]}],
        "edges": [{"from": "p1-a", "to": "p2-a"}]})
    broker.live_text.append(run.id, streamed[:-3])

    for url in (f"/campaigns/{campaign.id}/strategy", f"/runs/{run.id}"):
        page = auth_client.get(url).get_data(as_text=True)
        preview = page.split('class="live-preview"', 1)[1].split("</div>", 1)[0]
        lines = re.findall(r"<p>(.*?)</p>", preview)
        assert lines == ["Phase 2 · Launch", "Phase 2, post 1 · LinkedIn: Doors open", "Say it.",
                         "Phase 2, post 3 · Instagram: Seen on the gram", "Show it."], url
        assert not KEY.findall(preview) and "instagram" not in preview, url


def test_the_results_page_names_posts_by_their_labels(auth_client, api, campaign):
    post = Post.query.filter_by(campaign_id=campaign.id, key="p2-c").one()
    assert api.post(f"/api/campaigns/{campaign.id}/metrics", {"metrics": [{
        "post_id": str(post.id), "variant": "A", "date": "2026-05-05", "impressions": 100, "clicks": 3,
        "conversions": 0, "spend": "1"}]})[0] == 201
    page = auth_client.get(f"/campaigns/{campaign.id}/results").get_data(as_text=True)
    row = page.split(f'id="result-post-{post.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Phase 2, post 3 · " in row
    # The CSV help names the key format, the one place a key belongs: the CSV joins on it.
    tables = page.split('id="by-post"', 1)[1].split('id="bring-in"', 1)[0]
    assert not KEY.findall(tables), "no post key in the results"
