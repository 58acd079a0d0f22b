"""An index of a proposal's comments by whether the district has answered them

Revision ID: e5b92a7d4c18
Revises: d81f3b6c0e47
Create Date: 2026-12-01 18:00:00.000000

The review page lists a proposal's oldest comments without an answer, and staff's home page finds
each proposal's oldest. Both walked the proposal's comments in order past every one already
answered; once a district has answered most of a long thread that is most of it, on every view.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5b92a7d4c18'
down_revision = 'd81f3b6c0e47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_comment_proposal_id_disposition_parent_id_id', 'comment',
                    ['proposal_id', 'disposition', 'parent_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_comment_proposal_id_disposition_parent_id_id', table_name='comment')
