"""Migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from gtm import create_app
from gtm.extensions import db


def migrated_app(url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SECRET_KEY": "x", "REDIS_URL": "unix:///nonexistent.sock"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
    return app


def assert_matches_models(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"migrations and models differ: {differences}"
        tables = set(inspect(db.engine).get_table_names())
        assert {"workspace", "user", "campaign", "step_version", "run", "post", "edge", "variant"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path):
    assert_matches_models(migrated_app(f"sqlite:///{tmp_path / 'm.db'}", tmp_path))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="runs in the PostgreSQL pass of .ci/run (TEST_DATABASE_URL)")
def test_migrations_match_models_on_postgresql(tmp_path):
    assert_matches_models(migrated_app(os.environ["TEST_DATABASE_URL"], tmp_path))
