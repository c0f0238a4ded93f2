"""The VAT accounts of each ledger: which accounts the returns read (collected, deductible
on expenses, on fixed assets) and where the settlement carries a credit or books the VAT
due; existing ledgers get the CGNC accounts the returns used until now.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 23:42:38.043760
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VAT_ACCOUNTS = {
    'vat_collected_account': '4455',
    'vat_deductible_account': '3455',
    'vat_fixed_assets_account': '34551',
    'vat_credit_account': '3456',
    'vat_due_account': '4456',
}


def upgrade() -> None:
    with op.batch_alter_table('accounting_ledger', schema=None) as batch_op:
        for name, code in VAT_ACCOUNTS.items():
            batch_op.add_column(
                sa.Column(name, sa.String(length=12), nullable=False, server_default=code)
            )


def downgrade() -> None:
    with op.batch_alter_table('accounting_ledger', schema=None) as batch_op:
        for name in reversed(VAT_ACCOUNTS):
            batch_op.drop_column(name)
