"""Configuration read from the environment, with embedded defaults for one machine."""
import os
import secrets
from pathlib import Path

LLM_MODES = ("auto", "openai", "offline")
SIGNUP_MODES = ("open", "closed")


class ConfigError(ValueError):
    """An environment variable with a value gtm cannot use; the message names it."""


def _number(name: str, default: str, kind=int, minimum: float = 0):
    raw = os.environ.get(name, default)
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY, or a key generated once and kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    # Create with 0600 so the key is never world-readable, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database_url(raw: str | None, instance_path: Path) -> str:
    """Normalise DATABASE_URL so PostgreSQL always goes through psycopg 3."""
    if not raw:
        return f"sqlite:///{instance_path / 'gtm.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def llm_provider_name(mode: str, api_key: str | None) -> str:
    """Pick the provider: `auto` means openai with a key and offline without one."""
    if mode not in LLM_MODES:
        raise ConfigError(f"GTM_LLM must be one of {', '.join(LLM_MODES)}, not {mode!r}")
    if mode == "auto":
        return "openai" if api_key else "offline"
    return mode


def signup_mode(mode: str) -> str:
    """Check GTM_SIGNUP: `open` lets anyone sign up, `closed` leaves accounts to `gtm users create`."""
    if mode not in SIGNUP_MODES:
        raise ConfigError(f"GTM_SIGNUP must be one of {', '.join(SIGNUP_MODES)}, not {mode!r}")
    return mode


def rate_limit(name: str, value: str) -> str:
    """Check a rate limit such as "10 per minute" (the `limits` notation; several joined by ";")."""
    from limits import parse_many

    try:
        if not parse_many(value):
            raise ValueError
    except ValueError:
        raise ConfigError(f"{name} must be a rate limit such as '10 per minute', not {value!r}") from None
    return value


SMTP_SCHEMES = ("smtp", "smtps")


def smtp_url(raw: str | None) -> str | None:
    """Check GTM_SMTP_URL: `smtp://[user:password@]host[:port]` (STARTTLS when the server offers it) or
    `smtps://…` (TLS from the start); empty means gtm sends no email."""
    if not raw:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise ConfigError("GTM_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465, "
                          f"not {raw!r}")
    return raw


def base_url(raw: str | None) -> str | None:
    """Check GTM_BASE_URL, the address people open gtm at (links in emails start with it)."""
    if not raw:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"GTM_BASE_URL must be an address such as https://gtm.example.com, not {raw!r}")
    return raw.rstrip("/")


def retry_intervals(raw: str) -> tuple[int, ...]:
    """Read GTM_WEBHOOK_RETRY_INTERVALS: the seconds before each retry of a webhook delivery, comma-separated."""
    try:
        found = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        found = ()
    if not found or any(value < 0 for value in found):
        raise ConfigError(f"GTM_WEBHOOK_RETRY_INTERVALS must be whole seconds such as 60,300,900,1800, not {raw!r}")
    return found


def check(config) -> None:
    """Fail at start-up, with a message naming the variable, on a setting gtm cannot use."""
    llm_provider_name(config["GTM_LLM"], config["OPENAI_API_KEY"])
    signup_mode(config["GTM_SIGNUP"])
    rate_limit("GTM_LOGIN_LIMIT", config["GTM_LOGIN_LIMIT"])
    rate_limit("GTM_LOGIN_ACCOUNT_LIMIT", config["GTM_LOGIN_ACCOUNT_LIMIT"])
    rate_limit("GTM_SIGNUP_LIMIT", config["GTM_SIGNUP_LIMIT"])
    smtp_url(config.get("GTM_SMTP_URL"))
    base_url(config.get("GTM_BASE_URL"))


def metrics_folder(raw: str | None) -> str | None:
    """Check PROMETHEUS_MULTIPROC_DIR: a folder that exists, where every process writes its counts."""
    if raw and not Path(raw).is_dir():
        raise ConfigError(f"PROMETHEUS_MULTIPROC_DIR must be an existing folder, not {raw!r}")
    return raw or None


def _flag(name: str, default: str = "0") -> bool:
    raw = os.environ.get(name, default).strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {raw!r}")


