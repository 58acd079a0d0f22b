"""Indexes for a comment post's double-send check and for entries that amend others

Revision ID: c4a7e2d19b35
Revises: bd8f88bc3f69
Create Date: 2026-12-01 17:20:00.000000

A comment post looks for the same text from the same person in the last minute. Without an
index on the author and the time, SQLite read every top-level comment on the proposal to find
it, so posting got slower as a thread grew. The single-column author index is replaced (the
new one serves the same lookups). The response log looks up the entries amending the ones
shown, and staff's home page does so for each contested entry: that read the whole log.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a7e2d19b35'
down_revision = 'bd8f88bc3f69'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_comment_author_id_created_at', 'comment', ['author_id', 'created_at'], unique=False)
    op.drop_index('ix_comment_author_id', table_name='comment')
    op.create_index('ix_response_entry_amends_id', 'response_entry', ['amends_id'], unique=False)


def downgrade():
    op.drop_index('ix_response_entry_amends_id', table_name='response_entry')
    op.create_index('ix_comment_author_id', 'comment', ['author_id'], unique=False)
    op.drop_index('ix_comment_author_id_created_at', table_name='comment')
