"""Bank accounts keep the currency and the account id (ACCTID, IBAN, MT940 :25:) their
statement files must carry; statements come from MT940 and CAMT.053 files too, and say
whether their balances could be checked. Existing accounts are in dirhams, their account id
recorded by their next import; existing statements were checked.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('bookkeeping_bank_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('currency', sa.String(length=3), nullable=False, server_default='MAD')
        )
        batch_op.add_column(
            sa.Column('account_identifier', sa.String(length=35), nullable=False, server_default='')
        )
    with op.batch_alter_table('bookkeeping_bank_statement', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_bookkeeping_bank_statement_source'), type_='check')
        batch_op.alter_column(
            'source', existing_type=sa.String(length=3), type_=sa.String(length=7)
        )
        batch_op.create_check_constraint(
            'source', "source IN ('csv', 'ofx', 'mt940', 'camt053')"
        )
        batch_op.add_column(
            sa.Column('balances_checked', sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table('bookkeeping_bank_statement', schema=None) as batch_op:
        batch_op.drop_column('balances_checked')
        batch_op.drop_constraint(op.f('ck_bookkeeping_bank_statement_source'), type_='check')
        batch_op.alter_column(
            'source', existing_type=sa.String(length=7), type_=sa.String(length=3)
        )
        batch_op.create_check_constraint('source', "source IN ('csv', 'ofx')")
    with op.batch_alter_table('bookkeeping_bank_account', schema=None) as batch_op:
        batch_op.drop_column('account_identifier')
        batch_op.drop_column('currency')
