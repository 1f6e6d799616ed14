"""The analysis workflow through its pages, on the offline provider: the five steps generated in
order, regenerated with feedback, paged, compared, restored, edited and refreshed when stale."""
import json
import re
from html import unescape

import pytest

from gtm import broker
from gtm.models import STEP_KINDS, Run, StepVersion
from gtm.services import steps
from gtm.services.steps import content as step_content
from gtm.web.workflow.fields import edit_form

from tests.kit.pages import check_page
from tests.kit.statements import statements_of
from tests.kit.workflow import (
    INPUTS, PLAIN, SCHEMAS, SHOWS, counts, current, flat_form, generate_until, section,
)

@pytest.mark.parametrize("kind", STEP_KINDS)
def test_generate_each_step_with_the_earlier_steps_as_context(htmx, auth_client, campaign, work, kind):
    generate_until(auth_client, work, campaign, kind, include_last=False)
    response = htmx.post(f"/campaigns/{campaign.id}/steps/{kind}/generate", data=INPUTS[kind])
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.get_data(as_text=True)

    work()

    response = htmx.get(f"/campaigns/{campaign.id}/steps/{kind}")
    card = response.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' not in card and "v1 of 1" in card, "a finished card stops polling"
    for text in SHOWS[kind]:
        assert text in unescape(card), (kind, text)
    assert '{"' not in card and "': '" not in card, "content is shown as HTML, never as JSON"
    version = current(campaign, kind)
    SCHEMAS[kind].model_validate(version.content)
    # Typed inputs are saved normalised: the budget cap as an amount with cents.
    assert version.inputs == {**INPUTS[kind], **({"budget_cap": "10000.00"} if kind == "costs" else {})}
    assert version.context_versions == {earlier: 1 for earlier in STEP_KINDS[:STEP_KINDS.index(kind)]}
    assert Run.query.filter_by(subject=kind).one().status == "succeeded"


def test_later_steps_build_on_the_earlier_ones_offline(auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "costs")
    segments = [s["name"] for s in current(campaign, "customers").content["segments"]]
    assert segments == ["Wedding florists", "Corner shops"]
    objectives = current(campaign, "objectives").content["objectives"]
    assert {o["segment"] for o in objectives} == set(segments), "objectives name the customer segments"
    assert objectives[-1]["date"] == "2031-06-30"
    mechanics = current(campaign, "mechanics").content
    served = {t["serves"] for c in mechanics["channels"] for t in c["tactics"]}
    assert served <= {o["objective"] for o in objectives}, "each tactic serves one of the objectives"
    assert "TikTok" not in [c["channel"] for c in mechanics["channels"]]
    assert "Newsletter" in [c["channel"] for c in mechanics["channels"]]
    costs = current(campaign, "costs").content
    assert {i["channel"] for i in costs["line_items"]} >= {"LinkedIn", "Instagram"}, "costs price the mechanics"
    assert costs["budget"] == "10000.00" and costs["currency"] == "EUR" and costs["over_budget"] is False


def test_the_campaign_page_is_well_formed_with_all_five_steps(auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "costs")
    auth_client.post(f"/campaigns/{campaign.id}/steps/customers/regenerate", data={"feedback": "Shorter"})
    work()
    page = check_page("/campaigns", auth_client.get(f"/campaigns/{campaign.id}"))
    assert len([i for i in page.ids if i.startswith("regenerate-") and "-" not in i[len("regenerate-"):]]) == 5
    for kind in STEP_KINDS:
        for url in (f"/campaigns/{campaign.id}/steps/{kind}/versions", f"/campaigns/{campaign.id}/steps/{kind}/edit",
                    f"/campaigns/{campaign.id}/steps/{kind}/regenerate", f"/campaigns/{campaign.id}/steps/{kind}?v=1"):
            check_page(url, auth_client.get(url))


