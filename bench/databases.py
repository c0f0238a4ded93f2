"""Throw-away benchmark databases: created, migrated with Alembic, measured, dropped.

PostgreSQL databases are created on the server of GIE_BENCH_POSTGRES_URL (else
GIE_TEST_DATABASE_URL, else the local server) and dropped as `tests/conftest.py` does.
"""

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from gie.cli import alembic_config

LOCAL_POSTGRES = "postgresql+psycopg://root@127.0.0.1:5432/postgres"
BACKENDS = ("sqlite", "postgresql")


def postgres_server_url() -> str:
    """The URL of a database on the PostgreSQL server to create benchmark databases on."""
    url = (
        os.environ.get("GIE_BENCH_POSTGRES_URL")
        or os.environ.get("GIE_TEST_DATABASE_URL")
        or LOCAL_POSTGRES
    )
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def default_backend() -> str:
    if os.environ.get("GIE_BENCH_POSTGRES_URL") or os.environ.get("GIE_TEST_DATABASE_URL"):
        return "both"
    return "sqlite"


@dataclass
class Database:
    """A fresh database: `url` to connect to, `folder` for the generated files."""

    backend: str
    url: str
    folder: Path
    name: str = ""  #: the PostgreSQL database's name

    def drop(self) -> None:
        if self.backend == "postgresql":
            engine = create_engine(postgres_server_url(), isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


def create(backend: str) -> Database:
    """A new empty database on `backend` and a temporary folder; not migrated yet."""
    folder = Path(tempfile.mkdtemp(prefix=f"gie-bench-{backend}-"))
    if backend == "sqlite":
        return Database(backend, f"sqlite:///{folder / 'gie.sqlite'}", folder)
    server = make_url(postgres_server_url())
    name = f"gie_bench_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    url = server.set(database=name).render_as_string(hide_password=False)
    return Database(backend, url, folder, name)


def migrate(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


def settle(engine: Engine) -> None:
    """After the bulk load: on PostgreSQL, VACUUM ANALYZE, what autovacuum does on its own
    a little later (statistics for the planner, and the visibility map that lets index-only
    scans skip the table). Nothing on SQLite: the application never runs ANALYZE there, so
    the benchmark does not either."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def size(engine: Engine) -> dict[str, int]:
    """Bytes on disk: the whole database, and the lines table with its indexes."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            row = connection.execute(
                text(
                    "SELECT pg_database_size(current_database()),"
                    " pg_total_relation_size('accounting_line'),"
                    " pg_indexes_size('accounting_line')"
                )
            ).one()
            return {"database": row[0], "lines_table": row[1], "lines_indexes": row[2]}
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.exec_driver_sql("PRAGMA page_size").scalar()
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
        return {"database": page_size * pages}
