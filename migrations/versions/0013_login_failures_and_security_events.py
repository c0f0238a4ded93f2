"""Login failures in a table of their own, counted by client address and by account, which
replaces the per-account counter and lock on gie_user; security events in the audit log,
whose actions grow longer names and may concern no record (an unknown email, an address).
Counters and locks in force are forgotten.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import gie.db

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('gie_login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', gie.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['gie_user.id'], name=op.f('fk_gie_login_failure_user_id_gie_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gie_login_failure'))
    )
    with op.batch_alter_table('gie_login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_gie_login_failure_address_at', ['address', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_gie_login_failure_at'), ['at'], unique=False)
        batch_op.create_index('ix_gie_login_failure_user_address', ['user_id', 'address'], unique=False)

    with op.batch_alter_table('gie_user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')

    with op.batch_alter_table('gie_audit_entry', schema=None) as batch_op:
        batch_op.alter_column('action', existing_type=sa.String(length=10), type_=sa.String(length=20), existing_nullable=False)
        batch_op.alter_column('record_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM gie_audit_entry WHERE record_id IS NULL")
    with op.batch_alter_table('gie_audit_entry', schema=None) as batch_op:
        batch_op.alter_column('record_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('action', existing_type=sa.String(length=20), type_=sa.String(length=10), existing_nullable=False)

    with op.batch_alter_table('gie_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', gie.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('gie_login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_gie_login_failure_user_address')
        batch_op.drop_index(batch_op.f('ix_gie_login_failure_at'))
        batch_op.drop_index('ix_gie_login_failure_address_at')

    op.drop_table('gie_login_failure')
