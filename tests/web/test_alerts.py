"""The triggers and alerts sections, their forms and buttons with and without htmx, the open-alerts badge,
and acting on an alert: the regeneration dialog filled in from it, and the evidence reaching the model."""
import re

import pytest
from markupsafe import escape

from gtm.extensions import db
from gtm.models import Alert, Run, Trigger
from gtm.services import accounts, campaigns, results
from gtm.services.results.alerts import PROMPT_POSTS_MAX, alert_chart

from tests.kit.campaigns import CAMPAIGN, CHANNELS
from tests.kit.clients import log_in
from tests.kit.pages import check_page
from tests.kit.plans import valid_regeneration
from tests.kit.strategy import Answers
from tests.kit.triggers import PHASE_2_CTR, alerts_of, current_posts, day, low_ctr, phase, plan, record


HX = {"HX-Request": "true"}
FORM = {"scope": "phase-2", "metric": "ctr", "comparison": "<", "threshold": "1", "min_impressions": "1000",
        "action": "regenerate", "from_phase": "", "direction": ""}


def section(text: str, section_id: str) -> str:
    """The HTML of one section of a page (from its opening tag to the next section or the end)."""
    start = text.index(f'<section id="{section_id}"')
    end = text.find("<section", start + 1)
    return text[start:end if end != -1 else None]


def fired(api, campaign, work):
    """Plan, add the phase 2 CTR trigger and record numbers that break it; return the posts and the alert."""
    posts = plan(api, campaign, work)
    results.create_trigger(campaign.workspace_id, campaign.id, dict(PHASE_2_CTR))
    record(campaign, low_ctr(phase(posts, 2)))
    return posts, alerts_of(campaign.id)[0]


def test_the_sections_show_triggers_and_alerts_with_their_evidence(api, campaign, work, auth_client):
    posts, alert = fired(api, campaign, work)
    response = auth_client.get(f"/campaigns/{campaign.id}/triggers")
    check_page("triggers and alerts", response)
    text = response.get_data(as_text=True)
    triggers = section(text, "triggers")
    assert "Phase 2: CTR below 1% after 1,000 impressions → suggest regenerating from phase 2" in triggers
    assert '<span class="badge error">Broken</span> CTR is 0.2% over' in triggers
    assert ">Pause</button>" in triggers and ">Delete</button>" in triggers

    alerts = section(text, "alerts")
    evidence = alert.evidence
    assert str(escape(evidence["sentence"])) in alerts
    for shown in ("0.2%", "below 1%", f"{evidence['totals']['impressions']:,}", day(1)):
        assert shown in alerts, shown
    for post in phase(posts, 2):
        assert f'href="/campaigns/{campaign.id}/posts/{post.id}"' in alerts
    # The daily series as a small chart, with its words for screen readers.
    chart = re.search(r"<svg[^>]*role=\"img\"[^>]*>(.*?)</svg>", alerts, re.S).group(1)
    assert "<polyline" not in chart and chart.count("<circle") == 1  # one day recorded
    assert re.search(rf"<desc [^>]*>CTR by day, {day(1)} to {day(1)}, against the threshold of 1%: {day(1)} 0.2%.</desc>",
                     chart)
    regenerate_url = f"/campaigns/{campaign.id}/strategy/regenerate?phase_num=2&amp;alert_id={alert.id}"
    assert f'href="{regenerate_url}" hx-get="{regenerate_url}" hx-target="#modal"' in alerts
    assert ">Regenerate from phase 2</a>" in alerts and ">Dismiss</button>" in alerts
    assert "Past alerts" not in alerts


def test_two_days_draw_a_line_against_the_threshold(api, campaign, work, auth_client):
    posts, _ = fired(api, campaign, work)
    results.dismiss_alert(campaign.workspace_id, campaign.id, alerts_of(campaign.id)[0].id)
    record(campaign, low_ctr(phase(posts, 2), days_ago=2, clicks=6))
    chart = alert_chart(alerts_of(campaign.id)[-1].evidence)
    assert [label for _, _, label in chart.points] == [f"{day(2)}: 0.5%", f"{day(1)}: 0.2%"]
    (x1, y1, _), (x2, y2, _) = chart.points
    assert x1 < x2 and y1 < y2 and chart.threshold_y < y1  # lower values sit lower; the threshold is above both
    text = auth_client.get(f"/campaigns/{campaign.id}/triggers").get_data(as_text=True)
    assert f'<polyline class="series" points="{chart.line}"/>' in section(text, "alerts")


