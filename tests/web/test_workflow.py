"""The analysis workflow through its pages, on the offline provider: the five steps generated in
order, each card well-formed and blocked until the step before has a version, regenerated with feedback
(in a dialog or without JavaScript), a live preview while the model writes, and unknown steps refused."""
import json
import re
from html import unescape

import pytest

from gtm import broker
from gtm.models import STEP_KINDS, Run, StepVersion
from gtm.services import steps

from tests.kit.pages import check_page
from tests.kit.workflow import INPUTS, PLAIN, SCHEMAS, SHOWS, counts, current, generate_until, section


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
    # The feedback shapes the revision (one more sentence, more pains) rather than being quoted into it.
    summary = versions[1].content["summary"]
    assert "Revised" not in summary and "Focus on wedding season" not in summary
    assert summary.startswith(before["summary"]) and len(summary) > len(before["summary"])
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
