"""Commands of the kernel: `flask --app gie db|users|demo|cooperatives ...`.

Each command is one transaction: it commits when it succeeds and rolls back otherwise.
"""

import getpass

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app

from gie import db, demo
from gie.command_line import CommandGroup
from gie.config import PROJECT_ROOT
from gie.cooperatives.cli import cooperatives_cli
from gie.users.services import create_user


def alembic_config(url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = url
    return cfg


db_cli = CommandGroup("db", help="Database schema.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str):
    """Apply the migrations up to REVISION (default: the latest)."""
    command.upgrade(alembic_config(current_app.config["SQLALCHEMY_DATABASE_URL"]), revision)
    click.echo("Database is up to date.")


users_cli = CommandGroup("users", help="Accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator")
@click.option("--password", envvar="GIE_ADMIN_PASSWORD", help="Asked for when not given.")
def create_admin(email: str, name: str, password: str | None):
    """Create an administrator account (the first account of a new installation)."""
    password = password or getpass.getpass("Password: ")
    create_user(db.session, email=email, name=name, role="admin", password=password)
    click.echo(f"Administrator {email.lower()} created.")


demo_cli = CommandGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
@click.option(
    "--force",
    is_flag=True,
    help="Load even in production or into a database holding other data.",
)
def demo_load(force: bool):
    """Create (or complete) a believable GIE: cooperatives and one user per role. Only into
    an empty or demo database, never in production, unless --force."""
    if not force:
        demo.refuse_real_data(db.session, current_app.config["GIE_ENV"])
    logins = demo.load(db.session)
    # Each package registers its own demo loader on the app, in dependency order.
    for load in current_app.extensions.get("gie_demo_loaders", []):
        load(db.session)
    click.echo(f"Demo data loaded. Logins (password for all: {demo.PASSWORD}):")
    for email, role in logins:
        click.echo(f"  {role:<22} {email}")


def init_app(app: Flask) -> None:
    for group in (db_cli, users_cli, demo_cli, cooperatives_cli):
        app.cli.add_command(group)
