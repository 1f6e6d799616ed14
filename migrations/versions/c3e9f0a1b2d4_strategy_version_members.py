"""Strategy version members: which posts belong to each strategy version

A regeneration keeps the posts of the phases before it, so a post can belong to several
versions. Until now every version's posts were exactly the posts it created; those become its
members.

Revision ID: c3e9f0a1b2d4
Revises: b7c41d2e9a10
Create Date: 2026-11-21 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3e9f0a1b2d4'
down_revision = 'b7c41d2e9a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('strategy_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_strategy_member_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_strategy_member_post_id_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strategy_member')),
    sa.UniqueConstraint('campaign_id', 'version', 'post_id', name=op.f('uq_strategy_member_campaign_id'))
    )
    with op.batch_alter_table('strategy_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strategy_member_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_strategy_member_post_id'), ['post_id'], unique=False)

    post = sa.table('post', sa.column('id', sa.Integer), sa.column('campaign_id', sa.Integer),
                    sa.column('version', sa.Integer))
    member = sa.table('strategy_member', sa.column('campaign_id', sa.Integer), sa.column('version', sa.Integer),
                      sa.column('post_id', sa.Integer))
    op.execute(member.insert().from_select(['campaign_id', 'version', 'post_id'],
                                           sa.select(post.c.campaign_id, post.c.version, post.c.id)))


def downgrade():
    with op.batch_alter_table('strategy_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strategy_member_post_id'))
        batch_op.drop_index(batch_op.f('ix_strategy_member_campaign_id'))
    op.drop_table('strategy_member')