def test_a_step_is_blocked_until_the_one_before_has_a_version(auth_client, htmx, app, campaign):
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    card = section(page, "customers")
    assert "<button type=\"button\" disabled" in card and "Generate the competitor analysis first" in card
    before = counts(app)
    response = htmx.post(f"/campaigns/{campaign.id}/steps/customers/generate", data=INPUTS["customers"])
    assert response.status_code == 409
    assert "Generate the competitor analysis first" in response.get_data(as_text=True)
    assert counts(app) == before


def test_regenerate_opens_a_dialog_with_the_current_version(htmx, auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "competitors")
    card = htmx.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    link = re.search(r'<a class="button primary" href="([^"]+)" hx-get="([^"]+)" hx-target="([^"]+)"', card)
    assert link and link.group(1) == link.group(2) == f"/campaigns/{campaign.id}/steps/competitors/regenerate"
    assert link.group(3) == "#regenerate-competitors" and 'id="regenerate-competitors"' in card

    dialog = htmx.get(link.group(2)).get_data(as_text=True)
    assert dialog.lstrip().startswith("<dialog") and " data-open" in dialog.split(">", 1)[0], "gtm.js opens it"
    assert '<label for="regenerate-competitors-feedback">What should change?</label>' in dialog
    assert "autofocus" in dialog.split("<textarea", 1)[1].split(">", 1)[0]
    for pick in ("More concise", "More detail", "Different angle"):
        assert f'name="quick" value="{pick}"' in dialog
    assert "Floranext" in dialog, "the dialog shows the current version"
    assert 'hx-target="#step-competitors"' in dialog


def test_regenerate_with_feedback_keeps_the_old_version(htmx, auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "customers")
    before = current(campaign, "customers").content
    response = htmx.post(f"/campaigns/{campaign.id}/steps/customers/regenerate",
                         data={"feedback": "Focus on wedding season", "quick": "More detail"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="step-customers"' in body and "<progress" in body and "<dialog" not in body

    work()

    versions = StepVersion.query.filter_by(campaign_id=campaign.id, kind="customers").order_by("number").all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].content == before and not versions[0].is_current
    assert versions[1].is_current and versions[1].based_on == 1
    assert versions[1].feedback == "More detail. Focus on wedding season"
    assert "Revised for: More detail. Focus on wedding season" in versions[1].content["summary"]
    assert len(versions[1].content["segments"][0]["pains"]) > len(before["segments"][0]["pains"]), "more detail"
    card = htmx.get(f"/campaigns/{campaign.id}/steps/customers").get_data(as_text=True)
    assert "v2 of 2" in card and "Revised from v1 for: “More detail. Focus on wedding season”" in card


def test_regenerate_without_javascript_is_a_page_and_a_redirect(auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "competitors")
    page = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors/regenerate").get_data(as_text=True)
    assert "<dialog" not in page and "hx-post" not in page.split('id="regenerate-form-competitors"')[1].split(">")[0]
    assert 'method="post" action="/campaigns/' in page
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate",
                                data={"quick": "More concise"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}#step-competitors")
    work()
    version = current(campaign, "competitors")
    assert version.number == 2 and version.feedback == "More concise."
    assert len(version.content["competitors"][0]["strengths"]) == 2, "more concise: shorter lists"


@pytest.mark.parametrize("data, message", [
    ({"feedback": "   "}, "Say what should change"),
    ({"feedback": "x" * (steps.STEP_FEEDBACK_MAX + 1)}, f"at most {steps.STEP_FEEDBACK_MAX:,} characters"),
    ({"feedback": "", "quick": "Make it pop"}, "Choose quick picks from"),
])
def test_bad_feedback_keeps_the_dialog_open_and_changes_nothing(htmx, auth_client, app, campaign, work, data, message):
    generate_until(auth_client, work, campaign, "competitors")
    before = counts(app)
    response = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data=data)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#regenerate-form-competitors"
    assert response.headers["HX-Reswap"] == "outerHTML"
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<form id="regenerate-form-competitors"')
    assert message in body
    if "quick" not in data:
        assert 'aria-invalid="true"' in body
    if data["feedback"].strip():
        assert data["feedback"] in body, "the feedback stays in the form"
    assert counts(app) == before

    page = auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data=data, headers=PLAIN)
    assert page.status_code == 422 and message in page.get_data(as_text=True)
    assert counts(app) == before


