"""In Chromium: a marketer brings numbers in from a CSV, reads the charts and the A/B result, sets a trigger,
brings in numbers that break it, sees the alert with its evidence, and opens the pre-filled regeneration; a
trigger made on the results page fires at once, and its alert leads to the regeneration."""
from datetime import date, timedelta

from playwright.sync_api import expect

from gtm.extensions import db
from gtm.models import Alert, Metric

from tests.kit.browser import ARTIFACTS, log_in, plan_on_the_board, screenshot
from tests.kit.triggers import alerts_of, current_posts, low_ctr, phase, record


HEADER = "post,variant,date,impressions,clicks,conversions,spend"


def day(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


def first_week(posts) -> str:
    """Phase 1's numbers over two days; its first post's B clearly beats A on CTR (63 against 42 clicks)."""
    lines = [HEADER]
    for index, post in enumerate(phase(posts, 1)):
        for days_ago in (3, 2):
            a_clicks, b_clicks = ((21, 32 if days_ago == 3 else 31) if index == 0 else (18, 20))
            lines.append(f"{post.key},A,{day(days_ago)},1500,{a_clicks},3,45.00")
            lines.append(f"{post.key},B,{day(days_ago)},1500,{b_clicks},4,45.00")
    return "\n".join(lines) + "\n"


def weak_phase_2(posts) -> str:
    """Phase 2's first days: a CTR of 0.3%, under the 1% the trigger asks for."""
    lines = [HEADER]
    for post in phase(posts, 2):
        for label in "AB":
            lines.append(f"{post.key},{label},{day(1)},900,3,0,20.00")
    return "\n".join(lines) + "\n"


def bring_in(page, name: str, text: str, rows: int):
    """Upload a CSV on the results page, read its preview, and confirm it."""
    section = page.locator("#bring-in")
    section.locator("#metrics-file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}])
    section.get_by_role("button", name="Check the file").click()
    expect(page.locator("#bring-in")).to_contain_text(f"All {rows} rows are ready. Nothing is saved until you confirm")
    page.get_by_role("button", name=f"Save {rows} rows").click()
    expect(page.locator("main")).to_contain_text(f"Recorded {rows} rows; the triggers were checked against them.")


def test_in_a_browser_results_come_in_by_csv_and_an_alert_leads_to_a_prefilled_regeneration(
        live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, live_server, user)
        plan_on_the_board(page, live_server, campaign)
        posts = current_posts(campaign.id)
        page.get_by_role("link", name="Results").click()
        expect(page.locator("#summary")).to_contain_text("No numbers yet.")

        # A first CSV: a mistake is shown by line, and nothing is saved.
        broken = first_week(posts).replace(",1500,21,", ",1500,2100,", 1)
        page.locator("#bring-in").get_by_label("CSV of results").set_input_files(
            files=[{"name": "week-1.csv", "mimeType": "text/csv", "buffer": broken.encode()}])
        page.get_by_role("button", name="Check the file").click()
        expect(page.locator("#bring-in .alert.error")).to_contain_text("1 of 12 rows need attention; nothing was saved.")
        expect(page.locator("#bring-in .preview-table tr.has-error")).to_contain_text(
            "Clicks (2,100) cannot be more than impressions (1,500).")
        expect(page.get_by_role("button", name="Save 12 rows")).to_have_count(0)
        screenshot(page, "results-csv-preview-with-an-error")
        assert Metric.query.count() == 0

        # Fixed, it is previewed and saved; the charts and the A/B result appear.
        bring_in(page, "week-1.csv", first_week(posts), 12)
        summary = page.locator("#summary")
        expect(summary.locator("svg[aria-labelledby='line-title line-desc'] circle")).to_have_count(2)
        expect(summary.locator("svg[aria-labelledby='bars-title bars-desc'] rect.bar")).to_have_count(len({post.phase for post in posts}))
        expect(summary.locator("#line-desc")).to_contain_text(f"CTR by day, {day(3)} to {day(2)}")
        first = phase(posts, 1)[0]
        expect(page.locator(f"#result-post-{first.id}")).to_contain_text("B leads on CTR, 2.1% vs 1.4%, 96% confidence.")
        screenshot(page, "results-charts-and-ab")

        # A trigger on phase 2, which has no numbers yet: it waits.
        page.get_by_text("New trigger").click()
        form = page.locator("#trigger-form")
        form.get_by_label("Watch").select_option("phase-2")
        form.get_by_label("Threshold").fill("1")
        form.get_by_role("button", name="Create trigger").click()
        expect(page.locator("#triggers .trigger")).to_contain_text("Phase 2: CTR below 1% after 1,000 impressions")
        expect(page.locator("#triggers .trigger")).to_contain_text("Waiting")
        expect(page.locator("#alerts")).to_contain_text("No open alerts.")

        # Numbers that break it: the alert, its evidence and the badge.
        bring_in(page, "phase-2.csv", weak_phase_2(posts), 2 * len(phase(posts, 2)))
        alerts = page.locator("#alerts")
        expect(alerts.locator(".alert-card.is-open")).to_have_count(1)
        expect(alerts).to_contain_text("Phase 2 CTR is 0.3% (threshold 1%)")
        expect(alerts.locator("svg[role=img] circle")).to_have_count(1)
        expect(page.locator("#alert-badge")).to_have_text("1 open alert")
        screenshot(page, "results-alert")
        # The top of the page as a person first sees it (the README's picture of the results page).
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "results-overview.png"))
        db.session.expire_all()
        assert Alert.query.filter_by(campaign_id=campaign.id).count() == 1

        # The badge is on the board and the campaign page too.
        page.get_by_role("link", name="Board").click()
        expect(page.locator("#alert-badge")).to_have_text("1 open alert")
        expect(page.locator(f"#post-card-{first.id} .post-ctr")).to_have_text("CTR 1.8%")
        # The post page: each variant's numbers, the A/B result, and the form for one more day.
        page.locator(f"#post-card-{first.id} h4 a").click()
        results_section = page.locator("#results")
        expect(results_section).to_contain_text("B leads on CTR, 2.1% vs 1.4%, 96% confidence.")
        expect(results_section.get_by_role("button", name="Save the day's numbers")).to_be_visible()
        results_section.scroll_into_view_if_needed()
        screenshot(page, "results-post-page")
        page.go_back()
        page.locator("#alert-badge a").click()
        # Until the page has loaded, htmx has not made the link below open a dialog: it is a link to a page.
        page.wait_for_load_state()

        # One click to the regeneration, its direction filled in from the evidence.
        page.locator("#alerts").get_by_role("link", name="Regenerate from phase 2").click()
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("From phase")).to_have_value("2")
        direction = dialog.get_by_label("New direction")
        expect(direction).to_have_value(Alert.query.filter_by(campaign_id=campaign.id).one().action["direction"])
        # The direction states the intent; the evidence goes to the model beside it.
        assert direction.input_value().startswith("Win back clicks in phase 2: ")
        expect(dialog).to_contain_text("Suggested by an alert")
        screenshot(page, "results-regenerate-from-the-alert")
        assert errors == []
        assert (ARTIFACTS / "results-regenerate-from-the-alert.png").exists()
    finally:
        page.close()


