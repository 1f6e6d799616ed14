"""The `gtm` command: a Flask CLI group built on create_app."""
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import broker, create_app, queue
from .config import ConfigError
from .services import accounts
from .services.errors import ServiceError

log = logging.getLogger("gtm")


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr with the process and the RQ job id on every line."""
    root = logging.getLogger()
    if any(getattr(handler, "gtm", False) for handler in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.gtm = True
    handler.addFilter(queue.JobIdFilter())
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(process)d] [job %(job_id)s] %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(os.environ.get("GTM_LOG_LEVEL", level))


def _create_app(*_args, **_kwargs):
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(f"{exc}. See the configuration table in README.md.") from exc


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def cli():
    """gtm: a go-to-market campaign workbench."""
    configure_logging()


def main() -> None:
    cli(prog_name="gtm")


@cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", type=int, default=None, help="Background workers to start [GTM_WORKERS, default 2].")
@with_appcontext
def run_command(host: str, port: int, workers: int | None):
    """Run everything on this machine: migrations, Redis, workers and the web server."""
    from flask_migrate import upgrade

    app = current_app._get_current_object()
    count = workers if workers is not None else app.config["GTM_WORKERS"]
    upgrade()
    env = dict(os.environ, GTM_INSTANCE_PATH=app.instance_path)
    # Every process writes its metrics to one folder, which /metrics adds up; counts start again with each run.
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", _fresh_folder(Path(app.instance_path) / "metrics"))
    children: list[subprocess.Popen] = []
    embedded = None
    stopping = False

    def stop(signum=None, _frame=None):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        log.info("stopping gtm (%s)", signal.Signals(signum).name if signum else "a process exited")
        _stop_all(children)
        if embedded:
            embedded.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        if not app.config["REDIS_URL"]:
            embedded = broker.EmbeddedRedis(Path(app.instance_path)).start()
            env["REDIS_URL"] = embedded.url
        for number in range(count):
            children.append(_spawn([sys.executable, "-m", "gtm.cli", "worker", "--name", f"gtm-{os.getpid()}-{number}"], env))
        children.append(_spawn([
            sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2", "--threads", "8",
            "--timeout", "60", "--graceful-timeout", "5", "--access-logfile", "-", "gtm:create_app()",
        ], env))
        away = _wait_until_ready(host, port, children)
        if away:
            click.echo(f"gtm started on http://{host}:{port} but is not ready yet ({', '.join(away)} not answering; "
                       "see /readyz).")
        click.echo(f"gtm is running on http://{host}:{port} with {count} worker(s), "
                   f"LLM: {_llm_label(app)}. Press Ctrl-C to stop.")
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    log.error("%s exited with code %s", " ".join(child.args[2:4]), child.returncode)
                    stop()
                    break
            time.sleep(0.5)
    finally:
        stop()


def _fresh_folder(path: Path) -> str:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return str(path)


def _wait_until_ready(host: str, port: int, children: list[subprocess.Popen], timeout: float = 60) -> list[str]:
    """Wait until /readyz answers 200; return the parts still away after `timeout` seconds (none when ready),
    or at once when a child has exited (the caller stops everything)."""
    local = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, f"[{host}]" if ":" in host else host)
    url, away = f"http://{local}:{port}/readyz", ["web server"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(child.poll() is None for child in children):
        try:
            with urllib.request.urlopen(url, timeout=2):
                return []
        except urllib.error.HTTPError as refusal:
            away = json.loads(refusal.read() or b"{}").get("missing") or ["web server"]
        except (OSError, ValueError):
            pass
        time.sleep(0.3)
    return away


def _llm_label(app) -> str:
    from . import llm

    info = llm.describe(app)
    return info["provider"] if info["provider"] == "offline" else f"{info['provider']} ({info['model']})"


def _spawn(command: list[str], env: dict) -> subprocess.Popen:
    # A new session keeps Ctrl-C for us, so we stop children in order; PDEATHSIG covers a kill -9 of us.
    return subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=broker.die_with_parent)


def _stop_all(children: list[subprocess.Popen], grace: float = 10.0) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--name", default=None, help="Worker name (unique per Redis).")
@with_appcontext
def worker_command(burst: bool, name: str | None):
    """Run one background worker on REDIS_URL."""
    try:
        queue.run_worker(current_app._get_current_object(), burst=burst, name=name)
    except broker.RedisUnavailable as exc:
        raise click.ClickException(str(exc)) from exc


@cli.group("users")
def users():
    """Manage users."""


def _problem(exc: ServiceError) -> str:
    """Say what was wrong, field by field when the service names fields."""
    detail = "; ".join(f"{k}: {v}" for k, v in (exc.detail or {}).items()) if isinstance(exc.detail, dict) else ""
    return detail or exc.message


@users.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Make them an administrator of this instance (the jobs dashboard).")
@with_appcontext
def create_user(email: str, password: str, admin: bool):
    """Create a user with a workspace of their own."""
    try:
        user = accounts.sign_up(email, password)
        if admin:
            accounts.set_admin(user.id)
    except ServiceError as exc:
        raise click.ClickException(_problem(exc)) from exc
    click.echo(f"Created {user.email}" + (", an administrator of this instance" if admin else ""))


@users.command("set-admin")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Withdraw it instead: they are no longer an administrator.")
@with_appcontext
def set_admin(email: str, revoke: bool):
    """Make an existing user an administrator of this instance (the jobs dashboard, /admin/jobs), or with
    --revoke no longer one."""
    try:
        user = accounts.user_by_email(email)
    except ServiceError as exc:
        raise click.BadParameter(_problem(exc), param_hint="EMAIL") from exc
    was = user.is_admin
    accounts.set_admin(user.id, not revoke)
    state = "is no longer" if revoke else "is now"
    click.echo(f"{user.email} {state} an administrator of this instance" + (" (unchanged)" if was != revoke else ""))


@users.command("set-password")
@click.argument("email")
@click.option("--password", default=None, help="The new password; without it, it is asked for twice, hidden.")
@with_appcontext
def set_password(email: str, password: str | None):
    """Give a user a new password; every session they have ends (their API tokens stay)."""
    try:
        # The email first, so a typo is reported before anyone types a password.
        user = accounts.user_by_email(email)
        if password is None:
            password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        accounts.set_password(user.id, password)
    except ServiceError as exc:
        raise click.ClickException(_problem(exc)) from exc
    click.echo(f"Set a new password for {user.email}")


@cli.group("tokens")
def tokens():
    """Manage API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
