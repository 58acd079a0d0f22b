"""Indexes for finding one person's own input

Revision ID: d81f3b6c0e47
Revises: c4a7e2d19b35
Create Date: 2026-12-01 17:50:00.000000

"Your data" (and its download) lists what one person gave: their votes, survey responses,
me-toos, reports, contests and translation requests. None of those tables had an index on who
gave it, so each list read its whole table, every vote in the district for one person's few.
Removing a person's account sets these columns to NULL, which needed the same reads.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd81f3b6c0e47'
down_revision = 'c4a7e2d19b35'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_vote_user_id', 'vote', 'user_id'),
    ('ix_survey_response_user_id', 'survey_response', 'user_id'),
    ('ix_me_too_user_id', 'me_too', 'user_id'),
    ('ix_flag_user_id', 'flag', 'user_id'),
    ('ix_response_contest_user_id', 'response_contest', 'user_id'),
    ('ix_translation_request_requester', 'translation_request', 'requester'),
    ('ix_content_translation_request_requester', 'content_translation_request', 'requester'),
]


def upgrade():
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade():
    for name, table, _column in reversed(INDEXES):
        op.drop_index(name, table_name=table)
