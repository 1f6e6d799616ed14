"""Migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from gtm import create_app
from gtm.extensions import db

from tests.kit.database import suite_database_url


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
    assert_matches_models(migrated_app(suite_database_url(), tmp_path))


def test_upgrading_existing_data(tmp_path):
    """Rows written before provenance and membership: they gain their run's provider and model, keep one
    current row each, and every post becomes a member of the version that created it."""
    app = migrated_app(suite_database_url() or f"sqlite:///{tmp_path / 'd.db'}", tmp_path)
    now = "2026-01-02 03:04:05+00:00"
    with app.app_context():
        upgrade(revision="61ebb93d77e8")
        with db.engine.begin() as conn:
            for statement in (
                f"INSERT INTO workspace (id, name, created_at) VALUES (1, 'w', '{now}')",
                "INSERT INTO campaign (id, workspace_id, name, product, audience, goals, competitors, channels, "
                f"currency, brief, created_at) VALUES (1, 1, 'c', 'p', 'a', 'g', '[]', '[]', 'USD', '', '{now}')",
                "INSERT INTO run (id, workspace_id, campaign_id, kind, subject, status, params, done, total, message, "
                "error, attempts, provider, model, tokens_in, tokens_out, created_at) VALUES (1, 1, 1, 'step', "
                f"'competitors', 'succeeded', '{{}}', 1, 1, '', '', 1, 'openai', 'gpt-x', 5, 6, '{now}')",
                "INSERT INTO step_version (id, campaign_id, kind, number, content, inputs, feedback, context_versions, "
                f"is_current, edited, run_id, created_at) VALUES (1, 1, 'competitors', 1, '{{}}', '{{}}', '', '{{}}', "
                f"true, false, 1, '{now}'), (2, 1, 'competitors', 2, '{{}}', '{{}}', '', '{{}}', true, false, NULL, "
                f"'{now}')",
                "INSERT INTO post (id, campaign_id, version, is_active, phase, key, title, channel, brief, day, status, "
                f"error, approved, created_at) VALUES (1, 1, 1, false, 1, 'k', 't', 'email', 'b', 0, 'ready', '', "
                f"false, '{now}'), (2, 1, 2, true, 1, 'k', 't', 'email', 'b', 0, 'ready', '', false, '{now}')",
            ):
                conn.execute(text(statement))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, provider, model, tokens_in, is_current FROM step_version "
                                     "ORDER BY id")).all()
            members = conn.execute(text("SELECT version, post_id FROM strategy_member ORDER BY post_id")).all()
        assert [tuple(row) for row in rows] == [(1, "openai", "gpt-x", 0, False), (2, "", "", 0, True)]
        assert [tuple(row) for row in members] == [(1, 1), (2, 2)]
        downgrade(revision="base")
        db.engine.dispose()


def test_existing_users_get_tokens_of_their_own_on_upgrade(tmp_path):
    app = migrated_app(suite_database_url() or f"sqlite:///{tmp_path / 'u.db'}", tmp_path)
    now = "2026-01-02 03:04:05+00:00"
    with app.app_context():
        upgrade(revision="103a80340c8f")
        with db.engine.begin() as conn:
            conn.execute(text(f"INSERT INTO workspace (id, name, created_at) VALUES (1, 'w', '{now}')"))
            conn.execute(text('INSERT INTO "user" (id, email, password_hash, workspace_id, created_at) VALUES '
                              f"(1, 'a@example.com', 'h', 1, '{now}'), (2, 'b@example.com', 'h', 1, '{now}')"))
        upgrade(revision="190c54fb35fd")
        with db.engine.connect() as conn:
            tokens = conn.execute(text('SELECT session_token FROM "user" ORDER BY id')).scalars().all()
        assert len(set(tokens)) == 2 and all(len(token) == 32 and int(token, 16) >= 0 for token in tokens)
        downgrade(revision="103a80340c8f")
        with db.engine.connect() as conn:
            assert conn.execute(text('SELECT count(*) FROM "user"')).scalar() == 2
        downgrade(revision="base")
        db.engine.dispose()


def test_each_existing_user_owns_their_workspace_and_their_tokens_act_in_it(tmp_path):
    app = migrated_app(suite_database_url() or f"sqlite:///{tmp_path / 'w.db'}", tmp_path)
    now = "2026-01-02 03:04:05+00:00"
    with app.app_context():
        upgrade(revision="b3f17c9e4a20")
        with db.engine.begin() as conn:
            conn.execute(text(f"INSERT INTO workspace (id, name, created_at) VALUES (1, 'a', '{now}'), "
                              f"(2, 'b', '{now}')"))
            conn.execute(text('INSERT INTO "user" (id, email, password_hash, workspace_id, created_at, '
                              f"session_token) VALUES (1, 'a@example.com', 'h', 1, '{now}', 's1'), "
                              f"(2, 'b@example.com', 'h', 2, '{now}', 's2')"))
            conn.execute(text("INSERT INTO api_token (id, user_id, name, token_hash, prefix, created_at) VALUES "
                              f"(1, 2, 't', 'x', 'gtm_', '{now}')"))
        upgrade()
        with db.engine.connect() as conn:
            members = conn.execute(text("SELECT workspace_id, user_id, role FROM membership ORDER BY id")).all()
            tokens = conn.execute(text("SELECT id, workspace_id FROM api_token")).all()
        assert [tuple(row) for row in members] == [(1, 1, "owner"), (2, 2, "owner")]
        assert [tuple(row) for row in tokens] == [(1, 2)]
        downgrade(revision="b3f17c9e4a20")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM api_token")).scalar() == 1
        downgrade(revision="base")
        db.engine.dispose()
