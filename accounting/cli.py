"""`flask --app gie accounting ...`: the books from the command line."""

import json
from pathlib import Path

import click

from accounting import exporters, importers, services
from accounting.reports import statements
from gie import db
from gie.command_line import CommandGroup
from gie.csvfiles import ENCODINGS
from gie.imported_files import AlreadyImported
from gie.tabular import DIALECT_HELP, DIALECTS, write_csv

accounting_cli = CommandGroup("accounting", help="Double-entry books.")


@accounting_cli.command("new-ledger")
@click.argument("code")
@click.option("--first-year", type=int, required=True, help="First fiscal year, e.g. 2026.")
def new_ledger(code: str, first_year: int):
    """Open the books of a cooperative (its code) or of the GIE (GIE)."""
    ledger = services.open_ledger(db.session, code, first_year=first_year)
    click.echo(f"Books of {ledger.code} opened with fiscal year {first_year}.")


@accounting_cli.command("verify")
@click.argument("code")
def verify(code: str):
    """Check the hash chain and the balance of every posted entry; name the first broken one."""
    ledger = services.ledger_by_code(db.session, code)
    result = services.verify_ledger(db.session, ledger.id)
    if result.ok:
        click.echo(f"{ledger.code}: {result.entries_checked} posted entries, chain intact.")
        return
    click.echo(f"{ledger.code}: entry {result.broken_entry} is broken: {result.reason}.", err=True)
    raise SystemExit(1)


@accounting_cli.command("import")
@click.argument("code")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--create-accounts",
    is_flag=True,
    help="Create the accounts the books lack (label from the account_label column).",
)
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="auto",
    help="The file's encoding; auto tells UTF-8 from Windows-1252.",
)
@click.option(
    "--allow-duplicate",
    is_flag=True,
    help="Import a file, or entries, already imported into these books (kept in the audit log).",
)
def import_entries(
    code: str, path: Path, create_accounts: bool, encoding: str, allow_duplicate: bool
):
    """Import and post the entries of a CSV file: every line, or none when one is wrong.

    Columns: entry,date,journal,account,label,debit,credit and optionally reference,
    partner, account_label; the lines sharing an entry value form one entry. A file already
    imported, or holding entry values already posted, is refused unless --allow-duplicate.
    """
    ledger = services.ledger_by_code(db.session, code)
    try:
        summary = importers.import_entries(
            db.session,
            ledger.id,
            path.read_bytes(),
            create_accounts=create_accounts,
            filename=path.name,
            encoding=encoding,
            allow_duplicate=allow_duplicate,
        )
    except AlreadyImported:
        click.echo("--allow-duplicate imports it anyway.", err=True)
        raise
    click.echo(f"{summary.entries} entries and {summary.lines} lines imported into {ledger.code}.")
    if summary.accounts_created:
        click.echo(f"Accounts created: {', '.join(summary.accounts_created)}.")


@accounting_cli.command("export")
@click.argument("code")
@click.option("--format", "output_format", type=click.Choice(["csv", "hledger"]), default="csv")
@click.option("--dialect", type=click.Choice(sorted(DIALECTS)), default="intl", help=DIALECT_HELP)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file rather than to the standard output.",
)
def export(code: str, output_format: str, dialect: str, output: Path | None):
    """Export the posted entries as CSV (the import's format) or as an hledger journal."""
    ledger = services.ledger_by_code(db.session, code)
    if output_format == "csv":
        text = exporters.export_csv(db.session, ledger.id, DIALECTS[dialect])
    else:
        text = exporters.export_hledger(db.session, ledger.id)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


TRIAL_BALANCE_COLUMNS = ("code", "label", "debit", "credit", "balance")


@accounting_cli.command("trial-balance")
@click.argument("code")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--format", "output_format", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--dialect", type=click.Choice(sorted(DIALECTS)), default="intl", help=DIALECT_HELP)
def trial_balance(code: str, date_from, date_to, output_format: str, dialect: str):
    """Per account: code, label, closing debit, closing credit and balance (debit positive)."""
    ledger = services.ledger_by_code(db.session, code)
    date_from = date_from.date() if date_from else None
    date_to = date_to.date() if date_to else None
    balance = statements.trial_balance(db.session, ledger.id, date_from=date_from, date_to=date_to)
    if output_format == "csv":
        rows = (
            (row.code, row.label, row.closing_debit, row.closing_credit, row.balance)
            for row in balance.rows
        )
        click.echo(write_csv(TRIAL_BALANCE_COLUMNS, rows, DIALECTS[dialect]), nl=False)
        return
    accounts = [
        {
            "code": row.code,
            "label": row.label,
            "debit": f"{row.closing_debit:.2f}",
            "credit": f"{row.closing_credit:.2f}",
            "balance": f"{row.balance:.2f}",
        }
        for row in balance.rows
    ]
    document = {
        "ledger": ledger.code,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "accounts": accounts,
        "totals": {
            "debit": f"{balance.totals.closing_debit:.2f}",
            "credit": f"{balance.totals.closing_credit:.2f}",
        },
    }
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