def test_in_a_browser_a_new_trigger_fires_and_its_alert_opens_the_regeneration(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        plan_on_the_board(page, live_server, campaign)
        record(campaign, low_ctr(phase(current_posts(campaign.id), 2)))
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/results")
        alerts = page.locator("#alerts")
        expect(alerts).to_contain_text("No open alerts.")
        expect(page.locator("#alert-badge a")).to_have_count(0)

        page.get_by_text("New trigger").click()
        form = page.locator("#trigger-form")
        form.get_by_label("Watch").select_option("phase-2")
        form.get_by_label("Threshold").fill("one percent")
        form.get_by_role("button", name="Create trigger").click()
        expect(page.locator("#trigger-threshold-error")).to_contain_text("Give the threshold as a number")
        expect(page.get_by_label("Threshold")).to_have_value("one percent")
        page.get_by_label("Threshold").fill("1")
        page.get_by_role("button", name="Create trigger").click()
        expect(page.locator("#triggers .trigger")).to_contain_text("Phase 2: CTR below 1% after 1,000 impressions")
        # It fired at once: the alerts section and the badge fetch themselves again.
        expect(alerts.locator(".alert-card.is-open")).to_have_count(1)
        expect(alerts).to_contain_text("Phase 2 CTR is 0.2% (threshold 1%)")
        expect(page.locator("#alert-badge")).to_have_text("1 open alert")
        expect(alerts.locator("svg[role=img] circle")).to_have_count(1)
        screenshot(page, "triggers-and-alerts")

        alerts.get_by_role("link", name="Regenerate from phase 2").click()
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("From phase")).to_have_value("2")
        direction = alerts_of(campaign.id)[0].action["direction"]
        expect(dialog.get_by_label("New direction")).to_have_value(direction)
        expect(dialog).to_contain_text("Suggested by an alert")
        screenshot(page, "regenerate-from-an-alert")
        dialog.get_by_role("button", name="Regenerate").click()
        expect(page.locator("#board")).to_contain_text("Version 2 · regenerated from phase 2: Win back clicks in phase 2")
        expect(page.locator("#alert-badge a")).to_have_count(0)

        page.goto(f"{live_server.url}/campaigns/{campaign.id}/results")
        expect(alerts).to_contain_text("No open alerts.")
        page.get_by_text("Past alerts (1)").click()
        expect(alerts.locator(".past-alerts")).to_contain_text("Regeneration started from this alert")
    finally:
        page.close()