def test_regenerating_twice_at_once_is_refused(htmx, auth_client, app, campaign, work):
    generate_until(auth_client, work, campaign, "competitors")
    first = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data={"feedback": "Sharper"})
    assert first.status_code == 200
    before = counts(app)
    second = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data={"feedback": "Sharper"})
    assert second.status_code == 409 and "already being generated" in second.get_data(as_text=True)
    again = htmx.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data=INPUTS["competitors"])
    assert again.status_code == 409
    assert counts(app) == before


def test_regenerating_a_step_with_no_version_is_refused(auth_client, htmx, app, campaign):
    before = counts(app)
    assert auth_client.get(f"/campaigns/{campaign.id}/steps/competitors/regenerate").status_code == 409
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data={"feedback": "More"})
    assert response.status_code == 409 and "generate it first" in response.get_data(as_text=True)
    assert counts(app) == before


@pytest.mark.parametrize("url", [
    "/campaigns/{id}/steps/pricing", "/campaigns/{id}/steps/pricing/regenerate",
    "/campaigns/{id}/steps/pricing/versions", "/campaigns/{id}/steps/pricing/edit",
    "/campaigns/{id}/steps/competitors?v=7", "/campaigns/{id}/steps/competitors?v=two",
    "/campaigns/{id}/steps/competitors/edit?v=7", "/campaigns/{id}/steps/competitors/versions?a=1&b=7",
])
def test_unknown_kinds_and_versions_are_404(auth_client, campaign, work, url):
    generate_until(auth_client, work, campaign, "competitors")
    assert auth_client.get(url.format(id=campaign.id)).status_code == 404


def test_a_diff_needs_two_versions(auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "competitors")
    response = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors/versions?a=1", headers=PLAIN)
    assert response.status_code == 422 and "Choose two versions to compare" in response.get_data(as_text=True)


def test_posts_to_unknown_kinds_and_versions_are_404_and_change_nothing(auth_client, app, campaign, work):
    generate_until(auth_client, work, campaign, "competitors")
    before = counts(app)
    for url, data in [
        ("/campaigns/{id}/steps/pricing/regenerate", {"feedback": "More"}),
        ("/campaigns/{id}/steps/pricing/refresh", {}),
        ("/campaigns/{id}/steps/competitors/versions/9/make-current", {}),
        ("/campaigns/{id}/steps/pricing/versions/1/make-current", {}),
        ("/campaigns/{id}/steps/competitors/edit?v=9", {"summary": "x"}),
    ]:
        assert auth_client.post(url.format(id=campaign.id), data=data).status_code == 404, url
    assert counts(app) == before


def test_page_through_versions_without_changing_the_current_one(htmx, auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "competitors")
    for feedback in ("More detail", "Different angle"):
        auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data={"quick": feedback})
        work()
    card = htmx.get(f"/campaigns/{campaign.id}/steps/competitors").get_data(as_text=True)
    assert "v3 of 3" in card and "Previous version (v2)" in card and "Next version" not in card

    older = htmx.get(f"/campaigns/{campaign.id}/steps/competitors?v=1").get_data(as_text=True)
    assert "v1 of 3" in older and "Older version" in older and "Make v1 current" in older
    assert "Next version (v2)" in older and "Previous version" not in older
    assert f'hx-get="/campaigns/{campaign.id}/steps/competitors?v=2" hx-target="#step-competitors"' in older
    assert current(campaign, "competitors").number == 3, "paging changes nothing"


