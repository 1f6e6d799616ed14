"""A session token per user, so log-out and a new password end every session

A user's session token is part of the user id that sessions and "Keep me logged in" cookies
carry; giving the user a new one ends them all. Every existing user gets a random token of
their own, so the sessions and cookies made before this revision (which carry the bare id)
no longer load: everybody logs in once more.

Revision ID: 190c54fb35fd
Revises: 103a80340c8f
Create Date: 2026-12-06 06:07:28.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '190c54fb35fd'
down_revision = '103a80340c8f'
branch_labels = None
depends_on = None


# Plain ALTER TABLE rather than batch mode: on SQLite a batch operation copies the table and drops the
# old one, which the foreign keys from every workspace's rows to their users refuse. A column added in
# place needs a constant default to be NOT NULL; the rows are then given random tokens one by one.
def upgrade():
    op.add_column('user', sa.Column('session_token', sa.String(length=32), server_default='', nullable=False))
    user = sa.table('user', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    conn = op.get_bind()
    for user_id in conn.execute(sa.select(user.c.id)).scalars().all():
        conn.execute(user.update().where(user.c.id == user_id).values(session_token=secrets.token_hex(16)))


def downgrade():
    op.drop_column('user', 'session_token')
