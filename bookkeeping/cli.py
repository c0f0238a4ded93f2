"""Commands of the bookkeeping package, attached to the `accounting` group by the
composition root: `flask --app gie accounting close CODE --year YYYY [--force]`."""

import click

from accounting import services
from bookkeeping import closing
from gie import db


@click.command("close")
@click.argument("code")
@click.option("--year", required=True, help="The fiscal year to close, e.g. 2026.")
@click.option(
    "--force",
    is_flag=True,
    help="Close even with unreconciled bank lines or entries without a supporting document.",
)
def close_command(code: str, year: str, force: bool):
    """Close a fiscal year: result into 1191/1199, opening entry of the next year (AN)."""
    ledger = services.ledger_by_code(db.session, code)
    summary = closing.close_with_checklist(db.session, ledger.id, year, force=force)
    opening = summary.opening_entry.number if summary.opening_entry else "none"
    click.echo(
        f"{ledger.code}: fiscal year {summary.year.name} closed, result {summary.result}; "
        f"opening entry {opening} ({summary.lines} lines)."
    )
