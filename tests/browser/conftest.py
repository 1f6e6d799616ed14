"""One Chromium per test process, shared by the browser tests; each test opens pages of its own."""
import pytest

from tests.kit.browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def paced_offline_model(monkeypatch):
    """The live server's offline model writes as a real one streams, slowly enough for a test to see the
    progress a person would see (without it, the model answers at once)."""
    monkeypatch.setenv("TEST_OFFLINE_PACE", "0.02")
