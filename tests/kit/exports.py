"""A campaign export written by hand, changed for one test, and imported through the API; an export read
back through the API."""
import copy
import json
from datetime import date

from .campaigns import CAMPAIGN


LAUNCH = date(2026, 5, 4)  # the launch date of the campaign the export tests write

COMPETITORS = {"summary": "Two rivals.", "competitors": [
    {"name": "Floranext", "positioning": "Websites for florists.", "strengths": ["Templates"],
     "weaknesses": ["No delivery routes"], "pricing_notes": "From 50 a month.", "how_we_differ": "Orders first."}]}
def variant(label: str, **changes) -> dict:
    return {"headline": f"Headline {label}", "body": "Orders, deliveries and regulars in one place.",
            "call_to_action": "Book a demo", "hashtags": ["florists"], "image_prompt": "A flower shop counter.",
            "media_path": None, "provider": "offline", "model": "offline", **changes}


def export_doc() -> dict:
    """A complete, valid export of three phases of two posts each, written by hand."""
    phases = [{"number": n, "name": f"Phase {n}", "goal": "Win the first florists.", "posts": [
        {"key": f"p{n}-{i}", "title": f"Post {n}.{i}", "channel": "linkedin", "brief": "Why Bloom saves an hour.",
         "day": 7 * n + i, "status": "ready", "approved": False,
         "variants": {label: variant(label) for label in "AB"}} for i in (1, 2)]} for n in (1, 2, 3)]
    return {
        "format": "gtm.campaign", "format_version": 1,
        "exported": {"at": "2026-01-01T00:00:00+00:00", "campaign_id": "1", "version": 1, "assumed_launch_date": None},
        "campaign": {**CAMPAIGN, "launch_date": "2026-05-04"},
        "steps": [{"kind": "competitors", "content": copy.deepcopy(COMPETITORS),
                   "inputs": {"known_competitors": "Floranext", "notes": ""}, "feedback": "", "edited": False,
                   "provider": "offline", "model": "offline"}],
        "phases": phases,
        "edges": [{"from": f"p{n}-{i}", "to": f"p{n + 1}-{i}"} for n in (1, 2) for i in (1, 2)],
    }


def changed(change) -> dict:
    doc = export_doc()
    change(doc)
    return doc


def import_(api, doc):
    return api.post("/api/campaigns/import", data=json.dumps(doc), content_type="application/json")


def download(api, campaign_id, query):
    response = api.client.get(f"/api/campaigns/{campaign_id}/export?{query}", headers=api.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response