def test_versions_page_and_highlighted_diff(htmx, auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "objectives")
    auth_client.post(f"/campaigns/{campaign.id}/steps/objectives/regenerate", data={"feedback": "Tighter dates"})
    work()
    page = auth_client.get(f"/campaigns/{campaign.id}/steps/objectives/versions", headers=PLAIN).get_data(as_text=True)
    assert "v2" in page and "v1" in page and "Tighter dates" in page and "Current" in page
    assert "Built on Competitor analysis v1, Customer analysis v1" in page
    assert "<del>Summary: " in page and "<ins>Summary: " in page and "Revised for: Tighter dates" in page
    assert "v1 → v2" in page

    fragment = htmx.get(f"/campaigns/{campaign.id}/steps/objectives/versions?a=2&b=1").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="step-diff"') and "v2 → v1" in fragment
    assert "<del>Summary: " in fragment and "Revised for: Tighter dates" in fragment.split("<del>")[1]

    same = htmx.get(f"/campaigns/{campaign.id}/steps/objectives/versions?a=1&b=1").get_data(as_text=True)
    assert "0 lines added, 0 removed" in same and "<ins>" not in same


def test_make_current_restores_an_older_version_and_marks_later_steps_stale(htmx, auth_client, app, campaign, work):
    generate_until(auth_client, work, campaign, "mechanics")
    auth_client.post(f"/campaigns/{campaign.id}/steps/customers/regenerate", data={"feedback": "Other segments"})
    work()
    # Objectives and mechanics were built on customers v1, which is no longer current.
    assert steps.status_summary(campaign.id)["objectives"]["stale"]

    runs_before = Run.query.count()
    response = htmx.post(f"/campaigns/{campaign.id}/steps/customers/versions/1/make-current")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "v1 of 2" in body
    assert json.loads(response.headers["HX-Trigger"]) == {f"steps-changed-{kind}": {} for kind in STEP_KINDS[2:]}, \
        "later cards refresh too"
    versions = StepVersion.query.filter_by(campaign_id=campaign.id, kind="customers").order_by("number").all()
    assert [(v.number, v.is_current) for v in versions] == [(1, True), (2, False)], "nothing deleted"
    summary = steps.status_summary(campaign.id)
    assert not summary["objectives"]["stale"], "objectives were built on customers v1 again"

    auth_client.post(f"/campaigns/{campaign.id}/steps/customers/versions/2/make-current")
    summary = steps.status_summary(campaign.id)
    assert [k for k in STEP_KINDS if summary[k]["stale"]] == ["objectives", "mechanics"]
    assert Run.query.count() == runs_before, "nothing regenerates without a click"


def test_stale_steps_offer_a_refresh_with_the_new_context(htmx, auth_client, app, campaign, work):
    generate_until(auth_client, work, campaign, "costs")
    auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/regenerate", data={"feedback": "Add Teleflora"})
    work()
    summary = steps.status_summary(campaign.id)
    assert [k for k in STEP_KINDS if summary[k]["stale"]] == ["customers", "objectives", "mechanics", "costs"]
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    for kind in ("customers", "objectives", "mechanics", "costs"):
        card = section(page, kind)
        assert "Stale" in card and "Built on older versions of: Competitor analysis" in card
        assert "Refresh with new context" in card
    assert "Refresh with new context" not in section(page, "competitors")

    response = htmx.post(f"/campaigns/{campaign.id}/steps/customers/refresh")
    assert response.status_code == 200 and "<progress" in response.get_data(as_text=True)
    run = Run.query.filter_by(subject="customers").order_by(Run.id.desc()).first()
    assert run.params["mode"] == "refresh" and run.params["inputs"] == INPUTS["customers"]
    assert run.params["feedback"] == ""
    work()
    refreshed = current(campaign, "customers")
    assert refreshed.number == 2 and refreshed.based_on == 1 and refreshed.context_versions == {"competitors": 2}
    summary = steps.status_summary(campaign.id)
    assert [k for k in STEP_KINDS if summary[k]["stale"]] == ["objectives", "mechanics", "costs"]
    card = htmx.get(f"/campaigns/{campaign.id}/steps/customers").get_data(as_text=True)
    assert "Refreshed from v1 with new context" in card


