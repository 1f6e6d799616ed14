"""Indexes for the lists read a page at a time

A workspace's campaigns, a campaign's chat and its alerts are read newest first, a page at a
time, by keyset (`id < cursor`). An index on the owner and the id gives each page in order,
without sorting the owner's whole list, so a page costs the same however long the list is.
Strategy and step versions are already indexed by campaign and number (their unique constraints).

Revision ID: 5e8d1c3a9b72
Revises: 190c54fb35fd
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op


revision = '5e8d1c3a9b72'
down_revision = '190c54fb35fd'
branch_labels = None
depends_on = None

INDEXES = (
    ("campaign", "ix_campaign_workspace_id_id", ["workspace_id", "id"]),
    ("chat_message", "ix_chat_message_campaign_id_id", ["campaign_id", "id"]),
    ("alert", "ix_alert_campaign_id_id", ["campaign_id", "id"]),
)


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _ in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
