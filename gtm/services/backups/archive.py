"""The backup file: one `.tar.gz` holding `gtm-backup/manifest.json`, `gtm-backup/gtm.db` (a SQLite instance's
database, copied with SQLite's online backup) and `gtm-backup/media/<workspace id>/<file>` (the images).

The manifest names the gtm version, the database's migration revision, when the copy was made, the counts of
what the database holds, and a SHA-256 of every file, so a damaged archive is found before anything is restored.
"""
import hashlib
import json
import sqlite3
import tarfile
import zlib
from pathlib import Path, PurePosixPath

from ..errors import ServiceError

FORMAT = "gtm-backup"
FORMAT_VERSION = 1
TOP = "gtm-backup"
DATABASE = "gtm.db"
MEDIA = "media"
# What the manifest counts; restore says the same numbers back.
COUNTED = {
    "workspaces": "SELECT count(*) FROM workspace",
    "users": 'SELECT count(*) FROM "user"',
    "campaigns": "SELECT count(*) FROM campaign",
    "versions": "SELECT count(*) FROM strategy_version",
    "members": "SELECT count(*) FROM strategy_member",
    "posts": "SELECT count(*) FROM post",
    "variants": "SELECT count(*) FROM variant",
    "metrics": "SELECT count(*) FROM metric",
    "images": "SELECT count(*) FROM variant WHERE media_path IS NOT NULL",
}


class BackupRefused(ServiceError):
    """A backup or a restore that cannot go ahead; nothing was written. The message says why and what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def counts(connection) -> dict[str, int]:
    """Count what a database holds, through a DB-API connection (sqlite3) or a SQLAlchemy one."""
    found = {}
    for name, query in COUNTED.items():
        if isinstance(connection, sqlite3.Connection):
            found[name] = connection.execute(query).fetchone()[0]
        else:
            from sqlalchemy import text

            found[name] = connection.execute(text(query)).scalar_one()
    return found


def media_paths(connection: sqlite3.Connection) -> list[str]:
    return [row[0] for row in connection.execute("SELECT media_path FROM variant WHERE media_path IS NOT NULL")]


def revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def write(target: Path, folder: Path, manifest: dict) -> None:
    """Pack `folder` (the database and media already in it) with its manifest into `target`, a new file."""
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        files[path.relative_to(folder).as_posix()] = sha256(path)
    manifest = dict(manifest, files=files)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    with tarfile.open(target, "x:gz") as tar:
        tar.add(folder / "manifest.json", arcname=f"{TOP}/manifest.json")
        for name in files:
            tar.add(folder / name, arcname=f"{TOP}/{name}")


def read(source: Path, into: Path) -> dict:
    """Unpack a backup into the empty folder `into`, check every file against the manifest and return it.

    Raises BackupRefused for a missing file, a file that is not a gtm backup, or a damaged one."""
    if not source.exists():
        raise BackupRefused(f"{source} does not exist.")
    if not source.is_file():
        raise BackupRefused(f"{source} is not a file: a gtm backup is one .tar.gz file made by `gtm backup`.")
    try:
        with tarfile.open(source, "r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(source, member)
            tar.extractall(into, filter="data")
    except BackupRefused:
        raise
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupRefused(f"{source} is not a gtm backup, or it is damaged ({exc}).") from exc
    manifest_path = into / TOP / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise BackupRefused(f"{source} is not a gtm backup: it has no readable {TOP}/manifest.json.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupRefused(f"{source} is not a gtm backup: its manifest does not say format {FORMAT!r}.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(f"{source} is a gtm backup of format {manifest.get('format_version')!r}; "
                            f"this gtm reads format {FORMAT_VERSION}.")
    _check_files(source, into / TOP, manifest)
    return manifest


def _check_member(source: Path, member: tarfile.TarInfo) -> None:
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts or path.parts[:1] != (TOP,) or not (member.isfile() or member.isdir()):
        raise BackupRefused(f"{source} is not a gtm backup: it holds {member.name!r}.")


def _check_files(source: Path, folder: Path, manifest: dict) -> None:
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise BackupRefused(f"{source} is not a gtm backup: its manifest lists no files.")
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    if present != set(listed):
        missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
        raise BackupRefused(f"{source} is damaged: missing {missing or 'nothing'}, unlisted {extra or 'nothing'}.")
    for name, digest in listed.items():
        if sha256(folder / name) != digest:
            raise BackupRefused(f"{source} is damaged: {name} is not the file the backup wrote.")
