"""Debian's Chromium driven by Playwright: where it is, how it starts, screenshots, and what a marketer does
first in it (log in, plan the strategy)."""
import os
from pathlib import Path

from playwright.sync_api import expect

from .clients import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def plan_on_the_board(page, live_server, campaign):
    page.goto(f"{live_server.url}/campaigns/{campaign.id}/strategy")
    page.get_by_role("button", name="Plan strategy").click()
    board = page.locator("#board")
    expect(board.locator(".post-card.status-ready")).to_have_count(12, timeout=60_000)
    return board