def test_a_finished_poll_refreshes_the_later_cards(htmx, auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "competitors")
    htmx.post(f"/campaigns/{campaign.id}/steps/customers/generate", data=INPUTS["customers"])
    work()
    response = htmx.get(f"/campaigns/{campaign.id}/steps/customers?poll=1")
    # The later cards are told to fetch themselves; no copy of them comes along out of band.
    assert json.loads(response.headers["HX-Trigger"]) == {
        f"steps-changed-{kind}": {} for kind in ("objectives", "mechanics", "costs")}
    assert "hx-swap-oob" not in response.get_data(as_text=True)
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    for kind in ("customers", "objectives", "mechanics", "costs"):
        assert f'hx-trigger="steps-changed-{kind} from:body"' in section(page, kind)
    assert "steps-changed" not in section(page, "competitors"), "nothing comes before the first step"
    objectives = htmx.get(f"/campaigns/{campaign.id}/steps/objectives").get_data(as_text=True)
    assert "Generate the customer analysis first" not in objectives
    mechanics = htmx.get(f"/campaigns/{campaign.id}/steps/mechanics").get_data(as_text=True)
    assert "Generate the objectives first" in mechanics, "mechanics is still blocked; objectives is not"
    quiet = htmx.get(f"/campaigns/{campaign.id}/steps/customers")
    assert "HX-Trigger" not in quiet.headers


def test_a_poll_that_meets_the_end_of_its_run_polls_again_or_shows_the_result(htmx, app, campaign, work):
    """A poll reads several rows; the job's commit (version and finished run, one transaction) can land
    between any two of them. Whichever read it lands before, the card must not come back finished
    yet without the new version: that card has no poll left, so the result would never appear."""
    poll = f"/campaigns/{campaign.id}/steps/competitors?poll=1"
    htmx.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
    with statements_of(app) as seen:
        htmx.get(poll)
    work()
    for moment in range(len(seen) + 1):
        htmx.post(f"/campaigns/{campaign.id}/steps/competitors/generate", data={})
        with statements_of(app, before=moment, run=work):
            card = htmx.get(poll).get_data(as_text=True)
        work()
        count = StepVersion.query.filter_by(campaign_id=campaign.id, kind="competitors").count()
        assert 'hx-trigger="every 1s"' in card or f"v{count} of {count}" in card, (moment, seen[moment:moment + 1])


def test_a_generate_answered_after_its_run_finished_refreshes_the_later_cards(htmx, app, campaign, work):
    """A worker can finish before the answer to Generate is rendered; that card has no poll left to tell
    the later cards, so the answer itself must ask them to fetch themselves again."""
    url = f"/campaigns/{campaign.id}/steps/competitors/generate"
    with statements_of(app) as seen:
        htmx.post(url, data={})
    work()
    # From the last write on, the request only reads the card: let the job finish before each read.
    last_write = max(i for i, statement in enumerate(seen) if statement.lstrip().upper().startswith(("INSERT", "UPDATE")))
    finished_answers = 0
    for moment in range(last_write + 1, len(seen) + 1):
        with statements_of(app, before=moment, run=work):
            response = htmx.post(url, data={})
        work()
        page = response.get_data(as_text=True)
        if 'hx-trigger="every 1s"' not in page:
            finished_answers += 1
            assert "steps-changed" in response.headers.get("HX-Trigger", ""), moment
    assert finished_answers > 0, "some moment lets the run finish before the card is read"


