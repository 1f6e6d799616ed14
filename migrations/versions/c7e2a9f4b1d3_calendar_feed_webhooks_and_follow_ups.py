"""The calendar and its feed, outbound webhooks, follow-up posts and instance administrators

- `strategy_member` gains the date a post was moved to on the calendar in that version (`moved_to`, empty
  for every existing row: the post stays at launch date + its day), and who moved it and when.
- `post.sequence` counts the changes a calendar app sees (0 for existing posts).
- `strategy_version.after_post_ids`: the posts a follow-up version was added after (empty for existing rows).
- `calendar_feed`: one secret subscribe address per campaign, only its SHA-256 kept.
- `webhook_endpoint`, `webhook_delivery`, `webhook_attempt`: a workspace's endpoints, each event delivered to
  one of them, and each try.
- `user.is_admin`: administrators of the whole instance; nobody is one after the upgrade.

No existing row changes meaning.

Revision ID: c7e2a9f4b1d3
Revises: b9e4d7a2c6f1
Create Date: 2026-12-06 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7e2a9f4b1d3'
down_revision = 'b9e4d7a2c6f1'
branch_labels = None
depends_on = None


# Plain ALTER TABLE for the columns added to existing tables, with the reference written inline: a batch on
# SQLite would copy the table, turning the inline references of earlier migrations into named constraints
# that their plain DROP COLUMN then trips over.
def upgrade():
    op.add_column('strategy_member', sa.Column('moved_to', sa.Date(), nullable=True))
    op.add_column('strategy_member', sa.Column(
        'moved_by_id', sa.Integer(), sa.ForeignKey('user.id', name='fk_strategy_member_moved_by_id_user'),
        nullable=True), inline_references=True)
    op.add_column('strategy_member', sa.Column('moved_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('post', sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
    op.add_column('strategy_version', sa.Column('after_post_ids', sa.JSON(), nullable=True))
    op.add_column('user', sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        'calendar_feed',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_calendar_feed_campaign_id_campaign')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_calendar_feed_created_by_id_user')),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'],
                                name=op.f('fk_calendar_feed_workspace_id_workspace')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
        sa.UniqueConstraint('campaign_id', name=op.f('uq_calendar_feed_campaign_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash')),
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_workspace_id'), ['workspace_id'], unique=False)

    op.create_table(
        'webhook_endpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('secret', sa.String(length=100), nullable=False),
        sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_webhook_endpoint_created_by_id_user')),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'],
                                name=op.f('fk_webhook_endpoint_workspace_id_workspace')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoint')),
    )
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_endpoint_workspace_id'), ['workspace_id'], unique=False)

    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('endpoint_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.String(length=40), nullable=False),
        sa.Column('event', sa.String(length=40), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('response_code', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id'],
                                name=op.f('fk_webhook_delivery_endpoint_id_webhook_endpoint')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
        sa.UniqueConstraint('endpoint_id', 'event_id', name=op.f('uq_webhook_delivery_endpoint_id')),
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_delivery_endpoint_id'), ['endpoint_id'], unique=False)

    op.create_table(
        'webhook_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('response_code', sa.Integer(), nullable=True),
        sa.Column('response_excerpt', sa.Text(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['webhook_delivery.id'],
                                name=op.f('fk_webhook_attempt_delivery_id_webhook_delivery')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempt')),
    )
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempt_delivery_id'), ['delivery_id'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempt_delivery_id'))
    op.drop_table('webhook_attempt')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_delivery_endpoint_id'))
    op.drop_table('webhook_delivery')
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_endpoint_workspace_id'))
    op.drop_table('webhook_endpoint')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feed_workspace_id'))
    op.drop_table('calendar_feed')

    op.drop_column('user', 'is_admin')
    op.drop_column('strategy_version', 'after_post_ids')
    op.drop_column('post', 'sequence')
    for column in ('moved_at', 'moved_by_id', 'moved_to'):
        op.drop_column('strategy_member', column)
