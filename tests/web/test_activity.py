"""The activity history: every change a person makes (on the pages, through the API, or by a job they started)
is a row saying who, what and when; the campaign's and the workspace's pages list them newest first with filters
and pages; another workspace's history is neither listed nor found; the API answers the same rows."""
import html
import re

import pytest

from gtm.extensions import db
from gtm.models import Activity, Post
from gtm.services import accounts, activity, campaigns, workspaces

from tests.kit.campaigns import CAMPAIGN
from tests.kit.clients import PASSWORD, log_in, new_client
from tests.kit.pages import check_page
from tests.kit.results import upload
from tests.kit.workflow import INPUTS, PLAIN, flat_form
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

EDIT = {"headline": "Ship the launch on time", "body": "Fixed by hand.", "call_to_action": "Book a demo",
        "hashtags": "#launch"}
TRIGGER = {"scope": "phase-2", "metric": "ctr", "comparison": "<", "threshold": "1", "min_impressions": "1000",
           "action": "regenerate", "from_phase": "", "direction": ""}


def rows(campaign_id=None) -> list[Activity]:
    db.session.expire_all()
    query = Activity.query if campaign_id is None else Activity.query.filter_by(campaign_id=campaign_id)
    return query.order_by(Activity.id).all()


def ok(response, *statuses):
    assert response.status_code in (statuses or (200, 303)), response.get_data(as_text=True)[:1500]
    return response


def upload_and_confirm(client, campaign):  # noqa: F811
    template = client.get(f"/campaigns/{campaign.id}/results/template.csv").get_data(as_text=True)
    lines = template.splitlines()
    lines[1] = lines[1].removesuffix(",,,,") + ",1500,45,6,12.50"
    preview = ok(upload(client, campaign, "\n".join(lines).encode())).get_data(as_text=True)
    csv = html.unescape(re.search(r'<textarea name="csv" hidden>(.*?)</textarea>', preview, re.S).group(1))
    ok(client.post(f"/campaigns/{campaign.id}/results/import", data={"csv": csv}), 303)


def test_a_sequence_of_changes_is_recorded_in_order_with_who_made_them(auth_client, campaign, work, user):  # noqa: F811
    base = f"/campaigns/{campaign.id}"
    before = len(rows(campaign.id))
    ok(auth_client.post(f"{base}/steps/competitors/generate", data=INPUTS["competitors"], headers=PLAIN), 303)
    work()
    ok(auth_client.post(f"{base}/steps/competitors/regenerate", data={"feedback": "More detail"}, headers=PLAIN))
    work()
    from gtm.web.workflow.fields import edit_form
    data = flat_form(edit_form(campaign.workspace_id, campaign.id, "competitors").fields)
    data["summary"] = "Written by hand."
    ok(auth_client.post(f"{base}/steps/competitors/edit", data=data), 303)
    ok(auth_client.post(f"{base}/strategy/plan", data={"direction": "Warm tone"}))
    work()
    ok(auth_client.post(f"{base}/strategy/regenerate", data={"phase_num": "2", "new_direction": "Developer-first"}))
    work()
    ok(auth_client.post(f"{base}/strategy/versions/1/restore"), 303)
    post = Post.query.filter_by(campaign_id=campaign.id, is_active=True, status="ready").order_by(Post.id).first()
    ok(auth_client.post(f"{base}/posts/{post.id}/variants/A/edit", data=EDIT))
    ok(auth_client.post(f"{base}/posts/{post.id}/approve", data={"approved": "1"}))
    upload_and_confirm(auth_client, campaign)
    ok(auth_client.post(f"{base}/triggers", data=TRIGGER))
    ok(auth_client.post(f"{base}/archive"))

    found = rows(campaign.id)[before:]
    kinds = [row.kind for row in found]
    assert kinds == ["step_generated", "step_regenerated", "step_edited", "strategy_planned", "strategy_regenerated",
                     "strategy_restored", "variant_edited", "post_approved", "results_recorded", "trigger_created",
                     "campaign_archived"], kinds
    assert {row.actor_id for row in found} == {user.id} and {row.actor_name for row in found} == {user.email}
    said = [row.summary for row in found]
    assert said[0] == "Generated the competitor analysis (version 1)"
    assert said[1] == "Regenerated the competitor analysis with feedback: “More detail” (version 2)"
    assert said[2] == "Edited the competitor analysis by hand (version 3)"
    assert said[3].startswith("Planned the strategy as version 2 with ") and said[3].endswith(": “Warm tone”")
    assert said[4] == "Regenerated the strategy from phase 2: “Developer-first” (version 3)"
    assert said[5] == "Restored version 1 of the strategy as version 4"
    assert said[6] == f"Edited variant A of “{post.title}” by hand (v2)"
    assert said[7] == f"Approved “{post.title}”"
    assert said[8] == "Recorded 1 day of results from a CSV file"
    assert said[9].startswith("Created the trigger “") and said[10] == f"Archived the campaign “{campaign.name}”"
    assert [row.link for row in found][:3] == [f"/campaigns/{campaign.id}/steps/competitors"] * 3
    assert found[6].link == found[7].link == f"/campaigns/{campaign.id}/posts/{post.id}"
    assert found[4].link == f"/campaigns/{campaign.id}/strategy/versions/3"

    page = ok(auth_client.get(f"{base}/activity"), 200)
    check_page(f"{base}/activity", page)
    text = page.get_data(as_text=True)
    assert text.index(html.escape(said[10], quote=False)) < text.index(html.escape(said[0], quote=False)), \
        "newest first"
    assert f'href="/campaigns/{campaign.id}/strategy/versions/3"' in text and "just now" in text
    assert f"{user.email} (you)" in text
    assert 'aria-current="page">Activity</a>' in text
    for path in [row.link for row in found]:
        assert auth_client.get(path).status_code == 200, path


