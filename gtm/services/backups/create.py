"""`gtm backup PATH`: a consistent copy of a running instance.

SQLite: the database is copied with SQLite's online backup API, which reads one consistent state while the app
and its workers go on writing; then the media folder is copied. An image is written before the row naming it is
committed, and never deleted, so every image the copied database names is in the media copy (files written after
the database copy may come along too, unnamed and harmless).

PostgreSQL: the media folder and the manifest only; the database is taken with `pg_dump` (`pg_dump_command`).
"""
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from ...extensions import db
from .. import media
from . import archive
from .archive import BackupRefused


def gtm_version() -> str:
    try:
        return version("gtm")
    except PackageNotFoundError:
        return "unknown"


def pg_dump_command(url: str, dump: str = "gtm.dump") -> str:
    """The pg_dump command for DATABASE_URL, without its password (pg_dump asks, or reads PGPASSWORD/~/.pgpass)."""
    given = make_url(url)
    plain = URL.create("postgresql", username=given.username, host=given.host, port=given.port,
                       database=given.database, query=given.query)
    return f"pg_dump --format=custom --file {dump} '{plain.render_as_string(hide_password=False)}'"


def backup(target: Path) -> dict:
    """Write a backup of this instance to `target`, a new file; return its manifest."""
    target = Path(target)
    if target.exists() or target.is_symlink():
        raise BackupRefused(f"{target} already exists; a backup never overwrites a file. Choose a new name.")
    if not target.parent.is_dir():
        raise BackupRefused(f"The folder {target.parent} does not exist.")
    engine = db.engine
    manifest = {"format": archive.FORMAT, "format_version": archive.FORMAT_VERSION, "gtm_version": gtm_version(),
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database_kind": engine.dialect.name}
    # The work folder sits beside the target, so a full disk shows up here rather than half-way through.
    with tempfile.TemporaryDirectory(prefix=".gtm-backup-", dir=target.parent) as work:
        folder = Path(work) / "content"
        folder.mkdir()
        if engine.dialect.name == "sqlite":
            manifest.update(_copy_sqlite(Path(engine.url.database), folder / archive.DATABASE))
            manifest["database"] = "included"
        else:
            manifest.update(_describe_server_database())
            manifest["database"] = "not included: take it with pg_dump"
            manifest["pg_dump"] = pg_dump_command(str(engine.url))
        manifest["media_files"] = _copy_media(folder / archive.MEDIA)
        missing = sorted(set(manifest.pop("named_images")) - set(manifest["media_files"]))
        if missing:
            raise BackupRefused(f"The media folder {media.root()} lacks {len(missing)} image(s) the database "
                                f"names (first: {missing[0]}); no backup was written.")
        # Written under a temporary name and linked into place: the target appears complete, or not at all.
        partial = Path(work) / "backup.tar.gz"
        archive.write(partial, folder, manifest)
        try:
            os.link(partial, target)
        except FileExistsError:
            raise BackupRefused(f"{target} already exists; a backup never overwrites a file.") from None
    return manifest


def _copy_sqlite(source: Path, copy: Path) -> dict:
    live = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=15)
    out = sqlite3.connect(copy)
    try:
        live.backup(out)  # all pages in one step: one consistent state, while writers carry on (WAL)
    finally:
        live.close()
    try:
        return {"revision": archive.revision(out), "counts": archive.counts(out),
                "named_images": archive.media_paths(out)}
    finally:
        out.close()


def _describe_server_database() -> dict:
    with db.engine.connect() as conn:
        with conn.begin():
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
            found = {"revision": conn.execute(text("SELECT version_num FROM alembic_version")).scalar(),
                     "counts": archive.counts(conn),
                     "named_images": list(conn.execute(text(
                         "SELECT media_path FROM variant WHERE media_path IS NOT NULL")).scalars())}
    return found


def _copy_media(into: Path) -> list[str]:
    """Copy the media folder's images (not the temporary files of images being written); return their paths."""
    root = media.root()
    copied = []
    if root.is_dir():
        for path in sorted(root.glob("*/*")):
            relative = path.relative_to(root).as_posix()
            if not path.is_file() or path.is_symlink() or media.owner(relative) is None:
                continue
            (into / path.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, into / relative)  # media.store replaces a file whole, so a copy is never half
            copied.append(relative)
    return copied
