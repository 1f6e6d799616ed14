"""Nothing a person or the model writes runs as script in a browser.

Payloads go into every field a person or the model can fill: the campaign's fields, the steps' inputs
and feedback, directions, chat messages, variant feedback, metric CSV cells, a trigger's direction,
an imported JSON export, and, through the fake OpenAI server, every text the model returns. Then
Chromium opens every page reachable from the campaigns list, with a handler on dialogs, page errors
and the console. Target: nothing executes.
"""
import json
import re
from urllib.parse import urljoin, urlsplit

import pytest

from gtm.extensions import db
from gtm.models import Post, Run
from gtm.services import campaigns, exports, imports, results

from tests.kit.browser import screenshot
from tests.kit.browser import log_in
from tests.kit.campaigns import CAMPAIGN
from tests.kit.fake_openai import Reply
from tests.kit.plans import schema_name, valid_plan, valid_regeneration
from tests.kit.schema_samples import sample_from_schema
from tests.kit.wait import wait_for

# Each payload calls alert() with a word naming it, so a dialog tells which one ran.
PAYLOADS = [
    '<script>alert("xss-script")</script>',
    '<img src=x onerror=alert("xss-img")>',
    '"><svg onload=alert("xss-attr")>',
    "javascript:alert('xss-href')",
    '[click](javascript:alert("xss-md"))',
    "</textarea><script>alert('xss-textarea')</script>",
    "{{ 7*7 }}<b onmouseover=alert('xss-hover')>",
]
SHORT = '<img src=x onerror=alert("xss-short")>'
CRAWLERS = 8  # pages of one session opening the crawl's pages at once


def poison(text: str, limit: int | None = None) -> str:
    """The payloads before a readable text, cut to the field's limit (the short one when the limit is tight)."""
    full = " ".join(PAYLOADS) + " " + text
    if limit is None or len(full) <= limit:
        return full
    short = f"{SHORT} {text}"
    return short[:limit] if len(short) <= limit or limit >= len(SHORT) else text[:limit]


def poisoned_sample(schema: dict, root: dict | None = None, name: str = "value", depth: int = 0):
    """Like sample_from_schema, with the payloads in every free-text string."""
    root = root if root is not None else schema
    if "$ref" in schema:
        target = root
        for part in filter(None, schema["$ref"].lstrip("#/").split("/")):
            target = target[part]
        return poisoned_sample(target, root, name, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        return {key: poisoned_sample(sub, root, key, depth + 1) for key, sub in schema.get("properties", {}).items()}
    if kind == "array" and depth < 8:
        count = min(max(2, schema.get("minItems", 0)), schema.get("maxItems", 2))
        return [poisoned_sample(schema.get("items") or {"type": "string"}, root, name, depth + 1) for _ in range(count)]
    if kind == "string" and not schema.get("enum") and "const" not in schema and not schema.get("format") \
            and not schema.get("pattern"):
        return poison(f"Sample {name}", schema.get("maxLength"))
    return sample_from_schema(schema, root, name=name, depth=depth)


class PoisonedModel:
    """The fake server's answers: valid for every schema, with the payloads in every text."""

    def __init__(self, fake):
        self.regeneration = None
        fake.responder = self.answer

    def answer(self, body: dict):
        name = schema_name(body)
        if name == "StrategyPlan":
            return Reply.json(valid_plan((3, 3, 3, 3), ("linkedin", "email", "instagram"), **texts("")))
        if name == "StrategyRegeneration":
            return Reply.json(self.regeneration)
        if name == "PostContent":
            return Reply.json({label.lower(): {"headline": poison(f"Headline {label}", 200),
                                               "body": poison(f"Body {label}."), "call_to_action": poison("Try it", 120),
                                               "hashtags": ["bloom"], "image_prompt": poison("A shop")}
                               for label in "AB"})
        schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("schema")
        if schema:
            return Reply.json(poisoned_sample(schema))
        return Reply.text(poison("A reply."))


def texts(prefix: str) -> dict:
    return {"title_of": lambda key: poison(f"{prefix}Title {key}", 200), "brief_of": lambda key: poison(f"Brief {key}"),
            "goal_of": lambda number: poison(f"Goal {number}"), "name_of": lambda number: poison(f"Phase {number}", 120)}


def settled() -> bool:
    db.session.expire_all()
    return not Run.query.filter(Run.status.in_(("queued", "running"))).count()


def fill_everything(api, user, campaign, auth_client, fake) -> list[int]:
    """Write payloads through every way in; return the campaigns to visit. The live server's worker runs the jobs."""
    def work():
        wait_for(settled, timeout=90, message="the runs to finish")

    model = PoisonedModel(fake)
    for kind in ("competitors", "customers", "objectives", "mechanics", "costs"):
        status, body = api.post(f"/api/campaigns/{campaign.id}/steps/{kind}/generate", json={})
        assert status == 202, (kind, body)
        work()
        status, body = api.post(f"/api/campaigns/{campaign.id}/steps/{kind}/generate",
                                json={"feedback": poison("Sharper, please.", 1000)})
        assert status == 202, (kind, body, [(run.subject, run.status, run.error) for run in Run.query.all()])
        work()
    assert api.post(f"/api/campaigns/{campaign.id}/strategy", json={"direction": poison("Warm.", 1000)})[0] == 202
    work()
    posts = Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.phase, Post.id).all()
    assert len(posts) == 12 and all(post.status == "ready" for post in posts)

    # Feedback on a variant, a chat message, and a regeneration from phase 2 with a direction.
    response = auth_client.post(f"/campaigns/{campaign.id}/posts/{posts[0].id}/variants/A/regenerate",
                                data={"feedback": poison("Shorter.", 1000)})
    assert response.status_code == 303
    work()
    assert api.post(f"/api/campaigns/{campaign.id}/chat", json={"message": poison("How is phase 2?", 1000)})[0] in (200, 201, 202)
    work()
    model.regeneration = valid_regeneration(2, [p.key for p in posts if p.phase == 1], (3, 3),
                                            ("linkedin", "email", "instagram"), **texts("New "))
    status, body = api.post("/api/agents/regenerate-strategy/", json={
        "campaign_id": str(campaign.id), "phase_num": 2, "new_direction": poison("Pivot to demos.", 1000)})
    assert status == 202, body
    work()

    # Numbers, a trigger whose direction carries the payloads, and the alert it raises.
    current = Post.query.filter_by(campaign_id=campaign.id, is_active=True).order_by(Post.phase, Post.id).all()
    rows = [{"post_id": str(post.id), "variant": label, "date": "2026-01-05", "impressions": 2000, "clicks": 4}
            for post in current for label in "AB"]
    assert api.post(f"/api/campaigns/{campaign.id}/metrics", json={"metrics": rows})[0] == 201
    status, body = api.post(f"/api/campaigns/{campaign.id}/triggers", json={
        "metric": "ctr", "comparison": "<", "threshold": 1, "min_impressions": 1000, "scope_phase": 2,
        "action": "regenerate", "direction": poison("fix {metric}", 400)})
    assert status == 201, body
    assert results.open_alert_count(campaign.id) == 1

    # An export, its texts poisoned once more, imported as a campaign of its own.
    doc = json.loads(exports.export(user.workspace_id, campaign.id, "json").data)
    doc["campaign"]["name"] = poison("Imported", 120)
    imported = imports.import_campaign(user.workspace_id, doc)
    return [campaign.id, imported.id]


