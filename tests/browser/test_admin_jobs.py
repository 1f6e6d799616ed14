"""An administrator's jobs dashboard in Chromium, against the live server and its real worker: a job that failed on
purpose is shown with its error, requeued (the worker fails it again) and deleted once confirmed, at 390 px
without sideways scrolling, and the browser refuses nothing under the Content-Security-Policy."""
import re

from playwright.sync_api import expect

from gtm import queue
from gtm.services import accounts

from tests.kit.browser import log_in, screenshot
from tests.kit.jobs import FAIL_ON_PURPOSE, rq_queue
from tests.kit.wait import wait_for


def failed_jobs(app) -> int:
    return rq_queue(app).failed_job_registry.count


def test_an_administrator_requeues_and_deletes_a_failed_job_in_chromium(app, live_server, browser, user):
    accounts.set_admin(user.id)
    with app.test_request_context():
        queue.enqueue(FAIL_ON_PURPOSE, 7, timeout=60)
    wait_for(lambda: failed_jobs(app) == 1, message="the live worker to fail the job")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(20_000)
    page.add_init_script("""
        window.__refused = [];
        document.addEventListener("securitypolicyviolation", (e) => window.__refused.push(e.violatedDirective + " " + e.blockedURI));
    """)
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    try:
        log_in(page, live_server, user)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
        expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
        queues = page.locator("table.jobs-queues")
        expect(queues.get_by_role("row", name=re.compile(r"^gtm"))).to_contain_text("1")
        expect(page.locator("table.jobs-workers")).to_contain_text("live-")
        job = page.locator(".failed-job")
        expect(job).to_have_count(1)
        expect(job).to_contain_text(f"{FAIL_ON_PURPOSE}(7)")
        expect(job.locator("pre.job-error").first).to_have_text(
            "RuntimeError: Job 7 failed on purpose.\nIt says so on a second line.")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.set_viewport_size({"width": 1280, "height": 900})
        screenshot(page, "admin-jobs")

        page.get_by_role("button", name=f"Requeue {queue.job_id(7)}").click()
        expect(page.get_by_role("status").filter(has_text="is back on its queue")).to_be_visible()
        # The worker takes it again and it fails again: it is back among the failed jobs.
        wait_for(lambda: failed_jobs(app) == 1 and not rq_queue(app).count, message="the job to fail again")
        page.reload()
        expect(page.locator(".failed-job")).to_have_count(1)

        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.get_by_role("button", name=f"Delete {queue.job_id(7)}").click()
        assert asked and "Delete the failed job" in asked[0]
        expect(page.locator(".failed-job")).to_have_count(1)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name=f"Delete {queue.job_id(7)}").click()
        expect(page.get_by_role("status").filter(has_text="is deleted")).to_be_visible()
        expect(page.get_by_text("No failed jobs.")).to_be_visible()
        assert failed_jobs(app) == 0

        assert page.evaluate("window.__refused") == []
        refused = [line for line in console if "Content Security Policy" in line or "Refused to" in line]
        assert refused == [], refused
    finally:
        page.close()
