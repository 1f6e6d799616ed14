"""Strategy changes racing each other over real HTTP: gunicorn with 8 threads and a real `gtm worker`.

Twenty requests leave at the same moment (threads behind a barrier). The campaign's one slot for
strategy changes lets exactly one regeneration through and answers 409 with a JSON error to the
rest; restores mixed in never overlap a change in flight. Whatever wins, the version numbers stay
1..K without gaps or duplicates, `current_version` is K, and the active posts are K's members.
"""
import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event

from gtm.extensions import db
from gtm.models import Campaign, Member, Post, Run, StrategyVersion
from gtm.services import strategy

from tests.kit.strategy import plan_and_write, regenerate
from tests.kit.wait import wait_for

REQUESTS = 20
DIRECTION = "Pivot to a developer-first strategy with technical demos"


class Http:
    """JSON calls to the live server with a Bearer token; answers (status, body), errors included."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def call(self, method: str, path: str, body=None) -> tuple[int, object]:
        request = urllib.request.Request(self.url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        request.add_header("Content-Type", "application/json")
        request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")  # not JSON: the assertions show what came instead

    def regenerate(self, campaign_id: int, phase_num: int, direction: str = DIRECTION):
        return self.call("POST", "/api/agents/regenerate-strategy/",
                         {"campaign_id": str(campaign_id), "phase_num": phase_num, "new_direction": direction})

    def restore(self, campaign_id: int, number: int):
        return self.call("POST", f"/api/campaigns/{campaign_id}/versions/{number}/restore")

    def finished_run(self, run_id, timeout: float = 120) -> dict:
        """Wait until the run has finished; return it as /api/runs says."""
        def finished():
            status, run = self.call("GET", f"/api/runs/{run_id}")
            assert status == 200, run
            return run if run["status"] in ("succeeded", "failed") else None
        return wait_for(finished, timeout=timeout, interval=0.1, message=f"run {run_id} to finish")


def at_once(calls: list) -> list[tuple[int, object]]:
    """Make every call at the same moment, each on its own thread; return their answers in order."""
    barrier = threading.Barrier(len(calls))

    def go(call):
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(go, calls))


def plan_and_wait(http: Http, campaign_id: int) -> None:
    status, body = http.call("POST", f"/api/campaigns/{campaign_id}/strategy")
    assert status == 202, body
    run = http.finished_run(body["run_id"])
    assert run["status"] == "succeeded", run


def versions_in_database(campaign_id: int) -> tuple[list[int], int]:
    """The campaign's version numbers in the order they were made, and its current version."""
    db.session.rollback()
    db.session.expire_all()
    numbers = [v.number for v in StrategyVersion.query.filter_by(campaign_id=campaign_id)
               .order_by(StrategyVersion.id)]
    return numbers, db.session.get(Campaign, campaign_id).current_version


def assert_consistent(campaign_id: int, count: int) -> None:
    """Versions 1..count, made in that order, the last one current, and the active posts exactly its members."""
    numbers, current = versions_in_database(campaign_id)
    assert numbers == list(range(1, count + 1)), numbers
    assert current == count
    members = {m.post_id for m in Member.query.filter_by(campaign_id=campaign_id, version=current)}
    active = {p.id for p in Post.query.filter_by(campaign_id=campaign_id, is_active=True)}
    assert members and active == members


def assert_refused(answer: tuple[int, object]) -> None:
    status, body = answer
    assert status == 409, answer
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], answer


def test_twenty_simultaneous_regenerations_let_exactly_one_through(live_server, campaign, token):
    http = Http(live_server.url, token)
    plan_and_wait(http, campaign.id)

    for round_, phase_num in enumerate((2, 3), start=2):
        # The worker holds still, so the first regeneration is surely in flight while the others arrive.
        with live_server.worker_paused():
            answers = at_once([lambda: http.regenerate(campaign.id, phase_num)] * REQUESTS)
            accepted = [body for status, body in answers if status == 202]
            assert len(accepted) == 1, [status for status, _ in answers]
            for answer in answers:
                if answer[0] != 202:
                    assert_refused(answer)
            assert accepted[0]["version"] == round_
            # Nothing has moved while the change waits for the worker.
            assert versions_in_database(campaign.id) == (list(range(1, round_)), round_ - 1)
            assert http.call("GET", f"/api/runs/{accepted[0]['run_id']}")[1]["status"] == "queued"
        run = http.finished_run(accepted[0]["run_id"])
        assert run["status"] == "succeeded", run
        assert_consistent(campaign.id, round_)
        # Exactly one run was made for the twenty requests.
        assert Run.query.filter_by(campaign_id=campaign.id, kind="regenerate").count() == round_ - 1

    status, versions = http.call("GET", f"/api/campaigns/{campaign.id}/versions")
    assert status == 200 and versions["current_version"] == 3
    assert [(v["number"], v["origin"]) for v in versions["versions"]] == [(3, "regenerate"), (2, "regenerate"),
                                                                          (1, "plan")]


