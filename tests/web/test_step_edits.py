"""Editing a step by hand through its form: every kind saved as an edited version, items one per line, groups
added and removed, costs totalled again by the code, and bad edits or inputs refused next to their field with
nothing saved."""
import re
from html import unescape

import pytest

from gtm.models import STEP_KINDS, StepVersion
from gtm.services import steps
from gtm.web.workflow.fields import edit_form

from tests.kit.workflow import counts, current, flat_form, generate_until, section


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


def test_an_edit_form_field_numbered_in_another_script_is_ignored(auth_client, campaign, work, user):
    steps.start_step(user.workspace_id, campaign.id, "competitors")
    work()
    form = {"summary": "Edited", "competitors.².name": "Ghost"}
    response = auth_client.post(f"/campaigns/{campaign.id}/steps/competitors/edit", data=form)
    assert response.status_code in (303, 422), response.status_code
    assert "Ghost" not in str([v.content for v in StepVersion.query.all()])
