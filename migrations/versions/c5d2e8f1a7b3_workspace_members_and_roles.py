"""Workspaces with several members, each with a role; API tokens for one workspace

Until now every user had one workspace of their own. Each of them becomes that workspace's owner, so
nothing changes meaning: the same person sees and does what they did before. Every existing API token
acts in its user's workspace, as it did.

Revision ID: c5d2e8f1a7b3
Revises: b3f17c9e4a20
Create Date: 2026-12-06 12:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c5d2e8f1a7b3'
down_revision = 'b3f17c9e4a20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'membership',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'user_id', name='uq_membership_workspace_user'),
    )
    op.create_index(op.f('ix_membership_user_id'), 'membership', ['user_id'], unique=False)
    op.create_index(op.f('ix_membership_workspace_id'), 'membership', ['workspace_id'], unique=False)
    # Every user owns the workspace they had.
    op.execute("INSERT INTO membership (workspace_id, user_id, role, created_at) "
               "SELECT workspace_id, id, 'owner', created_at FROM \"user\"")

    # No table points at api_token, so on SQLite the batch may copy it to add the foreign key.
    with op.batch_alter_table('api_token') as batch:
        batch.add_column(sa.Column('workspace_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_api_token_workspace_id'), ['workspace_id'], unique=False)
        batch.create_foreign_key('fk_api_token_workspace_id', 'workspace', ['workspace_id'], ['id'])
    op.execute("UPDATE api_token SET workspace_id = "
               "(SELECT workspace_id FROM \"user\" WHERE \"user\".id = api_token.user_id)")


def downgrade():
    with op.batch_alter_table('api_token') as batch:
        batch.drop_constraint('fk_api_token_workspace_id', type_='foreignkey')
        batch.drop_index(batch.f('ix_api_token_workspace_id'))
        batch.drop_column('workspace_id')
    op.drop_index(op.f('ix_membership_workspace_id'), table_name='membership')
    op.drop_index(op.f('ix_membership_user_id'), table_name='membership')
    op.drop_table('membership')
