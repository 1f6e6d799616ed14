"""/readyz with a real worker: ready, then the database, Redis and the workers each taken away in turn, and the
answer names exactly that part."""
import signal
import time

from gtm import create_app, queue

from tests.kit.app import close

READY = {"status": "ready", "checks": {"database": "ok", "redis": "ok", "workers": "ok"}}


def readyz(app):
    response = app.test_client().get("/readyz")
    assert not response.headers.getlist("Set-Cookie")
    return response.status_code, response.get_json()


def not_ready(checks: dict, missing: list[str]) -> dict:
    return {"status": "not ready", "missing": missing, "checks": checks}


def test_readyz_names_each_part_taken_away(app, app_config, worker_process, tmp_path):
    worker = worker_process()
    assert readyz(app) == (200, READY)

    no_database = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/folder/gtm.db"})
    no_redis = create_app({**app_config, "REDIS_URL": f"unix://{tmp_path}/nobody.sock"})
    try:
        assert readyz(no_database) == (503, not_ready({"database": "missing", "redis": "ok", "workers": "ok"},
                                                      ["database"]))
        # The workers register in Redis, so without it they cannot be counted: unknown, not missing.
        assert readyz(no_redis) == (503, not_ready({"database": "ok", "redis": "missing", "workers": "unknown"},
                                                   ["redis"]))
    finally:
        close(no_database)
        close(no_redis)

    # A worker that dies without a word stays registered until its heartbeat is stale.
    assert queue.live_workers(app) == 1
    assert queue.live_workers(app, now=time.time() + 10 * 60) == 0

    worker.send_signal(signal.SIGTERM)  # a worker that stops says so to Redis
    worker.wait(timeout=30)
    assert readyz(app) == (503, not_ready({"database": "ok", "redis": "ok", "workers": "missing"}, ["workers"]))
