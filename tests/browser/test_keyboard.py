"""With the keyboard alone (Tab, Shift+Tab, Enter, Escape, arrows and typing), from the campaign's page: skip the top
bar, plan the strategy, hear its progress, open the regeneration dialog, find Tab held inside it and focus given back when Escape
closes it, choose phase 2, type a direction, regenerate and see version 2. Every control Tab reaches shows that it
has focus. Then the key pages at 390 px wide: the board scrolls sideways in its own frame, never the page. Saves
test-artifacts/keyboard-regenerate-dialog.png and test-artifacts/a11y-390-*.png."""
import re

import pytest
from playwright.sync_api import expect

from tests.kit.browser import log_in, screenshot

DIRECTION = "Lead with live demos for developers"
STOPS = 'a[href], button, select, textarea, input:not([type=hidden]), [tabindex="0"]'
# The name a person hears for the focused control, and whether its focus can be seen (an outline or a ring).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const name = (el.getAttribute("aria-label") || label || el.innerText || el.value || "").replace(/\\s+/g, " ").trim();
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {name, tag: el.tagName.toLowerCase(), visible: outlined || style.boxShadow !== "none",
          inDialog: !!el.closest("dialog[open]")};
}"""


def settled(page) -> None:
    """Wait until htmx has settled what it swapped in (it binds the new fields' requests then, and focuses the
    autofocus field), as a person would before pressing the next key."""
    page.wait_for_function("() => !document.querySelector('.htmx-swapping, .htmx-settling, .htmx-added')")


def tab_to(page, name: str, unseen: list, back: bool = False, limit: int = 150) -> dict:
    """Press Tab (Shift+Tab when `back`) until the focused control is called `name`; note any focus not shown."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if not focused["visible"]:
            unseen.append(f"{page.url}: {focused['tag']} {focused['name']!r}")
        if focused["name"] == name:
            return focused
    pytest.fail(f"Tab never reached {name!r} on {page.url}")


@pytest.mark.usefixtures("paced_offline_model")
def test_plan_and_regenerate_from_phase_2_with_the_keyboard_alone(live_server, browser, user, campaign):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    unseen = []
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server.url}/campaigns/{campaign.id}")
        expect(page.locator("#strategy").get_by_role("button", name="Plan strategy")).to_be_visible()

        # The first Tab offers to skip the top bar.
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED) == {"name": "Skip to the content", "tag": "a", "visible": True, "inDialog": False}
        expect(page.get_by_role("link", name="Skip to the content")).to_be_in_viewport()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "content"
        tab_to(page, "Direction (optional)", unseen)
        page.keyboard.type("Lead with customer stories")
        tab_to(page, "Plan strategy", unseen)
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"/campaigns/{campaign.id}/strategy$"))
        board = page.locator("#board")
        # The progress the polls bring is said in the page's one polite live region.
        announcer = page.locator("#announcer")
        expect(announcer).to_have_attribute("aria-live", "polite")
        expect(announcer).to_contain_text(re.compile(r"Writing post \d+ of 12"))
        expect(board.locator(".post-card.status-ready")).to_have_count(12, timeout=60_000)
        expect(announcer).to_contain_text("12 posts · 12 ready")
        kept = board.locator(".phase-column").first.locator(".post-card").count()

        # The regeneration dialog: focus in its first field, Tab held inside, Escape gives focus back to the link.
        tab_to(page, "Regenerate from phase 1", unseen)
        page.keyboard.press("Enter")
        dialog = page.locator("dialog#regenerate-strategy-dialog")
        expect(dialog).to_be_visible()
        settled(page)
        expect(dialog.get_by_label("New direction")).to_be_focused()
        stops = dialog.evaluate(f"d => [...d.querySelectorAll({STOPS!r})].filter(e => e.getClientRects().length)"
                                ".length")
        for key in ("Tab", "Shift+Tab"):
            for _ in range(stops + 2):
                page.keyboard.press(key)
                focused = page.evaluate(FOCUSED)
                assert focused and focused["inDialog"], f"{key} left the dialog: {focused}"
                if not focused["visible"]:
                    unseen.append(f"dialog: {focused['tag']} {focused['name']!r}")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        assert page.evaluate(FOCUSED)["name"] == "Regenerate from phase 1", "focus goes back to what opened the dialog"

        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_label("From phase")).to_have_value("1")
        settled(page)
        expect(dialog.get_by_label("New direction")).to_be_focused()
        tab_to(page, "From phase", unseen, back=True)
        page.keyboard.press("ArrowDown")
        expect(dialog.get_by_label("From phase")).to_have_value("2")
        expect(dialog).to_contain_text("Archived (9)")
        tab_to(page, "New direction", unseen)
        page.keyboard.type(DIRECTION)
        screenshot(page, "keyboard-regenerate-dialog")
        tab_to(page, "Regenerate", unseen)
        page.keyboard.press("Enter")

        expect(dialog).to_have_count(0)
        expect(board).to_contain_text(f"Version 2 · regenerated from phase 2: {DIRECTION}")
        expect(board.locator("progress")).to_have_count(0, timeout=60_000)
        expect(board.locator(".post-card.status-ready")).to_have_count(kept + 8)
        expect(announcer).to_contain_text(f"{kept + 8} posts · {kept + 8} ready")
        assert unseen == [], f"focus not shown on: {unseen}"

        narrow(page, live_server.url, campaign.id)
    finally:
        page.close()


def narrow(page, base: str, campaign_id: int) -> None:
    """The key pages at 390 px: none scrolls sideways; the board's phases scroll in their own frame."""
    page.set_viewport_size({"width": 390, "height": 844})
    wide = {}
    for name, path in (("board", f"/campaigns/{campaign_id}/strategy"), ("campaign", f"/campaigns/{campaign_id}"),
                       ("settings", "/settings"), ("graph", f"/campaigns/{campaign_id}/strategy/graph"),
                       ("results", f"/campaigns/{campaign_id}/results"),
                       ("calendar", f"/campaigns/{campaign_id}/calendar")):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
        if name == "board":
            frame = page.locator("#board .board-frame .table-scroll")
            assert frame.evaluate("f => f.scrollWidth > f.clientWidth"), "the board's phases scroll in their frame"
            expect(page.locator("#board .board-frame")).to_contain_text("Scroll sideways for more phases")
        screenshot(page, f"a11y-390-{name}")
    assert wide == {}, f"pages wider than 390 px: {wide}"
