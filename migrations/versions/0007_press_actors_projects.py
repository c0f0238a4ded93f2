"""press: programme actors, their relations, NORESS consortium projects and the
cooperatives taking part (read-only, loaded from press/data/actors.toml)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 23:54:52.531974
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('press_actor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_ar', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_ar', sa.Text(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('started_precision', sa.String(length=5), nullable=False),
    sa.CheckConstraint("kind IN ('regional_council', 'programme', 'ess_house', 'observatory', 'platform', 'collective_enterprise', 'chamber', 'ngo')", name=op.f('ck_press_actor_kind')),
    sa.CheckConstraint("started_precision IN ('year', 'month', 'day')", name=op.f('ck_press_actor_started_precision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_actor')),
    sa.UniqueConstraint('key', name=op.f('uq_press_actor_key'))
    )
    op.create_table('press_actor_relation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('note_ar', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('co_runs', 'axis_of', 'supports', 'trained', 'partner_of', 'member_of', 'feeds_data')", name=op.f('ck_press_actor_relation_kind')),
    sa.CheckConstraint('source_id <> target_id', name=op.f('ck_press_actor_relation_distinct_actors')),
    sa.ForeignKeyConstraint(['source_id'], ['press_actor.id'], name=op.f('fk_press_actor_relation_source_id_press_actor')),
    sa.ForeignKeyConstraint(['target_id'], ['press_actor.id'], name=op.f('fk_press_actor_relation_target_id_press_actor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_actor_relation')),
    sa.UniqueConstraint('source_id', 'target_id', 'kind', name=op.f('uq_press_actor_relation_source_id'))
    )
    with op.batch_alter_table('press_actor_relation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_actor_relation_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_press_actor_relation_target_id'), ['target_id'], unique=False)

    op.create_table('press_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('funder_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_ar', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_ar', sa.Text(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_press_project_dates')),
    sa.ForeignKeyConstraint(['funder_id'], ['press_actor.id'], name=op.f('fk_press_project_funder_id_press_actor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_project')),
    sa.UniqueConstraint('key', name=op.f('uq_press_project_key'))
    )
    with op.batch_alter_table('press_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_project_funder_id'), ['funder_id'], unique=False)

    op.create_table('press_project_cooperative',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('cooperative_id', sa.Integer(), nullable=False),
    sa.Column('cooperative_code', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=6), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("role IN ('lead', 'member')", name=op.f('ck_press_project_cooperative_role')),
    sa.ForeignKeyConstraint(['cooperative_id'], ['gie_cooperative.id'], name=op.f('fk_press_project_cooperative_cooperative_id_gie_cooperative')),
    sa.ForeignKeyConstraint(['project_id'], ['press_project.id'], name=op.f('fk_press_project_cooperative_project_id_press_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_project_cooperative')),
    sa.UniqueConstraint('project_id', 'cooperative_id', name=op.f('uq_press_project_cooperative_project_id'))
    )
    with op.batch_alter_table('press_project_cooperative', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_project_cooperative_cooperative_id'), ['cooperative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_press_project_cooperative_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('press_project_cooperative', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_project_cooperative_project_id'))
        batch_op.drop_index(batch_op.f('ix_press_project_cooperative_cooperative_id'))

    op.drop_table('press_project_cooperative')
    with op.batch_alter_table('press_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_project_funder_id'))

    op.drop_table('press_project')
    with op.batch_alter_table('press_actor_relation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_actor_relation_target_id'))
        batch_op.drop_index(batch_op.f('ix_press_actor_relation_source_id'))

    op.drop_table('press_actor_relation')
    op.drop_table('press_actor')