def test_creating_a_trigger_without_javascript_redirects_back_to_the_section(api, campaign, work, auth_client):
    plan(api, campaign, work)
    response = auth_client.post(f"/campaigns/{campaign.id}/triggers", data=FORM)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}/results#triggers")
    trigger = Trigger.query.one()
    assert (trigger.scope_phase, trigger.metric, trigger.threshold, trigger.from_phase, trigger.min_impressions) == \
        (2, "ctr", 1.0, 2, 1000)


def test_creating_a_trigger_with_htmx_swaps_the_section_and_refreshes_the_alerts(api, campaign, work, auth_client):
    posts = plan(api, campaign, work)
    record(campaign, low_ctr(phase(posts, 3)))
    values = dict(FORM, scope=f"post-{phase(posts, 3)[0].id}", action="rewrite", direction="open with {value}")
    response = auth_client.post(f"/campaigns/{campaign.id}/triggers", data=values, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "alerts-changed"
    text = response.get_data(as_text=True)
    assert text.startswith('<section id="triggers"') and "<html" not in text
    assert "suggest rewriting the post&#39;s variants" in text
    # It was judged at once, and fired: the alerts section and the badge fetch themselves on that event.
    alert = alerts_of(campaign.id)[0]
    assert alert.action["kind"] == "rewrite" and alert.action["feedback"] == "Win back clicks on this post: open with 0.2%"
    alerts = auth_client.get(f"/campaigns/{campaign.id}/alerts", headers=HX).get_data(as_text=True)
    assert 'hx-trigger="alerts-changed from:body, metrics-changed from:body"' in alerts
    post_id = phase(posts, 3)[0].id
    for label in "AB":
        assert f"/campaigns/{campaign.id}/posts/{post_id}/variants/{label}/regenerate?alert_id={alert.id}" in alerts
    badge = auth_client.get(f"/campaigns/{campaign.id}/alerts/badge", headers=HX).get_data(as_text=True)
    assert ">1 open alert</a>" in badge
    assert 'hx-trigger="alerts-changed from:body, alert-count-changed from:body"' in badge
    # On the results page the badge listens for those events; on the other pages it is plain markup.
    page_text = auth_client.get(f"/campaigns/{campaign.id}/triggers").get_data(as_text=True)
    assert f'hx-get="/campaigns/{campaign.id}/alerts/badge?state=' in page_text
    for url in (f"/campaigns/{campaign.id}/strategy", f"/campaigns/{campaign.id}"):
        assert "/alerts/badge" not in auth_client.get(url).get_data(as_text=True), url


@pytest.mark.parametrize("headers", [{}, HX], ids=["no-js", "htmx"])
def test_a_bad_trigger_shows_its_errors_beside_the_fields_and_keeps_the_values(api, campaign, work, auth_client,
                                                                                headers):
    plan(api, campaign, work)
    values = dict(FORM, metric="conversion_rate", threshold="150", min_impressions="lots",
                  direction="lean on {budget}", scope="post-999999")
    response = auth_client.post(f"/campaigns/{campaign.id}/triggers", data=values, headers=headers)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert ("<html" in text) == (not headers)
    expected = {
        "trigger-threshold": "A rate&#39;s threshold is a percentage, at most 100.",
        "trigger-min-impressions": "The minimum impressions must be a whole number.",
        "trigger-direction": "{budget} is not a placeholder gtm knows.",
        "trigger-scope": "This campaign has no such post.",
    }
    for field, message in expected.items():
        assert re.search(rf'<p class="field-error" id="{field}-error">[^<]*{re.escape(message)}', text), field
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"',
                         text.replace("\n", " ")) or f'id="{field}"' in text
    assert 'value="150"' in text and 'value="lots"' in text and "lean on {budget}</textarea>" in text
    assert '<option value="conversion_rate" selected>' in text
    assert "<details class=\"trigger-create\" open>" in text
    assert Trigger.query.count() == 0
    response.status_code = 200
    check_page("trigger form with errors", response)


