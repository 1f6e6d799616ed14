"""`gtm restore PATH`: bring a backup back into an empty instance.

Everything is checked before anything is written: the archive and every file's hash, the manifest, the
database's migration revision (older is restored and then upgraded, newer than this gtm is refused), and that the
instance holds no users or campaigns and no images. Then the database is copied in with SQLite's backup API and
the media folder is put back.
"""
import shutil
import sqlite3
import tempfile
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import inspect, text

from ...extensions import db
from .. import media
from . import archive
from .archive import BackupRefused

EMPTY_HINT = ("Restore into a new instance: point GTM_INSTANCE_PATH at a new folder (or DATABASE_URL at a new "
              "database) and run `gtm restore` there.")


def known_revisions() -> tuple[set[str], str]:
    """Every migration revision this gtm has, and its head."""
    config = Config()
    config.set_main_option("script_location", current_app.extensions["migrate"].directory)
    scripts = ScriptDirectory.from_config(config)
    return {script.revision for script in scripts.walk_revisions()}, scripts.get_current_head()


def restore(source: Path) -> dict:
    """Restore the backup at `source` into this (empty) instance; return the counts restored."""
    source = Path(source)
    engine = db.engine
    with tempfile.TemporaryDirectory(prefix=".gtm-restore-", dir=current_app.instance_path) as work:
        manifest = archive.read(source, Path(work))
        content = Path(work) / archive.TOP
        included = manifest.get("database") == "included"
        if included and engine.dialect.name != "sqlite":
            raise BackupRefused(f"{source} holds a SQLite database, and this instance uses {engine.dialect.name}. "
                                "Restore it into an instance on SQLite (leave DATABASE_URL unset).")
        if not included and engine.dialect.name == "sqlite":
            raise BackupRefused(f"{source} holds no database (it was made on PostgreSQL: restore its pg_dump with "
                                "pg_restore into the instance's PostgreSQL database, then run `gtm restore` there).")
        revisions, head = known_revisions()
        revision = manifest.get("revision")
        if revision not in revisions:
            raise BackupRefused(f"{source} was made by a newer gtm (database revision {revision}); this gtm knows "
                                f"revisions up to {head}. Install the newer gtm, then restore.")
        if included:
            restored = _check_database(source, content / archive.DATABASE, manifest)
            _refuse_unless_empty(include_database=True)
            _copy_database(content / archive.DATABASE)
        else:
            restored = _check_server_database(source, manifest)
            _refuse_unless_empty(include_database=False)
        _put_media(content / archive.MEDIA)
    upgraded = revision != head
    if upgraded:
        from flask_migrate import upgrade

        upgrade()
    return {"counts": restored, "revision": revision, "upgraded_to": head if upgraded else None,
            "database": "restored" if included else "already in place (pg_restore)",
            "media_files": len(manifest.get("media_files", []))}


def _check_database(source: Path, copy: Path, manifest: dict) -> dict:
    connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupRefused(f"{source} is damaged: its database fails SQLite's integrity check.")
        found, revision = archive.counts(connection), archive.revision(connection)
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"{source} is damaged: its database cannot be read ({exc}).") from exc
    finally:
        connection.close()
    if found != manifest.get("counts") or revision != manifest.get("revision"):
        raise BackupRefused(f"{source} is damaged: its database does not hold what its manifest says.")
    return found


def _check_server_database(source: Path, manifest: dict) -> dict:
    """A PostgreSQL backup: the database must already be the pg_dump's, restored with pg_restore."""
    with db.engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            raise BackupRefused(f"Restore the database from the backup's pg_dump first (pg_restore --dbname ... "
                                f"gtm.dump), then run `gtm restore {source}` for its images.")
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        found = archive.counts(conn)
    if revision != manifest.get("revision"):
        raise BackupRefused(f"The database is at revision {revision}, the backup's was {manifest.get('revision')}: "
                            "restore the pg_dump taken with this backup first.")
    return found


def _refuse_unless_empty(include_database: bool) -> None:
    if include_database:
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            people = conn.execute(text('SELECT count(*) FROM "user"')).scalar() if "user" in tables else 0
            campaigns = conn.execute(text("SELECT count(*) FROM campaign")).scalar() if "campaign" in tables else 0
        if people or campaigns:
            raise BackupRefused(f"This instance is not empty ({people} user(s), {campaigns} campaign(s)); a backup "
                                f"is restored only into an empty one. {EMPTY_HINT}")
    root = media.root()
    if root.is_dir() and any(path.is_file() for path in root.rglob("*")):
        raise BackupRefused(f"This instance's media folder {root} is not empty; a backup is restored only into an "
                            f"empty one. {EMPTY_HINT}")


def _copy_database(copy: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    backup = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    live = sqlite3.connect(db.engine.url.database, timeout=15)
    try:
        backup.backup(live)  # replaces every page of the instance's database, in one transaction
    finally:
        backup.close()
        live.close()


def _put_media(copy: Path) -> None:
    root = media.root()
    if copy.is_dir():
        shutil.copytree(copy, root, dirs_exist_ok=True)
