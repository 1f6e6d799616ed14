"""The short fault soak: bench/soak with 5 campaigns, 2 workers killed mid-job and a Redis restart.

It runs the real thing end to end (gunicorn, `gtm worker` processes, an embedded Redis it kills and starts
again, the fake OpenAI server answering 20% of the calls with a fault), then retries every failure with
the faults off. The long version is `.venv/bin/python -m bench.soak` (50 campaigns, 10 kills)."""
import pytest

from bench.soak import PLAN_SIZES, REGENERATE_SIZES, Soak

from tests.kit.database import suite_database_url


@pytest.fixture
def soak():
    # The soak brings its own Redis (it restarts it) and, on SQLite, its own database file.
    soak = Soak(campaigns=5, workers=3, kills=2, fault_rate=0.2, seed=20261204, concurrency=5, stuck_after=180,
                database_url=suite_database_url())
    yield soak
    soak.print_report()
    soak.close()


def test_faults_killed_workers_and_a_redis_restart_leave_nothing_stuck_or_doubled(soak):
    report = soak.run()

    assert report.breaches == []
    # The chaos really happened, while there was work to lose.
    assert report.kills == 2 and report.kills_in_flight >= 1
    assert report.redis_restarts == 1 and report.runs_in_flight_at_restart >= 1
    assert sum(soak.faults.injected.values()) >= 5
    # Every campaign ended complete: five steps, a plan and a regeneration, every post written once.
    assert report.counts["step versions"] >= 5 * 5
    assert report.counts["strategy versions"] >= 5 * 2
    kept_and_new = PLAN_SIZES[0] + sum(REGENERATE_SIZES)
    assert report.counts["variants"] >= 5 * 2 * kept_and_new
