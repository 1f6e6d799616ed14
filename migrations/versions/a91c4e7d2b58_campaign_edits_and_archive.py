"""A campaign's last change to its details, and its archiving

`details_changed_at` is when a field the analysis steps read last changed (a step version made before it
is stale); `archived_at` hides a campaign from the campaigns list while keeping everything. Both are
empty for existing campaigns: none was ever edited or archived.

Revision ID: a91c4e7d2b58
Revises: 5e8d1c3a9b72
Create Date: 2026-12-06 10:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'a91c4e7d2b58'
down_revision = '5e8d1c3a9b72'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as for the launch date: a batch drop on SQLite copies the table, which the foreign
# keys from every campaign's rows refuse; SQLite 3.35+ drops a column in place.
def upgrade():
    op.add_column('campaign', sa.Column('details_changed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('campaign', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('campaign', 'archived_at')
    op.drop_column('campaign', 'details_changed_at')