def test_a_jobs_changes_carry_the_runs_author(auth_client, campaign, work, user, app):  # noqa: F811
    other = accounts.sign_up("colleague@example.com", PASSWORD)
    workspaces.add_member(campaign.workspace_id, other.id, "editor")
    db.session.commit()
    colleague = log_in(new_client(app), other.email)
    ok(colleague.post("/settings/workspace", data={"workspace_id": str(campaign.workspace_id)}))
    ok(colleague.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data=INPUTS["competitors"],
                      headers=PLAIN), 303)
    with activity.acting_as(user.id):
        work()  # the worker acts for whoever started the run, not whoever happens to be set
    written = rows(campaign.id)[-1]
    assert (written.kind, written.actor_id, written.actor_name) == ("step_generated", other.id, other.email)
    joined = Activity.query.filter_by(kind="member_joined").one()
    assert joined.summary == "colleague@example.com joined the workspace as editor"


def test_an_alert_raised_by_the_schedule_is_by_gtm(api, campaign, work):  # noqa: F811
    from tests.kit.triggers import PHASE_2_CTR, current_posts, record, row
    from gtm.services import results
    results.create_trigger(campaign.workspace_id, campaign.id, dict(PHASE_2_CTR, direction="Fix it"))
    phase_2 = [post for post in current_posts(campaign.id) if post.phase == 2]
    record(campaign, [row(post, clicks=1) for post in phase_2])
    raised = [found for found in rows(campaign.id) if found.kind == "alert_raised"]
    assert len(raised) == 1 and raised[0].actor_id is None and raised[0].actor_name == "gtm"
    assert raised[0].summary.startswith("Alert: ")


def test_filters_and_pages(auth_client, user, app):
    first = campaigns.create_campaign(user.workspace_id, {**CAMPAIGN, "name": "First"})
    second = campaigns.create_campaign(user.workspace_id, {**CAMPAIGN, "name": "Second"})
    for n in range(55):
        activity.record(user.workspace_id, "campaign_edited", f"Change {n}", campaign_id=first.id, actor_id=user.id)
    activity.record(user.workspace_id, "campaign_archived", "Archived Second", campaign_id=second.id)
    db.session.commit()

    text = ok(auth_client.get("/activity"), 200).get_data(as_text=True)
    check_page("/activity", auth_client.get("/activity"))
    assert "Archived Second" in text and "Change 54" in text and "Change 4<" not in text
    older = re.search(r'<a rel="next" href="([^"]+)"', text).group(1)
    rest = ok(auth_client.get(html.unescape(older)), 200).get_data(as_text=True)
    assert "Change 4<" in rest and "Change 54" not in rest and "Newest activity" in rest

    by_campaign = auth_client.get(f"/activity?campaign={second.id}").get_data(as_text=True)
    assert "Archived Second" in by_campaign and "Change 1<" not in by_campaign
    by_kind = auth_client.get("/activity?kind=campaign_archived").get_data(as_text=True)
    assert "Archived Second" in by_kind and "Change 1<" not in by_kind and "Campaign archived" in by_kind
    by_person = auth_client.get(f"/activity?person={user.id}").get_data(as_text=True)
    assert "Change 54" in by_person and "Archived Second" not in by_person, "the archive was by gtm, not the person"
    on_campaign = auth_client.get(f"/campaigns/{second.id}/activity").get_data(as_text=True)
    assert "Archived Second" in on_campaign and "Change 1<" not in on_campaign
    refused = auth_client.get("/activity?kind=nonsense")
    assert refused.status_code == 422 and "Choose a kind of change from the list." in refused.get_data(as_text=True)


