"""Alembic environment: the metadata of every package, the URL from the settings."""

from alembic import context

import accounting.models  # noqa: F401  (each import registers its tables)
import billing.models  # noqa: F401
import commercial.models  # noqa: F401
import financial_close.models  # noqa: F401
import gie.audit.models  # noqa: F401
import gie.cooperatives.models  # noqa: F401
import gie.users.models  # noqa: F401
import programme.models  # noqa: F401
import training.models  # noqa: F401
from gie.config import database_url
from gie.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.attributes.get("database_url") or database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes.get("database_url") or database_url())
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # SQLite alters a table by copying it and dropping the old one, which other tables
            # refer to: references are checked after the migration instead (PRAGMA only acts
            # outside a transaction, hence the driver's connection).
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows that refer to nothing: {broken}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
