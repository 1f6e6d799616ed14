"""/healthz and /readyz are open to anyone, set no cookie and say nothing more than which part is away.

/readyz with each part taken away in turn (it needs a real worker) is in tests/system/test_readiness.py."""
import json

import pytest

from gtm import create_app

from tests.kit.app import close


def no_cookies(response) -> bool:
    return not response.headers.getlist("Set-Cookie")


def test_healthz_answers_ok_without_a_database(app_config, tmp_path):
    """Liveness touches nothing: an app whose database cannot be opened still answers 200."""
    broken = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/folder/gtm.db"})
    try:
        response = broken.test_client().get("/healthz")
        assert response.status_code == 200
        assert response.get_data(as_text=True).strip() == "ok"
        assert no_cookies(response)
    finally:
        close(broken)


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_needs_no_log_in_and_says_nothing_more(client, path):
    response = client.get(path)
    assert response.status_code in (200, 503)  # never a redirect to the log-in page
    text = response.get_data(as_text=True)
    if path == "/readyz":
        assert set(json.loads(text)) <= {"status", "missing", "checks"}
    for word in ("version", "gunicorn", "Werkzeug", "sqlite", "redis://", "unix://"):
        assert word not in text