@pytest.mark.llm("openai")
def test_no_payload_runs_in_any_page(live_server, browser, user, api, auth_client, fake_openai):
    values = {**CAMPAIGN, **{name: poison(CAMPAIGN[name], limit) for name, limit in
                             (("name", 120), ("product", 2000), ("audience", 500), ("goals", 500), ("brief", 2000))},
              "competitors": [poison("Floranext", 120), "Spreadsheets"]}
    campaign = campaigns.create_campaign(user.workspace_id, values)
    ids = fill_everything(api, user, campaign, auth_client, fake_openai)

    # Several pages of one browser session open the crawl's pages at once, so their waits for quiet overlap.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    pages = [context.new_page() for _ in range(CRAWLERS)]
    ran, errors = [], []
    for page in pages:
        watch(page, ran, errors)
    page = pages[0]
    try:
        log_in(page, live_server, user)
        # The metric CSV's cells, shown back in its preview.
        page.goto(f"{live_server.url}/campaigns/{ids[0]}/results")
        bad = f"post,variant,date,impressions,clicks\n{SHORT},{SHORT},2026-01-05,10,1\n"
        page.locator("#metrics-file").set_input_files(
            files=[{"name": f"{SHORT}.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
        page.get_by_role("button", name="Check the file").click()
        page.locator("#bring-in .preview-table").wait_for()
        assert SHORT in page.locator("#bring-in .preview-table").inner_text()
        # The regeneration dialog, filled in from the alert.
        page.locator("#alerts").get_by_role("link", name="Regenerate from phase 2").click()
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        dialog.wait_for()
        assert PAYLOADS[0] in dialog.get_by_label("New direction").input_value()
        screenshot(page, "xss-regenerate-dialog")

        visited = crawl(pages, live_server.url, [f"/campaigns/{campaign_id}" for campaign_id in ids] + ["/campaigns"])
        assert len(visited) > 40, visited
        assert any("/posts/" in url for url in visited) and any("/results" in url for url in visited)
        screenshot(page, "xss-last-page")
    finally:
        context.close()
    assert ran == [], ran
    assert errors == [], errors


def watch(page, ran: list, errors: list) -> None:
    """Note every dialog a page opens (and dismiss it), every error it throws, and every console line naming xss."""
    page.on("dialog", lambda dialog: (ran.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}")
            if "xss" in message.text else None)


def crawl(pages, base: str, starts: list[str], limit: int = 150) -> list[str]:
    """Open every same-site page reachable by links from `starts` (not downloads, not log-out), breadth first.

    Each of `pages` opens the next page in line, all at once; then each waits until its page is quiet (its htmx
    requests answered and swapped in) and reads its links. The pages are the ones, and in the order, that one
    page opening them in turn would see."""
    seen, todo = [], list(starts)
    while todo and len(seen) < limit:
        batch = []
        while todo and len(batch) < len(pages) and len(seen) < limit:
            path = todo.pop(0)
            if path not in seen:
                seen.append(path)
                batch.append(path)
        opened = [(page, path, page.goto(base + path, wait_until="commit")) for page, path in zip(pages, batch)]
        for page, path, response in opened:
            assert response.status < 500, (path, response.status)
            page.wait_for_load_state("networkidle")
            for href in page.eval_on_selector_all("a[href]:not([download])",
                                                  "links => links.map(a => a.getAttribute('href'))"):
                parts = urlsplit(urljoin(base + path, href))
                found = parts.path + (f"?{parts.query}" if parts.query else "")
                if parts.netloc != urlsplit(base).netloc or found in seen or found in todo:
                    continue
                if found.startswith(("/logout", "/static", "/media", "/api")) or \
                        re.search(r"\.(csv|ics|md|json|mmd|png)$", parts.path):
                    continue
                todo.append(found)
    return seen
