"""The suite, grouped by what it exercises: unit (functions and services), web (pages and forms through the
Flask test client), api (the JSON API), browser (Chromium through Playwright) and system (real processes,
migrations, production settings). Fixtures and helpers they share live in tests/kit."""
import pytest

pytest.register_assert_rewrite("tests.kit")

pytest_plugins = ["tests.kit.app", "tests.kit.clients", "tests.kit.campaigns", "tests.kit.jobs", "tests.kit.live",
                  "tests.kit.mail"]


def pytest_configure(config):
    config.addinivalue_line("markers", "llm(mode): run the app on the 'openai' provider (the fake server) or 'offline'")
    config.addinivalue_line("markers", "config(**values): override app config values for one test")
    config.addinivalue_line("markers", "own_app: an app of the test's own, for a test that changes the app itself")


# The tests that take longest (a browser, live processes), longest first. They start first, so the
# processes that run the suite (make test: `--dist load`) end together rather than one waiting on the
# other's last long test.
LONG_FIRST = ("tests/browser/test_xss.py", "tests/system/test_soak.py", "tests/browser/", "tests/system/test_gtm_run.py",
              "tests/system/test_workers.py", "tests/system/test_regenerate_races.py", "tests/web/test_form_fuzz.py",
              "tests/system/test_production.py", "tests/api/test_limits_race.py", "tests/system/test_trigger_schedule.py")


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        return next((n for n, part in enumerate(LONG_FIRST) if part in item.nodeid), len(LONG_FIRST))
    items.sort(key=rank)  # stable: the rest keep their order