def test_another_workspaces_activity_is_neither_listed_nor_found(auth_client, user, api, app):
    mine = campaigns.create_campaign(user.workspace_id, {**CAMPAIGN, "name": "Mine"})
    stranger = accounts.sign_up("stranger@example.com", PASSWORD)
    theirs = campaigns.create_campaign(stranger.workspace_id, {**CAMPAIGN, "name": "Secret launch"})
    activity.record(stranger.workspace_id, "campaign_edited", "Secret change", campaign_id=theirs.id)
    db.session.commit()
    assert "Secret" not in auth_client.get("/activity").get_data(as_text=True)
    assert "Secret" not in auth_client.get(f"/activity?campaign={theirs.id}").get_data(as_text=True)
    assert auth_client.get(f"/campaigns/{theirs.id}/activity").status_code == 404
    assert api.get(f"/api/campaigns/{theirs.id}/activity")[0] == 404
    status, body = api.get("/api/activity")
    assert status == 200 and "Secret" not in str(body) and any(item["summary"] == "Created the campaign “Mine”"
                                                                 for item in body["items"])
    assert mine.id


def test_the_api_answers_the_history_newest_first_with_a_cursor(api, user):
    made = campaigns.create_campaign(user.workspace_id, CAMPAIGN)
    status, body = api.patch(f"/api/campaigns/{made.id}", json={"name": "Bloom, renamed"})
    assert status == 200, body
    status, body = api.post(f"/api/campaigns/{made.id}/archive")
    assert status == 200, body

    status, page = api.get(f"/api/campaigns/{made.id}/activity?limit=2")
    assert status == 200 and page["next"] is not None
    first, second = page["items"]
    assert set(first) == {"id", "at", "actor", "kind", "summary", "subject", "campaign_id"}
    assert (first["kind"], second["kind"]) == ("campaign_archived", "campaign_edited")
    assert first["actor"] == {"user_id": str(user.id), "email": user.email, "name": user.email}
    assert first["summary"] == "Archived the campaign “Bloom, renamed”"
    assert second["summary"] == f"Edited the campaign “Bloom, renamed”: name"
    assert first["subject"] == {"type": "campaign", "id": str(made.id), "link": f"/campaigns/{made.id}"}
    assert first["campaign_id"] == str(made.id)
    status, rest = api.get(f"/api/campaigns/{made.id}/activity?limit=2&before={page['next']}")
    assert status == 200 and [item["kind"] for item in rest["items"]] == ["campaign_created"] and rest["next"] is None
    assert rest["items"][0]["actor"] == {"user_id": None, "email": None, "name": "gtm"}, \
        "made by a service call with nobody acting: gtm"
    status, everything = api.get("/api/activity")
    assert status == 200 and [item["id"] for item in everything["items"]] == \
        [item["id"] for item in page["items"] + rest["items"]]
    assert api.get("/api/activity?before=x")[0] == 422


def test_deleting_a_campaign_keeps_its_history_without_links(auth_client, user):
    made = campaigns.create_campaign(user.workspace_id, {**CAMPAIGN, "name": "Short-lived"})
    ok(auth_client.post(f"/campaigns/{made.id}/archive"))
    ok(auth_client.post(f"/campaigns/{made.id}/delete", data={"confirm_name": "Short-lived"}))
    found = rows()
    assert all(row.campaign_id is None and row.link is None for row in found)
    assert found[-1].kind == "campaign_deleted" and found[-1].summary == \
        "Deleted the campaign “Short-lived” and everything in it"
    text = auth_client.get("/activity").get_data(as_text=True)
    assert "Archived the campaign “Short-lived”" in html.unescape(text)
