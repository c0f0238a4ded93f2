"""Commands of the accountant's close, attached to the `accounting` group by the composition
root: `flask --app gie accounting close CODE --year YYYY [--force]`, `accounting settings
CODE [...]`, `accounting vat-return CODE --period ...`, and the cockpit's batch work from the
command line, `accounting post-drafts CODE` and `accounting lock --date ... CODES`, with a
progress bar and a summary of what failed and why; and the `bank` group, `bank import CODE
ACCOUNT FILE`, registered by the composition root beside the other groups."""

import json
from datetime import datetime
from decimal import Decimal

import click

from accounting import services
from accounting.models import VAT_PERIODS, VAT_REGIMES, Entry
from accounting.reports.lists import drafts_count
from financial_close import (
    bank,
    batch,
    checklist,
    statement_files,
    vat_periods,
    vat_return,
    vat_settings,
    vat_settlement,
)
from gie import db
from gie.command_line import CommandGroup


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
    summary = checklist.close_with_checklist(db.session, ledger.id, year, force=force)
    opening = summary.opening_entry.number if summary.opening_entry else "none"
    click.echo(
        f"{ledger.code}: fiscal year {summary.year.name} closed, result {summary.result}; "
        f"opening entry {opening} ({summary.lines} lines)."
    )


@click.command("settings")
@click.argument("code")
@click.option(
    "--vat-regime", type=click.Choice(VAT_REGIMES), help="VAT due when paid or when invoiced."
)
@click.option("--vat-period", type=click.Choice(VAT_PERIODS), help="How often returns are filed.")
@click.option("--vat-collected-account", help="VAT collected, with its sub-accounts (4455).")
@click.option("--vat-deductible-account", help="Deductible VAT, with its sub-accounts (3455).")
@click.option("--vat-fixed-assets-account", help="Deductible VAT on fixed assets (34551).")
@click.option("--vat-credit-account", help="Where a VAT credit is carried (3456).")
@click.option("--vat-due-account", help="Where the VAT due is booked (4456).")
def settings_command(code: str, vat_regime, vat_period, **accounts):
    """Print the VAT settings of a ledger, after changing those given (refused once a return
    of the year is validated)."""
    ledger = services.ledger_by_code(db.session, code)
    if vat_regime or vat_period or any(accounts.values()):
        vat_settings.update_settings(
            db.session,
            ledger.id,
            vat_period=vat_period,
            vat_regime=vat_regime,
            accounts={name: value for name, value in accounts.items() if value},
        )
    click.echo(ledger.code)
    for name, value in vat_settings.settings_of(ledger).items():
        click.echo(f"  {name}: {value}")


def _left_out_rows(items) -> list[dict]:
    return [
        {
            "entry": item.number,
            "date": item.date.isoformat(),
            "account": item.account_code,
            "partner": item.partner,
            "label": item.label,
            "open_amount": f"{item.open_amount:.2f}",
            "vat": f"{item.vat:.2f}",
        }
        for item in items
    ]


def _amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


