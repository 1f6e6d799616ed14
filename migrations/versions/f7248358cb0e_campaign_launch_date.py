"""A campaign's launch date

The day the launch starts, day 0 of the strategy's posts; the calendar exports (CSV and ICS) place
each post on launch date + day. Optional: existing campaigns have none, and the exports then say
they assume today.

Revision ID: f7248358cb0e
Revises: d4a7b2c8e1f3
Create Date: 2026-11-21 21:47:41.758659

"""
from alembic import op
import sqlalchemy as sa


revision = 'f7248358cb0e'
down_revision = 'd4a7b2c8e1f3'
branch_labels = None
depends_on = None


# Plain ALTER TABLE rather than batch mode: on SQLite a batch drop_column copies the table and drops the
# old one, which the foreign keys from every campaign's rows refuse. SQLite 3.35+ drops a column in place.
def upgrade():
    op.add_column('campaign', sa.Column('launch_date', sa.Date(), nullable=True))


def downgrade():
    op.drop_column('campaign', 'launch_date')
