"""The activity history: who changed what and when, per workspace and per campaign

One row per change, with the sentence a person reads, who made it (a member, or "gtm" for scheduled
work) and the page of what changed. Both lists are read newest first a page at a time, from the
(workspace_id, id) and (campaign_id, id) indexes. No history exists for earlier changes; the table
starts empty.

Revision ID: f2c8a5d1e9b4
Revises: a8c3f5e2d9b1
Create Date: 2026-12-06 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'f2c8a5d1e9b4'
down_revision = 'a8c3f5e2d9b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'activity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=254), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('link', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_activity_actor_id_user')),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_activity_campaign_id_campaign')),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_activity_workspace_id_workspace')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_workspace_id'), ['workspace_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_activity_workspace_id_id', ['workspace_id', 'id'], unique=False)
        batch_op.create_index('ix_activity_campaign_id_id', ['campaign_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_campaign_id_id')
        batch_op.drop_index('ix_activity_workspace_id_id')
        batch_op.drop_index(batch_op.f('ix_activity_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_activity_workspace_id'))
    op.drop_table('activity')
