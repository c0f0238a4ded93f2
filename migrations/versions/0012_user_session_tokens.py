"""A session token per user, which the session cookie names the user by: a new token (logout,
new password, deactivation, change of role) ends every session opened with the old one.
Existing users get a token each, so every session opened before this revision ends.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 01:10:00.000000
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('gie_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    users = sa.table('gie_user', sa.column('id', sa.Integer), sa.column('session_token', sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table('gie_user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_gie_user_session_token'), ['session_token'])


def downgrade() -> None:
    with op.batch_alter_table('gie_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_gie_user_session_token'), type_='unique')
        batch_op.drop_column('session_token')
