"""A step's versions through its pages: paging through them without changing the current one, the
highlighted diff, making an older version current (later steps go stale and offer a refresh), cards that
fetch themselves again when a run ends, and version numbers that name nothing."""
import json

from gtm.models import STEP_KINDS, Run, StepVersion
from gtm.services import steps
from gtm.services.steps import content as step_content

from tests.kit.statements import statements_of
from tests.kit.workflow import INPUTS, PLAIN, current, generate_until, section


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
    # Tighter dates bring the check-points sooner: the summary names the first, and quotes no feedback.
    first = current(campaign, "objectives").content["objectives"][0]["date"]
    assert "<del>Summary: " in page and "<ins>Summary: " in page and f"first check-point on {first}" in page
    assert "Revised for" not in page
    assert "v1 → v2" in page

    fragment = htmx.get(f"/campaigns/{campaign.id}/steps/objectives/versions?a=2&b=1").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="step-diff"') and "v2 → v1" in fragment
    assert "<del>Summary: " in fragment and f"first check-point on {first}" in fragment.split("<del>")[1]

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


def test_readable_lines_and_diff_helpers():
    old = {"summary": "A", "segments": [{"name": "One", "pains": ["p1", "p2"]}]}
    new = {"summary": "A", "segments": [{"name": "One", "pains": ["p1", "p3"]}]}
    assert step_content.readable_lines(old) == ["Summary: A", "Segment: One", "  One › Pains: • p1",
                                                "  One › Pains: • p2"]
    rows = [(r.op, r.text) for r in step_content.diff_lines(old, new)]
    assert ("removed", "  One › Pains: • p2") in rows and ("added", "  One › Pains: • p3") in rows
    assert sum(1 for op, _ in rows if op == "same") == 3


def test_version_numbers_in_other_scripts_name_no_version(auth_client, campaign):
    # "²" and "٣" are digits to str.isdigit() but not to int(): they name nothing, as any other text.
    for raw in ("²", "٣", "1²"):
        response = auth_client.get(f"/campaigns/{campaign.id}/steps/competitors?v={raw}")
        assert response.status_code == 404, raw