def from_environment(instance_path: Path) -> dict:
    """Build the Flask config mapping from environment variables."""
    env = os.environ
    api_key = env.get("OPENAI_API_KEY") or None
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "GTM_LLM": env.get("GTM_LLM", "auto"),
        "OPENAI_API_KEY": api_key,
        "OPENAI_BASE_URL": env.get("OPENAI_BASE_URL") or None,
        "GTM_MODEL": env.get("GTM_MODEL", "gpt-4o-mini"),
        "GTM_IMAGE_MODEL": env.get("GTM_IMAGE_MODEL", "gpt-image-1"),
        "GTM_WORKERS": _number("GTM_WORKERS", "2"),
        "GTM_LLM_TIMEOUT": _number("GTM_LLM_TIMEOUT", "60", float, minimum=0.1),
        "GTM_LLM_ATTEMPTS": _number("GTM_LLM_ATTEMPTS", "3", minimum=1),
        "GTM_OFFLINE_PACE": _number("GTM_OFFLINE_PACE", "0.04", float),
        # Seconds between a busy worker's heartbeats; a job whose worker misses about three is given up on.
        "GTM_WORKER_HEARTBEAT": _number("GTM_WORKER_HEARTBEAT", "10", minimum=1),
        "GTM_HTMX_CDN": env.get("GTM_HTMX_CDN", "1") != "0",
        # Seconds between the scheduled checks of every campaign's triggers (they are also checked when metrics arrive).
        "GTM_TRIGGER_CHECK_SECONDS": _number("GTM_TRIGGER_CHECK_SECONDS", "900", minimum=1),
        # /metrics in the Prometheus text format: off (404) unless GTM_METRICS=1; with a token, only for
        # `Authorization: Bearer <token>`. PROMETHEUS_MULTIPROC_DIR, read by the client itself, adds up processes.
        "GTM_METRICS": _flag("GTM_METRICS"),
        "GTM_METRICS_TOKEN": env.get("GTM_METRICS_TOKEN") or None,
        "PROMETHEUS_MULTIPROC_DIR": metrics_folder(env.get("PROMETHEUS_MULTIPROC_DIR")),
        # Behind a reverse proxy: trust its X-Forwarded-* headers (this many proxies) and send cookies over HTTPS only.
        "GTM_BEHIND_PROXY": _flag("GTM_BEHIND_PROXY"),
        "GTM_PROXY_X_FOR": _number("GTM_PROXY_X_FOR", "1"),
        "GTM_PROXY_X_PROTO": _number("GTM_PROXY_X_PROTO", "1"),
        "GTM_PROXY_X_HOST": _number("GTM_PROXY_X_HOST", "1"),
        # Attempts per client address, in the `limits` notation ("10 per minute", "5/hour; 20/day").
        "GTM_LOGIN_LIMIT": env.get("GTM_LOGIN_LIMIT", "10 per minute"),
        # Failed log-ins per account, from any number of addresses; past it even the right password waits.
        "GTM_LOGIN_ACCOUNT_LIMIT": env.get("GTM_LOGIN_ACCOUNT_LIMIT", "10 per 15 minutes"),
        "GTM_SIGNUP_LIMIT": env.get("GTM_SIGNUP_LIMIT", "5 per hour"),
        "GTM_SIGNUP": env.get("GTM_SIGNUP", "open"),
        # Email (invitations, password resets) goes out through this server; unset, gtm sends none.
        "GTM_SMTP_URL": env.get("GTM_SMTP_URL") or None,
        "GTM_MAIL_FROM": env.get("GTM_MAIL_FROM") or "gtm@localhost",
        # Where people open gtm; links in emails start with it (pages otherwise use the address they were asked at).
        "GTM_BASE_URL": base_url(env.get("GTM_BASE_URL")),
        # Webhooks: seconds a receiver has to answer one try; the waits before each retry (a delivery is tried
        # once more per number, about an hour in all); and whether receivers may be on private, loopback or
        # link-local addresses (refused unless 1, so a webhook cannot reach the server's own network).
        "GTM_WEBHOOK_TIMEOUT": _number("GTM_WEBHOOK_TIMEOUT", "10", float, minimum=0.1),
        "GTM_WEBHOOK_RETRY_INTERVALS": retry_intervals(env.get("GTM_WEBHOOK_RETRY_INTERVALS", "60,300,900,1800")),
        "GTM_WEBHOOKS_ALLOW_PRIVATE": _flag("GTM_WEBHOOKS_ALLOW_PRIVATE"),
    }
