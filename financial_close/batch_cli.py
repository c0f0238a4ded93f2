"""`flask --app gie accounting post-drafts|lock`: the cockpit's batch work from the command
line, with a progress bar and a summary of what failed and why."""

from datetime import datetime

import click

from accounting import services as accounting
from accounting.reports import drafts_count
from financial_close import batch
from gie import db


def _echo_failures(result: batch.BatchResult, name) -> None:
    for failure in result.failures:
        reasons = "; ".join(str(reason) for reason in failure.reasons)
        click.echo(f"{name(failure.record)}: {reasons}", err=True)


@click.command("post-drafts")
@click.argument("code")
def post_drafts(code: str):
    """Post every draft of a ledger in date order; list the drafts that stay drafts and why."""
    ledger = accounting.ledger_by_code(db.session, code)
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
def lock(lock_date: datetime, codes: tuple[str, ...]):
    """Lock the books of several ledgers (cooperative codes, or GIE) up to a date."""
    ledgers = [accounting.ledger_by_code(db.session, code) for code in codes]
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