@pytest.mark.parametrize("kind", STEP_KINDS)
def test_edit_saves_a_hand_edited_version(auth_client, campaign, work, kind):
    generate_until(auth_client, work, campaign, kind)
    page = auth_client.get(f"/campaigns/{campaign.id}/steps/{kind}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '{"' not in html.split("<main", 1)[1], "the edit form is structured, not JSON"
    assert '<label for="edit-summary">Summary</label>' in html

    form = edit_form(campaign.workspace_id, campaign.id, kind)
    data = flat_form(form.fields)
    data["summary"] = "Written by hand."
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/{kind}/edit?v=1", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]

    versions = StepVersion.query.filter_by(campaign_id=campaign.id, kind=kind).order_by("number").all()
    assert [(v.number, v.edited, v.is_current, v.based_on) for v in versions] == [(1, False, False, None),
                                                                                   (2, True, True, 1)]
    old, new = versions[0].content, versions[1].content
    assert new["summary"] == "Written by hand."
    assert {k: v for k, v in new.items() if k != "summary"} == {k: v for k, v in old.items() if k != "summary"}
    assert versions[1].context_versions == versions[0].context_versions
    card = auth_client.get(f"/campaigns/{campaign.id}/steps/{kind}").get_data(as_text=True)
    assert "Edited by hand from v1" in card and "Written by hand." in card


def test_edit_lists_one_item_per_line_and_adds_and_removes_groups(auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "customers")
    data = flat_form(edit_form(campaign.workspace_id, campaign.id, "customers").fields)
    data["segments.0.pains"] = "Too many orders on Valentine's Day\n\n  Lost phone orders  \n"
    data["segments.1._remove"] = "1"
    blank = max(int(k.split(".")[1]) for k in data if k.startswith("segments."))
    data[f"segments.{blank}.name"] = "Event planners"
    data[f"segments.{blank}.description"] = "People who plan weddings and order flowers in bulk."
    data[f"segments.{blank}.pains"] = "Unreliable suppliers"
    data[f"segments.{blank}.jobs_to_be_done"] = "Order for many events at once"
    data[f"segments.{blank}.where_to_reach"] = "Wedding fairs"
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/customers/edit", data=data)
    assert response.status_code == 303
    segments = current(campaign, "customers").content["segments"]
    assert [s["name"] for s in segments] == ["Wedding florists", "Event planners"]
    assert segments[0]["pains"] == ["Too many orders on Valentine's Day", "Lost phone orders"]
    assert segments[1]["objections"] == []


@pytest.mark.parametrize("kind, change, field, message", [
    ("competitors", {"competitors.0.name": ""}, "competitors.0.name", "This is required."),
    ("customers", {"segments.0.pains": ""}, "segments.0.pains", "Add at least 1 item."),
    ("objectives", {"objectives.0.date": "soon"}, "objectives.0.date", "Enter a date as YYYY-MM-DD."),
    ("mechanics", {"loyalty_and_referral.0.type": "bribe"}, "loyalty_and_referral.0.type", "Choose one of"),
    ("costs", {"line_items.1.unit_cost": "cheap"}, "line_items.1.unit_cost", "Enter a number"),
    ("costs", {"line_items.0.quantity": "-3"}, "line_items.0.quantity", "Must be 0 or more."),
    ("customers", {"summary": "x" * 4001}, "summary", "At most 4,000 characters"),
])
def test_a_bad_edit_shows_errors_next_to_fields_and_saves_nothing(auth_client, app, campaign, work, kind, change,
                                                                    field, message):
    generate_until(auth_client, work, campaign, kind)
    data = flat_form(edit_form(campaign.workspace_id, campaign.id, kind).fields)
    data.update(change)
    data["summary"] = data["summary"] if "summary" in change else "A new summary that must not be saved"
    before = counts(app)
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/{kind}/edit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    control_id = "edit-" + field.replace(".", "-")
    error = re.search(rf'<p class="field-error" id="{control_id}-error">([^<]+)</p>', html)
    assert error and message in unescape(error.group(1)), (field, html[:3000])
    assert f'id="{control_id}"' in html and "nothing was saved" in html
    if "summary" not in change:
        assert "A new summary that must not be saved" in html, "what was typed stays in the form"
    assert counts(app) == before


def test_edited_costs_are_totalled_again_by_the_code(auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "costs")
    data = flat_form(edit_form(campaign.workspace_id, campaign.id, "costs").fields)
    items = sorted({int(k.split(".")[1]) for k in data if k.startswith("line_items.")})
    for index in items[:-1]:
        data[f"line_items.{index}._remove"] = "1"
    data["line_items.0._remove"] = ""
    data["line_items.0.unit_cost"] = "0.1"
    data["line_items.0.quantity"] = "3"
    data[f"line_items.{items[-1]}.item"] = "Photographer, per day"
    data[f"line_items.{items[-1]}.unit_cost"] = "10000"
    data[f"line_items.{items[-1]}.quantity"] = "1"
    assert auth_client.post(f"/campaigns/{campaign.id}/steps/costs/edit", data=data).status_code == 303
    content = current(campaign, "costs").content
    assert [i["total"] for i in content["line_items"]] == ["0.30", "10000.00"]
    assert content["grand_total"] == "10000.30" and content["over_budget"] is True and content["over_by"] == "0.30"
    page = auth_client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    card = section(page, "costs")
    assert "Over budget" in card and "0.30 EUR" in card and "10,000.30 EUR" in card


@pytest.mark.parametrize("kind, inputs, field, message", [
    ("costs", {"budget_cap": "lots", "currency": "EUR"}, "budget_cap", "as a number"),
    ("costs", {"budget_cap": "-5", "currency": "EUR"}, "budget_cap", "cannot be negative"),
    ("costs", {"budget_cap": "100", "currency": "EURO"}, "currency", "three-letter currency code"),
    ("objectives", {"kpi_targets": "", "deadline": "next week"}, "deadline", "YYYY-MM-DD"),
    ("customers", {"segments": "x" * 1001}, "segments", "At most 1,000 characters"),
])
def test_bad_step_inputs_are_refused_next_to_the_field(htmx, auth_client, app, campaign, work, kind, inputs, field,
                                                       message):
    generate_until(auth_client, work, campaign, kind, include_last=False)
    before = counts(app)
    response = htmx.post(f"/campaigns/{campaign.id}/steps/{kind}/generate", data=inputs)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{kind}-{field}-error">[^<]*{re.escape(message)}', html), html[:3000]
    assert counts(app) == before


def test_costs_inputs_are_normalised(auth_client, campaign, work):
    generate_until(auth_client, work, campaign, "mechanics")
    auth_client.post(f"/campaigns/{campaign.id}/steps/costs/generate",
                     data={"budget_cap": "2,500.5", "currency": "usd"})
    work()
    version = current(campaign, "costs")
    assert version.inputs == {"budget_cap": "2500.50", "currency": "USD"}
    assert version.content["budget"] == "2500.50" and version.content["currency"] == "USD"


@pytest.mark.parametrize("kind", STEP_KINDS)
def test_live_preview_shows_readable_text_for_every_kind(htmx, auth_client, app, campaign, work, kind):
    from gtm.llm.offline import COMPOSERS, Facts

    generate_until(auth_client, work, campaign, kind, include_last=False)
    htmx.post(f"/campaigns/{campaign.id}/steps/{kind}/generate", data=INPUTS[kind])
    run = Run.query.filter_by(subject=kind).order_by(Run.id.desc()).first()
    earlier = {k: current(campaign, k).content for k in STEP_KINDS[:STEP_KINDS.index(kind)]}
    text = json.dumps(COMPOSERS[kind](Facts({"campaign": {"name": "Bloom"}, "inputs": INPUTS[kind],
                                                         "earlier": earlier, "today": "2030-01-01"})), indent=1)
    broker.live_text.append(run.id, text[: len(text) // 2])
    card = htmx.get(f"/campaigns/{campaign.id}/steps/{kind}").get_data(as_text=True)
    preview = card.split('class="live-preview"', 1)[1].split("</div>", 1)[0]
    assert "<p>" in preview and '":' not in preview and "{" not in preview, preview
    work()
    assert "live-preview" not in htmx.get(f"/campaigns/{campaign.id}/steps/{kind}").get_data(as_text=True)


def test_readable_lines_and_diff_helpers():
    old = {"summary": "A", "segments": [{"name": "One", "pains": ["p1", "p2"]}]}
    new = {"summary": "A", "segments": [{"name": "One", "pains": ["p1", "p3"]}]}
    assert step_content.readable_lines(old) == ["Summary: A", "Segment: One", "  One › Pains: • p1",
                                                "  One › Pains: • p2"]
    rows = [(r.op, r.text) for r in step_content.diff_lines(old, new)]
    assert ("removed", "  One › Pains: • p2") in rows and ("added", "  One › Pains: • p3") in rows
    assert sum(1 for op, _ in rows if op == "same") == 3
