from alembic import command
from sqlalchemy import create_engine, inspect, text

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


def test_existing_buyers_and_products_go_to_the_adviser_the_audit_log_names(databases):
    url = databases.new()
    config = alembic_config(url)
    command.upgrade(config, "0012")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for user_id, role in ((1, "sales_adviser"), (2, "admin")):
                connection.execute(
                    text(
                        "INSERT INTO gie_user (id, email, name, password_hash, role, active,"
                        " locale, failed_logins, created_at, session_token) VALUES (:id, :email, 'U', 'x',"
                        " :role, :active, 'fr', 0, '2026-01-01', :token)"
                    ),
                    {
                        "id": user_id,
                        "email": f"u{user_id}@example.ma",
                        "role": role,
                        "active": True,
                        "token": f"t{user_id}",
                    },
                )
            for buyer_id, creator in ((1, 1), (2, 2), (3, None)):
                connection.execute(
                    text(
                        "INSERT INTO commercial_buyer (id, name, kind, city, phone, email,"
                        " phone_key, email_key, notes, created_at) VALUES (:id, 'B', 'other',"
                        " '', '', '', '', '', '', '2026-01-01')"
                    ),
                    {"id": buyer_id},
                )
                if creator:
                    connection.execute(
                        text(
                            "INSERT INTO gie_audit_entry (at, user_id, action, record_type,"
                            " record_id, record_label) VALUES ('2026-01-01', :user, 'create',"
                            " 'Buyer', :id, 'B')"
                        ),
                        {"user": creator, "id": buyer_id},
                    )
        command.upgrade(config, "head")
        with engine.connect() as connection:
            owners = dict(
                connection.execute(text("SELECT id, owner_id FROM commercial_buyer")).all()
            )
    finally:
        engine.dispose()
    # the adviser's buyer is theirs; the admin's and the unrecorded one are the admins' only
    assert owners == {1: 1, 2: None, 3: None}
