"""Configuration from the environment: defaults, and a clear error for values gtm cannot use."""
import pytest

from gtm import create_app
from gtm.config import database_url

from tests.kit.processes import run_gtm


@pytest.mark.parametrize("env, message", [
    ({"GTM_LLM": "bogus"}, "GTM_LLM must be one of auto, openai, offline, not 'bogus'"),
    ({"GTM_WORKERS": "many"}, "GTM_WORKERS must be a whole number, not 'many'"),
    ({"GTM_LLM_TIMEOUT": "soon"}, "GTM_LLM_TIMEOUT must be a number, not 'soon'"),
    ({"GTM_LLM_ATTEMPTS": "0"}, "GTM_LLM_ATTEMPTS must be at least 1"),
])
def test_bad_settings_stop_with_a_message_naming_the_variable(tmp_path, env, message):
    result = run_gtm(["worker"], tmp_path, **env)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_worker_without_redis_says_how_to_get_one(tmp_path):
    result = run_gtm(["worker"], tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Cannot reach the embedded Redis" in result.stderr and "gtm run" in result.stderr


def test_defaults_keep_everything_in_the_instance_folder(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "OPENAI_API_KEY", "GTM_LLM"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i")})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'i' / 'gtm.db'}"
    key = (tmp_path / "i" / "secret_key")
    assert app.config["SECRET_KEY"] == key.read_text() and oct(key.stat().st_mode)[-3:] == "600"
    assert create_app({"INSTANCE_PATH": str(tmp_path / "i")}).config["SECRET_KEY"] == key.read_text()
    assert app.extensions.get("gtm.llm") is None
    with app.app_context():
        from gtm import llm
        assert llm.describe() == {"provider": "offline", "model": "offline"}


@pytest.mark.parametrize("raw, expected", [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_urls_use_psycopg_3(raw, expected, tmp_path):
    assert database_url(raw, tmp_path) == expected


def test_auto_uses_openai_when_a_key_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.delenv("GTM_LLM", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "i")})
    with app.app_context():
        from gtm import llm
        assert llm.describe()["provider"] == "openai"
        llm.provider().client.close()