@click.command("vat-return")
@click.argument("code")
@click.option("--period", required=True, help="YYYY-MM (monthly) or YYYY-Qn (quarterly).")
@click.option("--validate", is_flag=True, help="Validate the return and post its settlement.")
@click.option(
    "--confirm-unmatched",
    is_flag=True,
    help="Validate although invoices are unpaid or payments unmatched in the period.",
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def vat_return_command(
    code: str, period: str, validate: bool, confirm_unmatched: bool, output_format: str
):
    """The VAT return of a period as the SIMPL-TVA lines, with what it could not count;
    `--validate` validates it and posts the entry that settles the VAT accounts."""
    ledger = services.ledger_by_code(db.session, code)
    start, end = vat_periods.period_from_text(ledger, period)
    if validate:
        vat_settlement.validate_return(
            db.session, ledger.id, start, actor=None, confirm_left_out=confirm_unmatched
        )
    saved = vat_return.get_return(db.session, ledger.id, start)
    draft = (
        vat_return.saved_draft(db.session, saved)
        if saved
        else vat_return.compute_return(db.session, ledger.id, start, end)
    )
    settlement = db.session.get(Entry, saved.entry_id) if saved and saved.entry_id else None
    document = {
        "ledger": ledger.code,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "regime": draft.regime,
        "validated": saved is not None,
        "lines": [
            {
                "number": line.number,
                "label": str(line.label),
                "rate": _amount(line.rate),
                "base": _amount(line.base),
                "tax": _amount(line.tax),
            }
            for line in vat_return.form_lines(draft)
        ],
        "to_check": [item.number for item in draft.to_check],
        "unpaid": _left_out_rows(draft.unpaid),
        "unpaid_total": f"{draft.unpaid_total:.2f}",
        "unpaid_vat": f"{draft.unpaid_vat:.2f}",
        "unmatched": _left_out_rows(draft.unmatched),
        "unmatched_total": f"{draft.unmatched_total:.2f}",
        "settlement_entry": settlement.number if settlement else None,
    }
    if output_format == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    state = "validated" if saved else "not validated"
    click.echo(f"{ledger.code}: VAT return {start} to {end} ({draft.regime}, {state})")
    for line in document["lines"]:
        amounts = " ".join(
            f"{name} {line[name]}" for name in ("rate", "base", "tax") if line[name] is not None
        )
        click.echo(f"  {line['number']:>4}  {line['label']}  {amounts}".rstrip())
    for title, key, total in (
        ("Invoices unpaid", "unpaid", draft.unpaid_total),
        ("Payments unmatched", "unmatched", draft.unmatched_total),
    ):
        if document[key]:
            click.echo(f"{title}: {len(document[key])}, {total:.2f}")
            for row in document[key]:
                click.echo(
                    f"  {row['date']}  {row['entry']}  {row['account']}  "
                    f"{row['partner'] or '-'}  {row['open_amount']}"
                )
    if draft.to_check:
        click.echo(f"Entries to check: {', '.join(document['to_check'])}")
    if settlement is not None:
        click.echo(f"Settlement entry: {settlement.number}")


def _echo_failures(result: batch.BatchResult, name) -> None:
    for failure in result.failures:
        reasons = "; ".join(str(reason) for reason in failure.reasons)
        click.echo(f"{name(failure.record)}: {reasons}", err=True)


@click.command("post-drafts")
@click.argument("code")
def post_drafts_command(code: str):
    """Post every draft of a ledger in date order; list the drafts that stay drafts and why."""
    ledger = services.ledger_by_code(db.session, code)
    with click.progressbar(
        length=drafts_count(db.session, ledger.id), label=f"{ledger.code}: posting drafts"
    ) as bar:
        result = batch.post_all_drafts(db.session, ledger.id, progress=lambda: bar.update(1))
    click.echo(f"{ledger.code}: {len(result.done)} posted, {len(result.failures)} not posted.")
    _echo_failures(result, lambda entry: f"draft #{entry.id} {entry.date} {entry.label}")
    if result.failures:
        return 1


@click.command("lock")
@click.option(
    "--date",
    "lock_date",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Nothing may be posted on or before this date, e.g. 2026-03-31.",
)
@click.argument("codes", nargs=-1, required=True)
def lock_command(lock_date: datetime, codes: tuple[str, ...]):
    """Lock the books of several ledgers (cooperative codes, or GIE) up to a date."""
    ledgers = [services.ledger_by_code(db.session, code) for code in codes]
    with click.progressbar(length=len(ledgers), label="Locking") as bar:
        result = batch.lock_period(
            db.session,
            [ledger.id for ledger in ledgers],
            lock_date.date(),
            progress=lambda: bar.update(1),
        )
    click.echo(
        f"Locked up to {lock_date.date().isoformat()}: {len(result.done)} ledgers, "
        f"{len(result.failures)} refused."
    )
    _echo_failures(result, lambda ledger: ledger.code)
    if result.failures:
        return 1


#: what the composition root attaches to the `accounting` group (`flask --app gie accounting`)
COMMANDS = (close_command, settings_command, vat_return_command, post_drafts_command, lock_command)


bank_cli = CommandGroup("bank", help="Bank statements.")


def _balance(_ctx, _param, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return statement_files.parse_amount(value, ".")
    except ValueError:
        raise click.BadParameter(f"not an amount: {value}") from None


@bank_cli.command("import")
@click.argument("code")
@click.argument("account")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--format",
    "source",
    type=click.Choice(("auto", *statement_files.SOURCES)),
    default="auto",
    help="The kind of file; auto tells it by its content.",
)
@click.option("--opening", callback=_balance, help="Opening balance, if the file lacks it.")
@click.option("--closing", callback=_balance, help="Closing balance, if the file lacks it.")
def import_command(code: str, account: str, file, source: str, opening, closing):
    """Import a statement file (CSV in the bank account's format, OFX, MT940, CAMT.053)
    into the bank account of ACCOUNT (51xx) of the ledger CODE, made a bank account on first
    use; each statement of a file of several goes into the bank account of its account id."""
    ledger = services.ledger_by_code(db.session, code)
    bank_account = bank.bank_account_of_code(db.session, ledger.id, account)
    imported = bank.import_statement(
        db.session,
        bank_account.id,
        file.read(),
        file.name,
        source=source,
        opening_balance=opening,
        closing_balance=closing,
    )
    for result in imported.results:
        click.echo(
            f"{bank.describe(result.read)} -> {result.bank_account.name}: "
            f"{result.lines_added} lines added, {result.lines_skipped} already imported"
        )
        if not result.balances_checked:
            click.echo("  balances not checked: the file gives too few of them", err=True)
