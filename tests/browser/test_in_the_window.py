"""Nothing a marketer needs sits off-screen: on a 1400 px window the board's Add phases is in view however many
phases there are; on a 390 px phone every table scrolls inside its own frame and says so while it is wider than
the frame (and not when it fits), and every campaign tab is in view; after saving a CSV its confirmation is in
the window, where the upload was."""
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

from tests.browser.test_narrow_screens import subjects  # noqa: F401 - the written campaign with every kind of row
from tests.kit import history
from tests.kit.browser import ARTIFACTS, log_in, screenshot
from tests.kit.triggers import current_posts, day
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

PHONE = {"width": 390, "height": 844}

# What is wrong with the tables of the page shown: a table outside a frame, a frame wider than its table shows
# no hint or no fading edge, a frame that fits shows them, a hint out of the window.
TABLE_PROBLEMS = """() => {
  const problems = [];
  for (const table of document.querySelectorAll("main table")) {
    if (!table.closest(".table-frame > .table-scroll")) {
      problems.push("a table outside a frame: " + table.rows[0].textContent.trim().slice(0, 60));
    }
  }
  for (const frame of document.querySelectorAll("main .table-frame")) {
    const scroller = frame.querySelector(".table-scroll");
    const name = scroller.getAttribute("aria-label");
    if (!scroller.getClientRects().length) { continue; }  // not on screen (a closed section)
    const cue = frame.querySelector(".scroll-cue");
    const box = cue.getBoundingClientRect();
    const shown = !cue.hidden && box.width > 0 && box.height > 0 && getComputedStyle(cue).visibility === "visible";
    const edge = getComputedStyle(frame, "::after").opacity === "1";
    if (scroller.scrollWidth > scroller.clientWidth + 1) {
      if (!shown || !edge) { problems.push(name + ": wider than its frame, and no hint or no edge says so"); }
      if (box.left < 0 || box.right > window.innerWidth) { problems.push(name + ": its hint is out of the window"); }
      if (scroller.tabIndex !== 0) { problems.push(name + ": cannot be scrolled from the keyboard"); }
    } else if (shown || edge) {
      problems.push(name + ": fits, yet says to scroll");
    }
  }
  return problems;
}"""