def test_no_strategy_yet_shows_why_and_offers_no_form(campaign, auth_client):
    text = auth_client.get(f"/campaigns/{campaign.id}/triggers").get_data(as_text=True)
    assert "This campaign has no strategy yet." in text and 'id="trigger-form"' not in text
    response = auth_client.post(f"/campaigns/{campaign.id}/triggers", data=FORM)
    assert response.status_code == 409 and "no strategy yet" in response.get_data(as_text=True)
    assert Trigger.query.count() == 0


def test_pause_resume_and_delete_work_with_and_without_htmx(api, campaign, work, auth_client):
    posts = plan(api, campaign, work)
    trigger = results.create_trigger(campaign.workspace_id, campaign.id, dict(PHASE_2_CTR))
    base = f"/campaigns/{campaign.id}/triggers/{trigger.id}"
    response = auth_client.post(f"{base}/pause")
    assert response.status_code == 303 and response.headers["Location"].endswith("#triggers")
    record(campaign, low_ctr(phase(posts, 2)))
    assert alerts_of(campaign.id) == []
    text = auth_client.get(f"/campaigns/{campaign.id}/triggers").get_data(as_text=True)
    assert '<span class="badge neutral">Paused</span> </p>' in section(text, "triggers")
    assert ">Resume</button>" in text

    response = auth_client.post(f"{base}/resume", headers=HX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "alerts-changed"
    assert ">Pause</button>" in response.get_data(as_text=True)
    assert len(alerts_of(campaign.id)) == 1  # resumed, judged at once

    response = auth_client.post(f"{base}/delete", headers=HX)
    assert response.status_code == 200 and "No triggers yet." in response.get_data(as_text=True)
    text = auth_client.get(f"/campaigns/{campaign.id}/triggers").get_data(as_text=True)
    alerts = section(text, "alerts")
    assert "No open alerts." in alerts and "Past alerts (1)" in alerts
    assert auth_client.post(f"{base}/delete").status_code == 404


def test_dismiss_keeps_the_alert_among_past_alerts_and_lowers_the_badge(api, campaign, work, auth_client):
    _, alert = fired(api, campaign, work)
    for url in (f"/campaigns/{campaign.id}", f"/campaigns/{campaign.id}/strategy"):
        text = auth_client.get(url).get_data(as_text=True)
        assert re.search(r'<span id="alert-badge"[^>]*><a class="badge warn" href="[^"]+#alerts">1 open alert</a>',
                         text), url
    response = auth_client.post(f"/campaigns/{campaign.id}/alerts/{alert.id}/dismiss", headers=HX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "alert-count-changed"
    text = response.get_data(as_text=True)
    assert text.startswith('<section id="alerts"') and "No open alerts." in text
    past = text[text.index('<details class="past-alerts">'):]
    assert str(escape(alert.evidence["sentence"])) in past and "dismissed just now" in past
    assert ">Dismiss</button>" not in past
    text = auth_client.get(f"/campaigns/{campaign.id}/strategy").get_data(as_text=True)
    assert re.search(r'<span id="alert-badge"[^>]*></span>', text)
    # Without JavaScript it redirects back to the alerts.
    response = auth_client.post(f"/campaigns/{campaign.id}/alerts/{alert.id}/dismiss")
    assert response.status_code == 303 and response.headers["Location"].endswith("#alerts")


def test_another_workspace_sees_nothing(api, campaign, work, client):
    _, alert = fired(api, campaign, work)
    trigger = Trigger.query.one()
    accounts.sign_up("stranger@example.com", "Sturdy-passw0rd")
    log_in(client, "stranger@example.com")
    for method, url in (("get", f"/campaigns/{campaign.id}/triggers"), ("get", f"/campaigns/{campaign.id}/alerts"),
                        ("get", f"/campaigns/{campaign.id}/alerts/badge"),
                        ("post", f"/campaigns/{campaign.id}/triggers/{trigger.id}/pause"),
                        ("post", f"/campaigns/{campaign.id}/triggers/{trigger.id}/delete"),
                        ("post", f"/campaigns/{campaign.id}/alerts/{alert.id}/dismiss"),
                        ("get", f"/campaigns/{campaign.id}/strategy/regenerate?alert_id={alert.id}")):
        assert getattr(client, method)(url, headers=HX).status_code == 404, url
    assert Trigger.query.one().paused is False and alerts_of(campaign.id)[0].dismissed_at is None


def test_an_alert_of_another_campaign_is_refused_by_the_dialog_and_the_api(api, campaign, work, auth_client, user):
    _, alert = fired(api, campaign, work)
    other = campaigns.create_campaign(user.workspace_id, dict(CAMPAIGN, name="Other launch"))
    plan(api, other, work)
    url = f"/campaigns/{other.id}/strategy/regenerate"
    assert auth_client.get(f"{url}?phase_num=2&alert_id={alert.id}", headers=HX).status_code == 404
    response = auth_client.post(url, data={"phase_num": "2", "new_direction": "Go", "alert_id": str(alert.id)})
    assert response.status_code == 404
    for alert_id in (str(alert.id), "999999", "abc", alert.id):
        status, body = api.post("/api/agents/regenerate-strategy/", json={
            "campaign_id": str(other.id), "phase_num": 2, "new_direction": "Go", "alert_id": alert_id})
        assert status == 404, (alert_id, body)
    assert Run.query.filter_by(kind="regenerate").count() == 0
    assert alerts_of(campaign.id)[0].run_id is None


@pytest.mark.llm("openai")
def test_regenerating_from_an_alert_fills_the_dialog_and_gives_the_model_the_evidence(api, campaign, work,
                                                                                      auth_client, fake_openai):
    answers = Answers(fake_openai)
    answers.plan_and_write(api, campaign, work)
    posts = current_posts(campaign.id)
    results.create_trigger(campaign.workspace_id, campaign.id, dict(PHASE_2_CTR))
    record(campaign, low_ctr(phase(posts, 2)))
    alert = alerts_of(campaign.id)[0]
    direction = alert.action["direction"]
    assert direction == "Win back clicks in phase 2: lead with Phase 2's best posts and fix CTR"
    assert alert.evidence["sentence"] not in direction and "threshold" not in direction

    dialog = auth_client.get(f"/campaigns/{campaign.id}/strategy/regenerate?phase_num=2&alert_id={alert.id}",
                             headers=HX)
    assert dialog.status_code == 200
    text = dialog.get_data(as_text=True)
    assert '<dialog id="regenerate-strategy-dialog"' in text
    assert re.search(r'<option value="2" selected>', text)
    assert f">{escape(direction)}</textarea>" in text
    assert f'<input type="hidden" name="alert_id" value="{alert.id}">' in text
    # Without JavaScript the same form is a page, filled in the same way.
    page = auth_client.get(f"/campaigns/{campaign.id}/strategy/regenerate?alert_id={alert.id}")
    assert page.status_code == 200 and '<option value="2" selected>' in page.get_data(as_text=True)

    fake_openai.reset()
    answers.listen()
    answers.regeneration = valid_regeneration(2, [p.key for p in phase(posts, 1)], (3, 3), CHANNELS)
    response = auth_client.post(f"/campaigns/{campaign.id}/strategy/regenerate", headers=HX, data={
        "phase_num": "2", "new_direction": direction, "alert_id": str(alert.id)})
    assert response.status_code == 204, response.get_data(as_text=True)
    run = Run.query.filter_by(kind="regenerate").one()
    db.session.expire_all()
    alert = db.session.get(Alert, alert.id)
    assert alert.run_id == run.id and run.params["alert_id"] == alert.id
    assert alert.dismissed_at is not None  # acted on: it leaves the open alerts
    work()
    assert db.session.get(Run, run.id).status == "succeeded"

    prompt = answers.calls("StrategyRegeneration")[0]["messages"][1]["content"]
    evidence = prompt[prompt.index("The results that prompted this change"):prompt.index("New direction from phase")]
    assert alert.evidence["sentence"] in evidence and f"Rule: {alert.evidence['rule']}" in evidence
    for post in phase(posts, 2):
        assert f"{post.title} (phase 2, key {post.key}): CTR 0.2%; 2,400 impressions, 6 clicks" in evidence
    text = auth_client.get(f"/campaigns/{campaign.id}/triggers").get_data(as_text=True)
    assert f'href="/runs/{run.id}">run {run.id}</a>' in section(text, "alerts")


@pytest.mark.llm("openai")
def test_the_evidence_is_bounded_in_the_prompt(api, campaign, work, fake_openai):
    answers = Answers(fake_openai)
    answers.plan_and_write(api, campaign, work)
    posts = current_posts(campaign.id)
    results.create_trigger(campaign.workspace_id, campaign.id, dict(PHASE_2_CTR, scope_phase=None, from_phase=2))
    record(campaign, low_ctr(posts))
    alert = alerts_of(campaign.id)[0]
    assert len(alert.evidence["posts"]) == len(posts) == 12
    fake_openai.reset()
    answers.listen()
    answers.regeneration = valid_regeneration(2, [p.key for p in phase(posts, 1)], (3, 3), CHANNELS)
    status, body = api.post("/api/agents/regenerate-strategy/", json={
        "campaign_id": str(campaign.id), "phase_num": 2, "new_direction": "Lead with the florists' week",
        "alert_id": str(alert.id)})
    assert status == 202, body
    work()
    prompt = answers.calls("StrategyRegeneration")[0]["messages"][1]["content"]
    lines = [line for line in prompt.splitlines() if re.match(r"- .* \(phase \d, key p\d-\d\): CTR", line)]
    assert len(lines) == PROMPT_POSTS_MAX == 10
    assert "- and 2 more" in prompt
    assert db.session.get(Alert, alert.id).run_id == int(body["run_id"])


def test_rewriting_from_an_alert_fills_the_variant_dialog(api, campaign, work, auth_client):
    posts = plan(api, campaign, work)
    post = phase(posts, 3)[0]
    results.create_trigger(campaign.workspace_id, campaign.id, dict(PHASE_2_CTR, scope_phase=None,
                                                            scope_post_id=str(post.id), action="rewrite"))
    record(campaign, low_ctr([post]))
    alert = alerts_of(campaign.id)[0]
    url = f"/campaigns/{campaign.id}/posts/{post.id}/variants/B/regenerate"
    text = auth_client.get(f"{url}?alert_id={alert.id}", headers=HX).get_data(as_text=True)
    assert '<dialog id="regenerate-dialog"' in text
    assert str(escape(alert.action["feedback"])) + "</textarea>" in text
    assert f'<input type="hidden" name="alert_id" value="{alert.id}">' in text
    response = auth_client.post(url, data={"feedback": alert.action["feedback"], "alert_id": str(alert.id)})
    assert response.status_code == 303
    run = Run.query.filter_by(kind="variant").one()
    assert run.params["alert_id"] == alert.id and db.session.get(Alert, alert.id).run_id == run.id
    work()
    assert db.session.get(Run, run.id).status == "succeeded"


@pytest.mark.llm("openai")
def test_a_rewrite_from_an_alert_gives_the_model_the_evidence_beside_the_feedback(api, campaign, work, auth_client,
                                                                                  fake_openai):
    answers = Answers(fake_openai)
    answers.plan_and_write(api, campaign, work)
    post = phase(current_posts(campaign.id), 3)[0]
    results.create_trigger(campaign.workspace_id, campaign.id, dict(PHASE_2_CTR, scope_phase=None, direction="",
                                                            scope_post_id=str(post.id), action="rewrite"))
    record(campaign, low_ctr([post]))
    alert = alerts_of(campaign.id)[0]
    feedback = alert.action["feedback"]
    assert feedback == "Win back clicks on this post: try a sharper offer and a clearer call to action"
    fake_openai.reset()
    answers.listen()
    url = f"/campaigns/{campaign.id}/posts/{post.id}/variants/A/regenerate"
    assert auth_client.post(url, data={"feedback": feedback, "alert_id": str(alert.id)}).status_code == 303
    work()
    prompt = answers.calls("VariantContent")[0]["messages"][1]["content"]
    context = prompt[prompt.index("The results that prompted this change"):prompt.index("What should change:")]
    assert alert.evidence["sentence"] in context and f"Rule: {alert.evidence['rule']}" in context
    assert f"What should change: {feedback}" in prompt


@pytest.mark.llm("openai")
def test_a_rewrite_without_an_alert_has_no_evidence_in_its_prompt(api, campaign, work, auth_client, fake_openai):
    answers = Answers(fake_openai)
    answers.plan_and_write(api, campaign, work)
    post = current_posts(campaign.id)[0]
    fake_openai.reset()
    answers.listen()
    url = f"/campaigns/{campaign.id}/posts/{post.id}/variants/B/regenerate"
    assert auth_client.post(url, data={"feedback": "Make it shorter"}).status_code == 303
    work()
    prompt = answers.calls("VariantContent")[0]["messages"][1]["content"]
    assert "The results that prompted this change" not in prompt and "What should change: Make it shorter" in prompt
