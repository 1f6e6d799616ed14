"""The access log leaves out unchanged polls (GET answered 204) and says how many there were at most once a
minute, through gunicorn's own access logger writing its own file; every other line is kept."""
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from gtm import access_log, create_app
from gtm.access_log import UnchangedPolls


class Clock:
    """The filter's clock, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def gunicorn_log(tmp_path):
    """gunicorn's access logger, writing its file, with the filter on a clock the test moves; put back after."""
    path = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(path))
    logger = Logger(config)
    clock = Clock()
    access = logging.getLogger("gunicorn.access")
    saved = list(access.filters)
    access.filters = [UnchangedPolls(clock=clock)]

    def request(method: str, path_: str, status: str, at: float) -> None:
        clock.now = 1000.0 + at
        environ = {"REQUEST_METHOD": method, "RAW_URI": path_, "PATH_INFO": path_.split("?")[0],
                   "QUERY_STRING": path_.partition("?")[2], "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
        logger.access(SimpleNamespace(status=status, sent=0, headers=[]), SimpleNamespace(headers=[]), environ,
                      timedelta(milliseconds=3))

    def lines() -> list[str]:
        for handler in access.handlers:
            handler.flush()
        return path.read_text().splitlines()

    yield request, lines
    access.filters = saved
    for handler in list(access.handlers):
        handler.close()
        access.removeHandler(handler)


def test_unchanged_polls_are_summarised_once_a_minute(gunicorn_log):
    request, lines = gunicorn_log
    request("GET", "/campaigns/1/strategy?state=abc", "204 NO CONTENT", 0)
    request("GET", "/runs/7?state=1", "204 NO CONTENT", 10)
    request("POST", "/campaigns/1/strategy", "303 SEE OTHER", 20)
    request("DELETE", "/api/webhooks/3", "204 NO CONTENT", 25)
    request("GET", "/campaigns/1/strategy", "200 OK", 30)
    assert len(lines()) == 3, "the polls are left out; the actions and the page are logged"
    assert '"POST /campaigns/1/strategy HTTP/1.1" 303' in lines()[0]
    assert '"DELETE /api/webhooks/3 HTTP/1.1" 204' in lines()[1], "a 204 that is not a poll is an action"
    assert '"GET /campaigns/1/strategy HTTP/1.1" 200' in lines()[2]

    for at in (35, 40, 50, 59):
        request("GET", "/campaigns/1/strategy?state=abc", "204 NO CONTENT", at)
    assert len(lines()) == 3, "less than a minute since the first poll: nothing said yet"
    request("GET", "/campaigns/1/strategy?state=abc", "204 NO CONTENT", 61)
    assert lines()[3] == "7 unchanged polls in the last minute"
    assert not any("state=abc" in line for line in lines())

    request("GET", "/campaigns/1/strategy?state=abc", "204 NO CONTENT", 70)
    request("GET", "/campaigns/1/strategy?state=abc", "204 NO CONTENT", 110)
    assert len(lines()) == 4, "at most one summary a minute"
    request("GET", "/campaigns/1/strategy?state=abc", "204 NO CONTENT", 121)
    assert lines()[4] == "3 unchanged polls in the last minute"
    request("GET", "/runs/7?state=1", "204 NO CONTENT", 300)
    assert lines()[5] == "1 unchanged poll in the last 3 minutes"


def test_the_development_servers_request_log_is_filtered_too():
    """werkzeug's request log records (address, request line, status, size)."""
    polls = UnchangedPolls(clock=Clock())
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s %s',
                               ("127.0.0.1", "GET /runs/7?state=1 HTTP/1.1", "204", "-"), None)
    assert polls.filter(record) is False
    kept = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - "%s" %s %s',
                             ("127.0.0.1", "GET /runs/7 HTTP/1.1", "200", "-"), None)
    assert polls.filter(kept) is True and kept.getMessage() == '127.0.0.1 - - "GET /runs/7 HTTP/1.1" 200 -'


def test_the_app_puts_the_filter_on_the_access_loggers_once(tmp_path):
    create_app({"INSTANCE_PATH": str(tmp_path)})
    access_log.install()
    for name in ("gunicorn.access", "werkzeug"):
        assert sum(isinstance(f, UnchangedPolls) for f in logging.getLogger(name).filters) == 1, name
