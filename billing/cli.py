"""`flask --app gie billing ...`"""

import json
import sys
from datetime import date

import click
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from billing import reports
from billing.models import Customer
from billing.services import invoices as billing_invoices
from billing.services import runs as billing_runs
from gie import db
from gie.command_line import CommandGroup
from gie.csvfiles import parse_date

billing_cli = CommandGroup("billing", help="Invoices, payments and statements.")


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
        date(year, month, 1)
    except ValueError:
        raise click.BadParameter("expected YYYY-MM, e.g. 2026-03") from None
    return year, month


@billing_cli.command("run")
@click.option("--period", required=True, help="The month to bill, YYYY-MM.")
def run(period: str):
    """Create the draft invoices of every subscription due for the month (idempotent)."""
    year, month = _month(period)
    with click.progressbar(length=1, label="Billing", file=sys.stderr) as bar:

        def progress(done: int, total: int):
            bar.length = total
            bar.update(done - bar.pos)

        summary = billing_runs.run_billing(db.session, year, month, progress=progress)
    click.echo(
        f"{period}: {summary.invoices_created} invoices created "
        f"({summary.lines_billed} lines, {summary.total_net} MAD excl. VAT); "
        f"{summary.already_billed} subscriptions skipped as already billed."
    )


@billing_cli.command("issue")
@click.option("--period", required=True, help="The billing month whose drafts to issue, YYYY-MM.")
@click.option("--date", "issue_date", help="Issue date (default: the month's last day, or today).")
def issue(period: str, issue_date: str | None):
    """Issue every draft invoice of a billing month; the refused ones stay drafts, listed."""
    year, month = _month(period)
    month_end = date(year, month, 1) + relativedelta(months=1, days=-1)
    on = parse_date(issue_date) if issue_date else min(month_end, date.today())
    with click.progressbar(length=1, label="Issuing", file=sys.stderr) as bar:

        def progress(done: int, total: int):
            bar.length = total
            bar.update(done - bar.pos)

        summary = billing_invoices.issue_month_drafts(
            db.session, year, month, on=on, progress=progress
        )
    click.echo(
        f"{period}: {len(summary.issued)} invoices issued, {len(summary.refused)} left as drafts."
    )
    for _invoice_id, code, reason in summary.refused:
        click.echo(f"  {code}: {reason}", err=True)


@billing_cli.command("statement")
@click.argument("code")
@click.option("--from", "date_from", help="First day (default: 1 January of this year).")
@click.option("--to", "date_to", help="Last day (default: today).")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def statement(code: str, date_from: str | None, date_to: str | None, output: str):
    """A customer's statement of account: opening, documents, running balance, ageing."""
    customer = db.session.scalar(select(Customer).where(Customer.code == code.strip().upper()))
    if customer is None:
        raise click.ClickException(f"No customer has the code {code}.")
    end = parse_date(date_to) if date_to else date.today()
    start = parse_date(date_from) if date_from else date(end.year, 1, 1)
    result = reports.statement(db.session, customer.id, date_from=start, date_to=end)
    if output == "json":
        click.echo(json.dumps(reports.statement_as_dict(result), ensure_ascii=False, indent=2))
        return
    click.echo(f"{customer.code} {customer.name}  {start} .. {end}")
    click.echo(f"{'opening':<40}{result.opening:>15}")
    for line in result.lines:
        amounts = f"{line.debit:>12}{line.credit:>12}{line.balance:>15}"
        click.echo(f"{line.on} {line.kind:<12} {line.number:<16}{amounts}")
    click.echo(f"{'closing':<40}{result.closing:>15}")
