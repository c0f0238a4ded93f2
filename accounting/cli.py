"""`flask --app gie accounting ...`: the books from the command line."""

import click
from flask.cli import AppGroup

from accounting import services
from gie import db
from gie.command_line import fail
from gie.errors import DomainError

accounting_cli = AppGroup("accounting", help="Double-entry books.")


@accounting_cli.command("new-ledger")
@click.argument("code")
@click.option("--first-year", type=int, required=True, help="First fiscal year, e.g. 2026.")
def new_ledger(code: str, first_year: int):
    """Open the books of a cooperative (its code) or of the GIE (GIE)."""
    try:
        ledger = services.open_ledger(db.session, code, first_year=first_year)
    except DomainError as error:
        fail(error)
    db.session.commit()
    click.echo(f"Books of {ledger.code} opened with fiscal year {first_year}.")


@accounting_cli.command("verify")
@click.argument("code")
def verify(code: str):
    """Check the hash chain and the balance of every posted entry; name the first broken one."""
    try:
        ledger = services.ledger_by_code(db.session, code)
    except DomainError as error:
        fail(error)
    result = services.verify_ledger(db.session, ledger.id)
    if result.ok:
        click.echo(f"{ledger.code}: {result.entries_checked} posted entries, chain intact.")
        return
    click.echo(f"{ledger.code}: entry {result.broken_entry} is broken: {result.reason}.", err=True)
    raise SystemExit(1)
