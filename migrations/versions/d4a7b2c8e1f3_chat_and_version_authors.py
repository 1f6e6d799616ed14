"""The campaign chat, and who asked for each strategy version

The chat on the strategy board keeps its history per campaign: who wrote, when, what, the
reply and the run a command started. A strategy version records its author; existing versions
have none (they were planned before authors were kept).

Revision ID: d4a7b2c8e1f3
Revises: c3e9f0a1b2d4
Create Date: 2026-11-21 21:12:10.667855

"""
from alembic import op
import sqlalchemy as sa


revision = 'd4a7b2c8e1f3'
down_revision = 'c3e9f0a1b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chat_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=254), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_chat_message_author_id_user')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_chat_message_campaign_id_campaign')),
    sa.ForeignKeyConstraint(['run_id'], ['run.id'], name=op.f('fk_chat_message_run_id_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_message'))
    )
    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_message_campaign_id'), ['campaign_id'], unique=False)

    with op.batch_alter_table('strategy_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_strategy_version_author_id_user'), 'user', ['author_id'], ['id'])



def downgrade():
    with op.batch_alter_table('strategy_version', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_strategy_version_author_id_user'), type_='foreignkey')
        batch_op.drop_column('author_id')

    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_message_campaign_id'))

    op.drop_table('chat_message')
