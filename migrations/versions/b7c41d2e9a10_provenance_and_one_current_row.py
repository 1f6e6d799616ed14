"""Provenance of step versions and variants, and at most one current row of each

Every step version and variant records the provider and model that wrote it, with its tokens.
Existing rows take them from the run that wrote them. A partial unique index then holds "one
current version per step" and "one current version per variant" in the database; rows that
broke that rule before (a race) keep only their newest current row.

Revision ID: b7c41d2e9a10
Revises: 61ebb93d77e8
Create Date: 2026-11-21 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c41d2e9a10'
down_revision = '61ebb93d77e8'
branch_labels = None
depends_on = None

TABLES = {"step_version": ("campaign_id", "kind"), "variant": ("post_id", "label")}


def upgrade():
    for table, group in TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('provider', sa.String(length=20), nullable=False, server_default=''))
            batch.add_column(sa.Column('model', sa.String(length=80), nullable=False, server_default=''))
            batch.add_column(sa.Column('tokens_in', sa.Integer(), nullable=False, server_default='0'))
            batch.add_column(sa.Column('tokens_out', sa.Integer(), nullable=False, server_default='0'))

        rows = sa.table(table, sa.column('id', sa.Integer), sa.column('run_id', sa.Integer),
                        sa.column('is_current', sa.Boolean), sa.column('provider', sa.String),
                        sa.column('model', sa.String), *(sa.column(name) for name in group))
        run = sa.table('run', sa.column('id', sa.Integer), sa.column('provider', sa.String),
                       sa.column('model', sa.String))
        # Tokens were counted per run, not per row, so old rows keep 0 rather than a guess.
        for name in ('provider', 'model'):
            op.execute(rows.update().where(rows.c.run_id.isnot(None)).values({
                name: sa.select(getattr(run.c, name)).where(run.c.id == rows.c.run_id).scalar_subquery()}))

        newest = sa.select(sa.func.max(rows.c.id)).where(rows.c.is_current.is_(True)).group_by(
            *(rows.c[name] for name in group))
        op.execute(rows.update().where(rows.c.is_current.is_(True), rows.c.id.notin_(newest))
                   .values(is_current=False))

        with op.batch_alter_table(table) as batch:
            for name in ('provider', 'model', 'tokens_in', 'tokens_out'):
                batch.alter_column(name, server_default=None)
        op.create_index(f'uq_{table}_current', table, list(group), unique=True,
                        sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))


def downgrade():
    for table in TABLES:
        op.drop_index(f'uq_{table}_current', table_name=table)
        with op.batch_alter_table(table) as batch:
            for name in ('tokens_out', 'tokens_in', 'model', 'provider'):
                batch.drop_column(name)
