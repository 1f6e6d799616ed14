"""Review links: posts shared for review with people outside the workspace

`review_link` holds a link an owner or editor made to share posts of a campaign's current version: only a
SHA-256 of its token, the ids of the posts it shares, when it expires or was revoked, and (with one use per
post) the posts already decided through it. No existing row is touched.

Revision ID: b9e4d7a2c6f1
Revises: f2c8a5d1e9b4
Create Date: 2026-12-06 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'b9e4d7a2c6f1'
down_revision = 'f2c8a5d1e9b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'review_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('post_ids', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('one_use_per_post', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('decided_post_ids', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_review_link_campaign_id_campaign')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_review_link_created_by_id_user')),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_review_link_workspace_id_workspace')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_review_link_token_hash')),
    )
    with op.batch_alter_table('review_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_link_workspace_id'), ['workspace_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_link_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_link_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_link_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_review_link_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_review_link_workspace_id'))
    op.drop_table('review_link')
