"""Notification emails: per-kind choices and a send queue

Revision ID: bd8f88bc3f69
Revises: bd3228878489
Create Date: 2026-11-30 11:43:19.795625

Plain add/drop column (no batch rebuild): rebuilding `user` on SQLite would drop its triggers.
Whoever had opted in to an email when their input is answered gets it right away, as before.
"""
import sqlalchemy as sa
from alembic import op

import codesign.db

# revision identifiers, used by Alembic.
revision = 'bd8f88bc3f69'
down_revision = 'bd3228878489'
branch_labels = None
depends_on = None

KINDS = ("new_version", "closing_soon", "answered", "decided")


def _how():
    return sa.Enum('off', 'now', 'weekly', name='emailhow', native_enum=False, length=8)


def upgrade():
    op.add_column('notification', sa.Column('email_due_at', codesign.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('notification', sa.Column('emailed_at', codesign.db.UTCDateTime(timezone=True), nullable=True))
    op.add_column('notification', sa.Column('email_attempts', sa.Integer(), server_default='0', nullable=False))
    op.add_column('notification', sa.Column('email_weekly', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index('ix_notification_email_due_at', 'notification', ['email_due_at'], unique=False,
                    postgresql_where=sa.text('email_due_at IS NOT NULL'),
                    sqlite_where=sa.text('email_due_at IS NOT NULL'))
    for kind in KINDS:
        op.add_column('user', sa.Column(f'email_{kind}', _how(), server_default='off', nullable=False))
    op.execute(sa.text("UPDATE \"user\" SET email_answered = 'now' WHERE email_when_answered"))
    op.drop_column('user', 'email_when_answered')


def downgrade():
    op.add_column('user', sa.Column('email_when_answered', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text("UPDATE \"user\" SET email_when_answered = (email_answered <> 'off')"))
    for kind in reversed(KINDS):
        op.drop_column('user', f'email_{kind}')
    op.drop_index('ix_notification_email_due_at', table_name='notification')
    for column in ('email_weekly', 'email_attempts', 'emailed_at', 'email_due_at'):
        op.drop_column('notification', column)