def inside_the_window(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width


def table_problems(page) -> list[str]:
    """The problems of the page's tables, once gtm.js has measured them (it does so as they change size)."""
    try:
        page.wait_for_function(f"() => ({TABLE_PROBLEMS})().length === 0", timeout=5_000)
    except PlaywrightTimeout:
        pass  # the problems are said below
    return page.evaluate(TABLE_PROBLEMS)


def test_add_phases_is_in_the_window_on_a_board_of_five_phases(user, live_server, browser):
    campaign = history.planned(user.workspace_id, "Five phases", sizes=(2, 3, 2, 3, 2))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
        board = page.locator("#board")
        expect(board.locator(".phase-column")).to_have_count(5)
        add = board.get_by_role("link", name="Add phases after phase 5")
        expect(add).to_be_visible()
        assert inside_the_window(page, add), add.bounding_box()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        # Five phases are wider than the window: the board says so, and stops saying it at the last phase.
        cue = board.locator(".board-frame > .scroll-cue")
        expect(cue).to_have_text("Scroll sideways for more phases →")
        expect(cue).to_be_visible()
        screenshot(page, "board-add-phases-1400")
        board.locator(".board-frame > .table-scroll").evaluate("frame => { frame.scrollLeft = frame.scrollWidth; }")
        expect(board.locator(".board-frame")).to_have_class(re.compile(r"\bat-end\b"))
        expect(board.locator(".phase-column").last).to_be_in_viewport()
        add.click()
        expect(page.locator("dialog#regenerate-strategy-dialog")).to_contain_text("This makes version 2")
    finally:
        page.close()


def test_every_table_scrolls_in_its_frame_and_says_so_at_390_px(subjects, live_server, browser, user):
    # subjects first: its strategy is written by this process's worker before the live server's worker starts.
    ids = {**subjects, "kind": "costs"}
    campaign_url = f"/campaigns/{ids['campaign_id']}"
    pages = [campaign_url, f"{campaign_url}/results", f"{campaign_url}/posts/{ids['post_id']}",
             f"{campaign_url}/steps/costs", f"{campaign_url}/steps/costs?v=1", f"{campaign_url}/steps/costs/regenerate",
             f"{campaign_url}/steps/costs/versions", f"{campaign_url}/strategy/versions",
             f"{campaign_url}/strategy/versions/1", f"/runs/{ids['run_id']}", "/settings"]
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        problems, tables, overflowing = {}, 0, 0
        for url in pages:
            page.goto(f"{live_server.url}{url}")
            # Tables inside closed sections (recorded days, archived posts) are measured as they open.
            page.evaluate("document.querySelectorAll('main details').forEach(d => { d.open = true; })")
            found = table_problems(page)
            if found:
                problems[url] = found
            tables += page.locator("main table").count()
            overflowing += page.locator("main .table-frame.is-overflowing").count()
        assert problems == {}
        assert tables >= 8 and overflowing >= 4, (tables, overflowing)

        page.goto(f"{live_server.url}{campaign_url}/steps/costs")
        frame = page.locator(".table-frame").first
        expect(frame.locator(".scroll-cue")).to_have_text("Scroll sideways for more columns →")
        screenshot(page, "narrow-390-costs-table")
        # Scrolled to its end, the frame has no more columns to hint at on that side.
        frame.locator(".table-scroll").evaluate("s => { s.scrollLeft = s.scrollWidth; }")
        expect(frame).to_have_class("table-frame boxed is-overflowing at-end")

        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(f"{live_server.url}{campaign_url}/results")
        assert table_problems(page) == []
        versions = page.locator("#versions .table-frame")
        expect(versions.locator(".scroll-cue")).to_be_hidden()
        assert not versions.evaluate("f => f.classList.contains('is-overflowing')"), "it fits a wide window"
        expect(versions.get_by_role("columnheader", name="Cost per conversion")).to_be_visible()
        assert inside_the_window(page, versions.get_by_role("columnheader", name="New posts' CTR"))
    finally:
        page.close()


def test_every_campaign_tab_is_in_the_window_at_390_px(subjects, live_server, browser, user):
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        campaign_url = f"/campaigns/{subjects['campaign_id']}"
        for url in (f"{campaign_url}/strategy", f"{campaign_url}/strategy/graph", f"{campaign_url}/strategy/versions",
                    f"{campaign_url}/results"):
            page.goto(f"{live_server.url}{url}")
            tabs = page.get_by_role("navigation", name="Strategy views").get_by_role("link")
            expect(tabs.filter(has_text="open alert")).to_have_count(1)
            for tab in tabs.all():
                assert inside_the_window(page, tab), (url, tab.inner_text(), tab.bounding_box())
        screenshot(page, "narrow-390-tabs")
    finally:
        page.close()


def test_the_csv_confirmation_is_in_the_window_after_saving(user, campaign, live_server, browser):  # noqa: F811
    posts = current_posts(campaign.id)[:4]
    lines = ["post,variant,date,impressions,clicks,conversions,spend"]
    lines += [f"{post.key},{label},{day(2)},1200,30,2,10.00" for post in posts for label in "AB"][:7]
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.set_default_timeout(30_000)
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}/results")
        section = page.locator("#bring-in")
        section.locator("#metrics-file").set_input_files(
            files=[{"name": "week.csv", "mimeType": "text/csv", "buffer": ("\n".join(lines) + "\n").encode()}])
        section.get_by_role("button", name="Check the file").click()
        expect(section).to_contain_text("All 7 rows are ready")
        section.get_by_role("button", name="Save 7 rows").click()

        confirmation = page.get_by_role("status").filter(has_text="Recorded 7 rows")
        expect(confirmation).to_have_text("Recorded 7 rows; the triggers were checked against them.")
        page.wait_for_function("() => location.hash === '#bring-in'")
        box = confirmation.bounding_box()
        height = page.viewport_size["height"]
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= height, (box, height)
        page.screenshot(path=str(ARTIFACTS / "results-csv-recorded-window.png"))  # what the window shows
    finally:
        page.close()