def test_restores_and_regenerations_at_once_change_the_strategy_one_at_a_time(live_server, campaign, token):
    http = Http(live_server.url, token)
    plan_and_wait(http, campaign.id)
    status, body = http.regenerate(campaign.id, 2)
    assert status == 202, body
    assert http.finished_run(body["run_id"])["status"] == "succeeded"
    assert_consistent(campaign.id, 2)

    def mixed() -> list:
        """Half restores of version 1, half regenerations from phases 1 to 3."""
        return [(lambda: http.restore(campaign.id, 1)) if number % 2 else
                (lambda phase=1 + number % 3: http.regenerate(campaign.id, phase)) for number in range(REQUESTS)]

    with live_server.worker_paused():
        answers = at_once(mixed())
        statuses = [status for status, _ in answers]
        for number, answer in enumerate(answers):
            assert answer[0] in ((201, 409) if number % 2 else (202, 409)), answer
            if answer[0] == 409:
                assert_refused(answer)
        restored = [body["version"] for status, body in answers if status == 201]
        accepted = [body for status, body in answers if status == 202]
        assert restored or accepted, statuses
        # A restore is done within its request and frees the slot, so another change may follow it in the
        # same burst; a regeneration keeps the slot until its posts are written, so nothing follows it.
        assert len(accepted) <= 1, statuses
        numbers, current = versions_in_database(campaign.id)
        assert sorted(restored) == numbers[2:] == list(range(3, 3 + len(restored))), (restored, numbers)
        assert current == numbers[-1]
        if not accepted:
            status, body = http.regenerate(campaign.id, 2)
            assert status == 202, body
            accepted = [body]
        assert accepted[0]["version"] == 3 + len(restored)

        # While that regeneration waits for the worker, every change of either kind is refused.
        for answer in at_once(mixed()):
            assert_refused(answer)
        assert versions_in_database(campaign.id)[0] == numbers

    run = http.finished_run(accepted[0]["run_id"])
    # Even when a restore landed between its checks and its slot, the regeneration makes the version it named
    # (see test_a_restore_saved_just_before_a_regeneration_takes_the_slot).
    assert run["status"] == "succeeded", run
    made = [*restored, accepted[0]["version"]]
    assert_consistent(campaign.id, 2 + len(made))
    origins = {v.number: v.origin for v in StrategyVersion.query.filter_by(campaign_id=campaign.id)}
    assert [origins[n] for n in made] == ["restore"] * len(restored) + ["regenerate"] * (len(made) - len(restored))


def test_a_restore_saved_just_before_a_regeneration_takes_the_slot(app, api, campaign, work):
    """The burst above can land a restore between a regeneration's reads and its slot; do it deterministically."""
    plan_and_write(api, campaign, work)
    status, body = regenerate(api, campaign.id, 2)
    assert status == 202
    work()
    this_thread, landed = threading.get_ident(), []

    def restore_first(conn, cursor, statement, *args):
        # Just before the request inserts its run (takes the slot), another request restores version 1.
        if landed or threading.get_ident() != this_thread or not statement.lstrip().startswith("INSERT INTO run "):
            return
        landed.append(statement)
        with app.app_context():
            assert strategy.restore_version(campaign.workspace_id, campaign.id, 1).number == 3

    event.listen(db.engine, "before_cursor_execute", restore_first)
    try:
        status, body = regenerate(api, campaign.id, 3)
    finally:
        event.remove(db.engine, "before_cursor_execute", restore_first)
    assert landed, "the request never took the slot"

    assert status == 202 and body["version"] == 4
    work()
    run = db.session.get(Run, int(body["run_id"]))
    # A 202 names the version it will make: it must make it, on top of the version current when it took the slot.
    assert run.status == "succeeded", run.error
    version = StrategyVersion.query.filter_by(campaign_id=campaign.id, number=4).one()
    assert (version.origin, version.based_on) == ("regenerate", 3)
    assert_consistent(campaign.id, 4)
