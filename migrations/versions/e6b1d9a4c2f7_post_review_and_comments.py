"""A post's review (draft, in review, approved, changes requested) with who submitted and who reviewed it; comments

`post.review` is kept in step with `post.approved`: a post approved before reviews existed is `approved`,
every other post is a `draft`. Nobody submitted or reviewed an existing post, so those columns stay empty.
`comment` holds the notes members leave on a post or a step version; none exist yet.

Revision ID: e6b1d9a4c2f7
Revises: c5d2e8f1a7b3
Create Date: 2026-12-06 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'e6b1d9a4c2f7'
down_revision = 'c5d2e8f1a7b3'
branch_labels = None
depends_on = None


def _user_reference(column: str) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey('user.id', name=f'fk_post_{column}_user'), nullable=True)


# Plain ALTER TABLE with the references written inline: a batch on SQLite copies the post table, which the
# foreign keys from other tables (variant, edge, metric) refuse; SQLite adds a referencing column in place.
def upgrade():
    op.add_column('post', sa.Column('review', sa.String(length=20), server_default='draft', nullable=False))
    for column in ('submitted_by_id', 'reviewed_by_id'):
        op.add_column('post', _user_reference(column), inline_references=True)
    op.add_column('post', sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('post', sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE post SET review = 'approved' WHERE approved")

    op.create_table(
        'comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('subject_type', sa.String(length=20), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('author_name', sa.String(length=255), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_comment_author_id_user')),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_comment_campaign_id_campaign')),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_comment_workspace_id_workspace')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment')),
    )
    op.create_index(op.f('ix_comment_campaign_id'), 'comment', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_comment_workspace_id'), 'comment', ['workspace_id'], unique=False)
    op.create_index('ix_comment_subject', 'comment', ['subject_type', 'subject_id'], unique=False)


def downgrade():
    op.drop_index('ix_comment_subject', table_name='comment')
    op.drop_index(op.f('ix_comment_workspace_id'), table_name='comment')
    op.drop_index(op.f('ix_comment_campaign_id'), table_name='comment')
    op.drop_table('comment')
    # Each database drops a column in place, its reference to the user with it.
    for column in ('reviewed_at', 'submitted_at', 'reviewed_by_id', 'submitted_by_id', 'review'):
        op.drop_column('post', column)
