"""Hand-edited variants, and why a post's approval was taken away

`variant.edited` marks a version written by a person on the post page rather than by the model;
`post.approval_note` says why a post's approval was taken away (one of its variants changed after it was
approved) until it is approved again. Existing variants were all written by the model, and no approval
was ever taken away, so the defaults describe every existing row.

Revision ID: b3f17c9e4a20
Revises: a91c4e7d2b58
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'b3f17c9e4a20'
down_revision = 'a91c4e7d2b58'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as for the campaign's columns: a batch drop on SQLite copies the table, which the
# foreign keys from other tables refuse; SQLite 3.35+ drops a column in place.
def upgrade():
    op.add_column('variant', sa.Column('edited', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('post', sa.Column('approval_note', sa.Text(), server_default='', nullable=False))


def downgrade():
    op.drop_column('post', 'approval_note')
    op.drop_column('variant', 'edited')
