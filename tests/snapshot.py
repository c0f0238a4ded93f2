"""What the database holds, table by table, to prove that a refused action changed nothing.

    before = snapshot(session)
    ...refused attempt...
    assert_unchanged(session, before)

Every row of every table is read in primary-key order, so a refusal that leaves a row behind,
removes one or touches a column shows up with the table it happened in.
"""

from sqlalchemy import inspect, select, text

from gie.db import Base


def snapshot(session) -> dict[str, list[tuple]]:
    """Every row of every mapped table, as plain tuples ordered by primary key."""
    session.flush()
    session.expire_all()
    tables = {}
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows = session.execute(select(table).order_by(*order)).all()
        tables[table.name] = [tuple(row) for row in rows]
    return tables


def assert_unchanged(session, before: dict[str, list[tuple]]) -> None:
    """Fail naming each table whose rows differ from `before` (counts, then rows)."""
    after = snapshot(session)
    changed = []
    for name, rows in before.items():
        now = after[name]
        if len(now) != len(rows):
            changed.append(f"{name}: {len(rows)} rows before, {len(now)} after")
        elif now != rows:
            touched = [new for old, new in zip(rows, now, strict=True) if old != new]
            changed.append(f"{name}: {len(touched)} rows changed, first {touched[0]!r}")
    assert not changed, "the refused action changed the database:\n" + "\n".join(changed)


def table_names(session) -> list[str]:
    """The tables the database really has (a check that the snapshot misses none)."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        rows = session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        return [name for (name,) in rows if not name.startswith("sqlite_")]
    return inspect(bind).get_table_names()
