from alembic import command
from sqlalchemy import create_engine, inspect

from gie import create_app
from gie.cli import alembic_config


def _tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_build_the_schema_from_empty_with_no_drift(databases):
    url = databases.new()
    config = alembic_config(url)
    command.upgrade(config, "head")
    assert {"gie_user", "gie_cooperative", "gie_audit_entry"} <= _tables(url)
    command.check(config)  # raises when the models and the migrations disagree


def test_migrations_downgrade_to_empty_and_upgrade_again(databases):
    url = databases.new()
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert _tables(url) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert "gie_cooperative" in _tables(url)


def test_db_upgrade_command_migrates_the_configured_database(databases):
    url = databases.new()
    app = create_app({"SQLALCHEMY_DATABASE_URL": url})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "gie_user" in _tables(url)
