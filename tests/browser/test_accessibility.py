"""Every page passes axe-core: no serious or critical violation on any page of the URL map.

The walk lists the GET rules of the URL map, fills them with the ids of a campaign that has a written strategy,
results, a trigger that fired and its alert (tests/kit/subjects.py), and opens each one: the owner's pages signed
in, the public ones (log-in, sign-up, an invitation, a reset link, a review link) signed out. Each page gets axe
(a script its browser context adds to every page) and runs it; the forms that open as a dialog are audited open
over the board as well. A GET rule that is neither audited nor listed in NOT_PAGES with its reason fails the test,
so a new page is audited or says why not.
"""
import pytest
from playwright.sync_api import Error as PlaywrightError

from gtm.web.authorization import ENDPOINTS, PUBLIC

from tests.kit.axe import audit, axe_script, start_audit
from tests.kit.browser import log_in
from tests.kit.subjects import page_subjects, page_url
from tests.kit.written import campaign  # noqa: F401 - a campaign with a written strategy, as a fixture

# GET rules that are not HTML pages, and what they answer instead. The JSON API (api.*) answers programs.
NOT_PAGES = {
    "static": "the app's CSS, script and images",
    "favicon": "an icon",
    "strategy.media": "a variant's image",
    "review_links.image": "a variant's image, through a review link",
    "results.template": "a CSV file to save",
    "strategy.mermaid": "Mermaid text to save",
    "exports.export": "a file to save (JSON, Markdown, ZIP, CSV or ICS)",
    "feeds.feed": "a calendar feed (ICS) for calendar apps",
    "health.healthz": "a plain-text liveness probe",
    "health.readyz": "a JSON readiness probe",
    "metrics": "Prometheus metrics as text, for the monitoring",
}
# The forms that htmx opens as a dialog over the page (components/dialog_or_page.html).
DIALOGS = ("strategy.regenerate_strategy", "strategy.regenerate", "strategy.edit_variant", "versions.restore",
           "workflow.regenerate")
# The query a page needs to show what it is for: the comparison of the campaign's two versions.
QUERIES = {"versions.compare": "?a=1&b=2"}
# Pages that are not a rule of their own: the error page, and a review link that no longer works.
EXTRA = {"error page (404)": ("/campaigns/2147483647", False), "gone review link": ("/review/no-such-link", True)}
AT_ONCE = 8  # pages of one browser opening the walk's pages at once


@pytest.fixture
def subjects(user, campaign, auth_client, work):  # noqa: F811 - the kit's written campaign
    return page_subjects(user, campaign, auth_client, work)


def get_rules(app) -> list:
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods), key=lambda rule: rule.rule)


def test_every_page_passes_axe(app, subjects, live_server, browser, user):
    # subjects first: its strategy is written by this process's worker before the live server's worker starts.
    script = axe_script()
    rules = get_rules(app)
    stale = sorted(set(NOT_PAGES) - {rule.endpoint for rule in rules})
    assert not stale, f"NOT_PAGES names endpoints that are not GET rules: {stale}"
    pages = [rule for rule in rules if rule.endpoint not in NOT_PAGES and not rule.endpoint.startswith("api.")]
    walks = {False: [], True: []}  # signed in (the owner), signed out
    for rule in pages:
        url = page_url(rule, subjects) + QUERIES.get(rule.endpoint, "")
        walks[ENDPOINTS.get(rule.endpoint) == PUBLIC].append((rule.rule, url))
    for name, (url, public) in EXTRA.items():
        walks[public].append((name, url))

    found, not_opened, opened = [], [], set()
    contexts = []
    try:
        for public in (False, True):
            # The CSP forbids inline scripts, and axe is injected as one; bypassing it is for the audit only.
            context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
            context.add_init_script(path=str(script))
            contexts.append(context)
            context.set_default_timeout(30_000)
            tabs = [context.new_page() for _ in range(AT_ONCE)]
            if not public:
                log_in(tabs[0], live_server, user)
            jobs = walks[public]
            for start in range(0, len(jobs), AT_ONCE):
                batch = list(zip(tabs, jobs[start:start + AT_ONCE]))
                answers = [(tab, name, url, open_page(tab, live_server.url + url)) for tab, (name, url) in batch]
                audited = []
                for tab, name, url, answer in answers:
                    status, kind = answer if isinstance(answer, tuple) else (answer.status, answer.headers.get(
                        "content-type", ""))
                    expected = 404 if name in EXTRA else 200
                    if status != expected or not kind.startswith("text/html"):
                        not_opened.append(f"{name} ({url}): {status} {kind}")
                        continue
                    tab.wait_for_load_state("networkidle")
                    start_audit(tab)
                    audited.append((tab, name, url))
                for tab, name, url in audited:
                    found += [{"page": url, **violation} for violation in audit(tab)]
                    opened.add(name)
            if not public:
                found += dialogs(tabs[0], live_server.url, subjects, rules, opened)
    finally:
        for context in contexts:
            context.close()

    missing = sorted({rule.rule for rule in pages} - opened)
    report = [f"{v['impact']} {v['rule']} on {v['page']} at {v['target']}: {v['html']}\n    {v['why']}" for v in found]
    problems = ["axe found serious or critical violations:", *report] if found else []
    if not_opened or missing:
        problems += ["pages the walk did not open as HTML (list a non-page in NOT_PAGES with its reason, or give "
                     "the walk the ids it needs in tests/kit/subjects.py):", *not_opened, *missing]
    assert not problems, "\n".join(problems)


def open_page(tab, url):
    """Start opening the page (the tabs open theirs at once); a download answers (status, kind) instead."""
    try:
        return tab.goto(url, wait_until="commit")
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return (200, "a download")
        raise


def dialogs(tab, base: str, subjects, rules, opened: set) -> list[dict]:
    """Open each dialog form over the board, as its link's htmx does, and audit the page with it open."""
    found = []
    board = f"{base}/campaigns/{subjects['campaign_id']}/strategy"
    for rule in (rule for rule in rules if rule.endpoint in DIALOGS):
        url = page_url(rule, subjects)
        tab.goto(board)
        tab.evaluate("url => htmx.ajax('GET', url, {target: '#modal', swap: 'innerHTML'})", url)
        tab.locator("dialog[open]").wait_for()
        start_audit(tab)
        found += [{"page": f"{url} (dialog)", **violation} for violation in audit(tab)]
        opened.add(f"{rule.rule} (dialog)")
    return found