@click.option("--workspace", "workspace_id", type=int, default=None,
              help="The workspace the token acts in (the user's current one by default).")
@with_appcontext
def create_token(email: str, name: str, workspace_id: int | None):
    """Create an API token for a user and print it (the last word of the output)."""
    try:
        user = accounts.user_by_email(email)
        token, raw = accounts.create_token(user.id, name, workspace_id)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"API token for {user.email} in workspace {token.workspace_id}: {raw}")


def _said(counts: dict) -> str:
    return ", ".join(f"{number} {name}" for name, number in counts.items())


@cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path):
    """Write a backup of this instance to PATH (a new .tar.gz file), while gtm runs."""
    from .services import backups

    try:
        manifest = backups.backup(path)
    except backups.BackupRefused as exc:
        raise click.UsageError(exc.message) from exc
    click.echo(f"Wrote {path}: {_said(manifest['counts'])}; {len(manifest['media_files'])} media file(s); "
               f"database revision {manifest['revision']}.")
    if manifest["database"] != "included":
        click.echo("The database is NOT in this file (it is PostgreSQL). Take it now with:\n"
                   f"  {manifest['pg_dump']}\n"
                   "and keep gtm.dump beside the backup; restore it with pg_restore before `gtm restore`.")


@cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path):
    """Restore the backup at PATH into this instance, which must be empty (no users, campaigns or images)."""
    from .services import backups

    try:
        restored = backups.restore(path)
    except backups.BackupRefused as exc:
        raise click.UsageError(exc.message) from exc
    click.echo(f"Restored {path}: {_said(restored['counts'])}; {restored['media_files']} media file(s); "
               f"database {restored['database']}.")
    if restored["upgraded_to"]:
        click.echo(f"The database was at revision {restored['revision']} and is upgraded to {restored['upgraded_to']}.")


def _add_db_command() -> None:
    from flask_migrate.cli import db

    cli.add_command(db)


_add_db_command()

if __name__ == "__main__":
    main()
