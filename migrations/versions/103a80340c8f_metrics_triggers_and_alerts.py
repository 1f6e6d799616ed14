"""Metrics, triggers and alerts

One metric row per post, variant and day (a unique constraint, so a repeat updates the row).
Triggers are rules over a campaign's metrics. An alert is a trigger that fired: its fingerprint
(the trigger with its evidence) is unique, so the same evidence never fires twice, and a partial
unique index keeps one open alert per trigger. Timestamps are timezone-aware, as elsewhere.

Revision ID: 103a80340c8f
Revises: f7248358cb0e
Create Date: 2026-11-21 23:18:29.779464

"""
from alembic import op
import sqlalchemy as sa


revision = '103a80340c8f'
down_revision = 'f7248358cb0e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('metric',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=1), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('impressions', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('conversions', sa.Integer(), nullable=False),
    sa.Column('spend', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_metric_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_metric_post_id_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metric')),
    sa.UniqueConstraint('post_id', 'variant', 'day', name='uq_metric_post_variant_day')
    )
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_metric_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_metric_post_id'), ['post_id'], unique=False)

    op.create_table('trigger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=24), nullable=False),
    sa.Column('comparison', sa.String(length=1), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('min_impressions', sa.Integer(), nullable=False),
    sa.Column('scope_phase', sa.Integer(), nullable=True),
    sa.Column('scope_post_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('from_phase', sa.Integer(), nullable=True),
    sa.Column('direction', sa.Text(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_trigger_author_id_user')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_trigger_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['scope_post_id'], ['post.id'], name=op.f('fk_trigger_scope_post_id_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trigger'))
    )
    with op.batch_alter_table('trigger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trigger_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('trigger_id', sa.Integer(), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('action', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_alert_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['run_id'], ['run.id'], name=op.f('fk_alert_run_id_run')),
    sa.ForeignKeyConstraint(['trigger_id'], ['trigger.id'], name=op.f('fk_alert_trigger_id_trigger')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('fingerprint', name=op.f('uq_alert_fingerprint'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_trigger_id'), ['trigger_id'], unique=False)
        batch_op.create_index('uq_alert_open_per_trigger', ['trigger_id'], unique=True, sqlite_where=sa.text('dismissed_at IS NULL'), postgresql_where=sa.text('dismissed_at IS NULL'))



def downgrade():
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('uq_alert_open_per_trigger', sqlite_where=sa.text('dismissed_at IS NULL'), postgresql_where=sa.text('dismissed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_alert_trigger_id'))
        batch_op.drop_index(batch_op.f('ix_alert_campaign_id'))

    op.drop_table('alert')
    with op.batch_alter_table('trigger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trigger_campaign_id'))

    op.drop_table('trigger')
    with op.batch_alter_table('metric', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metric_post_id'))
        batch_op.drop_index(batch_op.f('ix_metric_campaign_id'))

    op.drop_table('metric')
