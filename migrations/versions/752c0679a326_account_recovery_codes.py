"""account recovery codes

Revision ID: 752c0679a326
Revises: e5d54e6a6771
Create Date: 2026-11-30 09:11:13.266583

"""
import sqlalchemy as sa
from alembic import op

import codesign.db

# revision identifiers, used by Alembic.
revision = '752c0679a326'
down_revision = 'e5d54e6a6771'
branch_labels = None
depends_on = None

COLUMNS = ("recovery_code_hash", "staff_code_hash", "staff_code_expires_at", "staff_code_issued_at")


def upgrade():
    # Plain ADD COLUMN (no batch rebuild: rebuilding "user" on SQLite would drop its counter triggers).
    op.add_column('user', sa.Column('recovery_code_hash', sa.String(length=255), nullable=True))
    op.add_column('user', sa.Column('staff_code_hash', sa.String(length=255), nullable=True))
    op.add_column('user', sa.Column('staff_code_expires_at', codesign.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('user', sa.Column('staff_code_issued_at', codesign.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    for column in reversed(COLUMNS):  # (SQLite 3.35+ drops a column in place, triggers kept)
        op.drop_column('user', column)
