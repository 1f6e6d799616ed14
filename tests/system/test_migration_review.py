"""The review migration: a post approved before reviews existed is `approved`, every other post a `draft`, with
nobody recorded as its submitter or reviewer; going back drops the review and the comments."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from gtm.extensions import db

from tests.kit.database import suite_database_url
from tests.system.test_migrations import migrated_app

BEFORE = "c5d2e8f1a7b3"
NOW = "2026-01-02 03:04:05+00:00"


def test_existing_approvals_become_reviews(tmp_path):
    app = migrated_app(suite_database_url() or f"sqlite:///{tmp_path / 'r.db'}", tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            for statement in (
                f"INSERT INTO workspace (id, name, created_at) VALUES (1, 'w', '{NOW}')",
                "INSERT INTO campaign (id, workspace_id, name, product, audience, goals, competitors, channels, "
                f"currency, brief, created_at) VALUES (1, 1, 'c', 'p', 'a', 'g', '[]', '[]', 'USD', '', '{NOW}')",
                "INSERT INTO post (id, campaign_id, version, is_active, phase, key, title, channel, brief, day, status, "
                f"error, approved, created_at) VALUES (1, 1, 1, true, 1, 'a', 't', 'email', 'b', 0, 'ready', '', "
                f"true, '{NOW}'), (2, 1, 1, true, 1, 'b', 't', 'email', 'b', 0, 'ready', '', false, '{NOW}')",
            ):
                conn.execute(text(statement))
        upgrade(revision="e6b1d9a4c2f7")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, review, submitted_by_id, reviewed_by_id FROM post ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, "approved", None, None), (2, "draft", None, None)]
        downgrade(revision=BEFORE)
        assert "comment" not in inspect(db.engine).get_table_names()
        assert "review" not in {column["name"] for column in inspect(db.engine).get_columns("post")}
        db.engine.dispose()
