"""The instance administrators' jobs dashboard, /admin/jobs: named from the command line, it shows the queues, the
workers and the failed jobs of the real RQ, requeues or deletes a failed job, and does not exist for anyone else."""
import re

import pytest

from gtm import queue
from gtm.cli import cli
from gtm.models import User
from gtm.services import accounts
from gtm.services.jobs_dashboard import error_summary

from tests.kit.clients import PASSWORD, log_in, new_client
from tests.kit.jobs import FAIL_ON_PURPOSE, BurstWorker, queue_length, rq_queue


@pytest.fixture
def admin(app, user):
    return accounts.set_admin(accounts.sign_up("admin@example.com", PASSWORD).id)


@pytest.fixture
def admin_client(app, admin):
    return log_in(new_client(app), admin.email)


def dashboard_rules(app):
    found = [(rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")
             for method in sorted(rule.methods & {"GET", "POST"})]
    assert ("/admin/jobs", "GET") in found and ("/admin/jobs/requeue", "POST") in found
    return found


def failed_count(text: str) -> str:
    """The Failed column of the gtm queue's row."""
    row = re.search(r'<th scope="row">gtm</th>(.*?)</tr>', text, re.S).group(1)
    return re.findall(r"<td>(\d+)</td>", row)[-1]


def test_an_administrator_sees_the_queues_workers_and_failed_jobs_and_requeues_or_deletes_one(
        app, work, admin_client):
    for number in (1, 2):
        with app.test_request_context():
            queue.enqueue(FAIL_ON_PURPOSE, number, timeout=60)
    work()  # a real RQ worker runs both (twice each: gtm's jobs get one retry) and RQ keeps them as failed
    idle = BurstWorker([rq_queue(app)], connection=rq_queue(app).connection, name="idle-one")
    idle.register_birth()
    idle.set_state("idle")
    try:
        response = admin_client.get("/admin/jobs")
    finally:
        idle.register_death()
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert 'href="/admin/jobs">Jobs</a>' in text  # the nav names it for administrators
    assert failed_count(text) == "2"
    assert "idle-one" in text and ">idle</span>" in text and "s ago" in text
    # Each failed job with its error's own lines first, the traceback one click away.
    assert f"{FAIL_ON_PURPOSE}(1)" in text and f"{FAIL_ON_PURPOSE}(2)" in text
    assert '<pre class="job-error">RuntimeError: Job 1 failed on purpose.\nIt says so on a second line.</pre>' in text
    assert "<summary>Traceback</summary>" in text

    response = admin_client.post("/admin/jobs/requeue", data={"job_id": queue.job_id(1)})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/jobs"
    assert queue_length(app) == 1
    text = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert failed_count(text) == "1" and f"The job {queue.job_id(1)} is back on its queue." in text
    work()
    assert queue_length(app) == 0 and failed_count(admin_client.get("/admin/jobs").get_data(as_text=True)) == "2"

    response = admin_client.post("/admin/jobs/delete", data={"job_id": queue.job_id(2)})
    assert response.status_code == 303
    text = admin_client.get("/admin/jobs").get_data(as_text=True)
    assert failed_count(text) == "1" and f"{FAIL_ON_PURPOSE}(2)" not in text
    # Gone, or never there: the answer says so and nothing changes.
    for job_id in (queue.job_id(2), "no-such-job"):
        for action in ("requeue", "delete"):
            response = admin_client.post(f"/admin/jobs/{action}", data={"job_id": job_id})
            assert response.status_code == 404 and "No failed job has the id" in response.get_data(as_text=True)
    response = admin_client.post("/admin/jobs/requeue", data={"job_id": " "})
    assert response.status_code == 422 and "Name the failed job by its id." in response.get_data(as_text=True)
    # A page of another site cannot make an administrator's browser act: without the CSRF token nothing happens.
    response = admin_client.post("/admin/jobs/delete", data={"job_id": queue.job_id(1)}, with_csrf=False)
    assert response.status_code == 400
    assert failed_count(admin_client.get("/admin/jobs").get_data(as_text=True)) == "1" and queue_length(app) == 0


def test_the_dashboard_does_not_exist_for_others_and_asks_the_signed_out_to_log_in(app, auth_client, admin,
                                                                                   admin_client):
    owner_page = auth_client.get("/settings").get_data(as_text=True)
    assert "/admin/jobs" not in owner_page
    anonymous = new_client(app)
    for rule, method in dashboard_rules(app):
        response = auth_client.open(rule, method=method, data={"job_id": "x"})
        assert response.status_code == 404, (rule, method)
        assert "/admin" not in response.get_data(as_text=True)
        response = anonymous.open(rule, method=method, data={"job_id": "x"})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), (rule, method)
    assert admin_client.get("/admin/jobs").status_code == 200
    # Withdrawn, the page is gone at once, in the session that had it.
    accounts.set_admin(admin.id, False)
    assert admin_client.get("/admin/jobs").status_code == 404


def test_the_cli_names_and_withdraws_administrators(app, user):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(cli, args=list(args))

    result = run("users", "create", "boss@example.com", "--password", PASSWORD, "--admin")
    assert result.exit_code == 0 and "an administrator" in result.output, result.output
    assert User.query.filter_by(email="boss@example.com").one().is_admin
    assert not User.query.filter_by(email=user.email).one().is_admin
    result = run("users", "set-admin", user.email.upper())
    assert result.exit_code == 0 and f"{user.email} is now an administrator" in result.output
    assert User.query.filter_by(email=user.email).one().is_admin
    result = run("users", "set-admin", user.email, "--revoke")
    assert result.exit_code == 0 and "is no longer an administrator" in result.output
    assert not User.query.filter_by(email=user.email).one().is_admin
    result = run("users", "set-admin", user.email, "--revoke")
    assert result.exit_code == 0 and "(unchanged)" in result.output
    for email, said in (("nobody@example.com", "No user with the email nobody@example.com"),
                        ("not an address", "not a valid email address")):
        result = run("users", "set-admin", email)
        assert result.exit_code == 2 and said in result.output, result.output
    assert User.query.filter_by(is_admin=True).count() == 1


def test_a_failed_jobs_error_is_summed_up_by_the_exception_it_names():
    chained = ("Traceback (most recent call last):\n  File \"a.py\", line 1, in f\n    g()\nKeyError: 'x'\n\n"
               "During handling of the above exception, another exception occurred:\n\n"
               "Traceback (most recent call last):\n  File \"b.py\", line 2, in h\n    raise ValueError\n"
               "rq.timeouts.JobTimeoutException: Task exceeded maximum timeout value (60 seconds)\n")
    summary, traceback = error_summary(chained)
    assert summary == "rq.timeouts.JobTimeoutException: Task exceeded maximum timeout value (60 seconds)"
    assert traceback.startswith("Traceback") and "KeyError" in traceback
    assert error_summary("")[0].startswith("No error was recorded")
