"""The snapshot that refusal tests rely on sees every table and every change."""

import pytest

from tests.snapshot import assert_unchanged, snapshot, table_names


def test_snapshot_covers_every_table_of_the_database(session):
    taken = snapshot(session)
    assert set(table_names(session)) - {"alembic_version"} == set(taken)


def test_snapshot_sees_a_new_row_and_a_changed_one(session, make_cooperative):
    cooperative = make_cooperative(name="Coopérative Al Amal")
    before = snapshot(session)
    assert_unchanged(session, before)

    cooperative.name = "Coopérative Nour"
    with pytest.raises(AssertionError, match="gie_cooperative: 1 rows changed"):
        assert_unchanged(session, before)

    cooperative.name = "Coopérative Al Amal"
    make_cooperative()
    with pytest.raises(AssertionError, match="gie_cooperative: 1 rows before, 2 after"):
        assert_unchanged(session, before)
