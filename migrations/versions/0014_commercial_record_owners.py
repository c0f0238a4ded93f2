"""An owner on buyers and products: the sales adviser who edits them with the admins.

Existing records go to the adviser who created them, read from the audit log (which records
who created every buyer and product); records created by an admin, by the system (demo,
imports run by code) or by a user who is no longer an active adviser get none, so only the
admins edit them until an admin gives them to an adviser.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: table -> the record type the audit log names its rows by
OWNED_TABLES = {'commercial_buyer': 'Buyer', 'commercial_product': 'Product'}


def _creator_of(rows, record_type: str):
    """The active sales adviser whose creation of the row of `rows` the audit log recorded
    (correlated with the row being updated)."""
    audit = sa.table(
        'gie_audit_entry',
        sa.column('user_id', sa.Integer),
        sa.column('action', sa.String),
        sa.column('record_type', sa.String),
        sa.column('record_id', sa.Integer),
    )
    users = sa.table(
        'gie_user', sa.column('id', sa.Integer), sa.column('role', sa.String), sa.column('active', sa.Boolean)
    )
    return (
        sa.select(sa.func.min(audit.c.user_id))
        .select_from(audit.join(users, users.c.id == audit.c.user_id))
        .where(
            audit.c.action == 'create',
            audit.c.record_type == record_type,
            audit.c.record_id == rows.c.id,
            users.c.role == 'sales_adviser',
            users.c.active.is_(True),
        )
        .correlate(rows)
        .scalar_subquery()
    )


def upgrade() -> None:
    for table in OWNED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_owner_id'), ['owner_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_owner_id_gie_user'), 'gie_user', ['owner_id'], ['id']
            )
    for table, record_type in OWNED_TABLES.items():
        rows = sa.table(table, sa.column('id', sa.Integer), sa.column('owner_id', sa.Integer))
        op.execute(rows.update().values(owner_id=_creator_of(rows, record_type)))


def downgrade() -> None:
    for table in OWNED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_owner_id_gie_user'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_owner_id'))
            batch_op.drop_column('owner_id')
