"""The suite's databases: a temporary SQLite file per app, or PostgreSQL (TEST_DATABASE_URL) with a database
of each test process's own. Every test starts from empty tables."""
import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from gtm.config import database_url as normalised
from gtm.extensions import db

ROOT = Path(__file__).resolve().parents[2]
_DATABASES: dict[str, str] = {}
_CREATED: set = set()  # the PostgreSQL databases whose tables this process created


def suite_database_url() -> str | None:
    """TEST_DATABASE_URL, or, when pytest-xdist runs the suite in several processes, a database of this
    process's own beside it (`test_gw0`, `test_gw1`, …), made on first use."""
    url = os.environ.get("TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or not url.startswith("postgres"):
        return url
    if url not in _DATABASES:
        given = make_url(url)
        name = f"{given.database}_{worker}"
        engine = create_engine(normalised(url, ROOT), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        _DATABASES[url] = given.set(database=name).render_as_string(hide_password=False)
    return _DATABASES[url]


def empty() -> None:
    """Give the current app empty tables, as the models describe them.

    SQLite: the file is replaced by a copy of one made empty once, which is much quicker than dropping and
    creating every table, and is as new as a fresh file (ids start at 1 again). PostgreSQL's database is
    shared, so the first test drops the schema and creates the tables; later tests empty them in one
    TRUNCATE. When the tables are no longer the models' (the migration tests drop the schema), they are
    made again."""
    if db.engine.dialect.name == "sqlite":
        _empty_sqlite()
    else:
        _empty_postgresql()


def _empty_sqlite() -> None:
    path = Path(db.engine.url.database)
    blank = path.with_name(f"{path.name}.empty")
    db.session.remove()
    db.engine.dispose()  # every connection closed, so the write-ahead log is folded in and gone
    for leftover in (path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        leftover.unlink(missing_ok=True)
    if not blank.exists():
        path.unlink(missing_ok=True)
        db.create_all()
        db.engine.dispose()
        shutil.copyfile(path, blank)
    else:
        shutil.copyfile(blank, path)


def _empty_postgresql() -> None:
    names = [table.name for table in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        found = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
        if db.engine.url in _CREATED and found == set(names):
            quoted = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            return
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
    db.create_all()
    _CREATED.add(db.engine.url)
