"""The brand voice, post angles, draft warnings and a chat that answers questions

- `workspace.voice` and `campaign.voice`: how the brand speaks (JSON), empty for every existing row (no voice
  set; a campaign without its own follows its workspace's).
- `post.angle`: what sets a post apart from the others of its phase, as the plan gave it ('' for existing posts).
- `variant.warnings`: the channel rules or voice words a draft still breaks after its repair (empty for existing
  rows).
- `chat_message.kind` ('command' for every existing message) and `chat_message.action`: the action an answer
  suggests.

No existing row changes meaning.

Revision ID: d8f3b6a1e5c2
Revises: c7e2a9f4b1d3
Create Date: 2026-12-06 14:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'd8f3b6a1e5c2'
down_revision = 'c7e2a9f4b1d3'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as the earlier migrations need on SQLite (a batch would copy the tables).
def upgrade():
    op.add_column('workspace', sa.Column('voice', sa.JSON(), nullable=True))
    op.add_column('campaign', sa.Column('voice', sa.JSON(), nullable=True))
    op.add_column('post', sa.Column('angle', sa.Text(), server_default='', nullable=False))
    op.add_column('variant', sa.Column('warnings', sa.JSON(), nullable=True))
    op.add_column('chat_message', sa.Column('kind', sa.String(length=10), server_default='command', nullable=False))
    op.add_column('chat_message', sa.Column('action', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('chat_message', 'action')
    op.drop_column('chat_message', 'kind')
    op.drop_column('variant', 'warnings')
    op.drop_column('post', 'angle')
    op.drop_column('campaign', 'voice')
    op.drop_column('workspace', 'voice')
