"""The demo's billing: real invoices issued from billing runs and posted in both books, a
partial payment, an overpayment, overdue invoices, and the current month left to bill."""

from datetime import date

from sqlalchemy import func, select

from accounting.models import Entry, Ledger
from billing import reports
from billing.models import Customer, Invoice, Payment


def _load_twice(runner):
    for _ in range(2):
        result = runner.invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output


def test_the_demo_bills_its_members_once_whatever_the_number_of_loads(runner, session):
    _load_twice(runner)
    invoices = session.scalars(select(Invoice).where(Invoice.kind == "invoice")).all()
    assert invoices and all(invoice.number for invoice in invoices)
    numbers = sorted(invoice.sequence for invoice in invoices)
    assert numbers == list(range(1, len(numbers) + 1))  # gapless
    months = {invoice.period_start for invoice in invoices}
    assert len(months) == 4 and date.today().replace(day=1) not in months
    assert session.scalar(select(func.count()).select_from(Payment)) == 4
    states = {invoice.state for invoice in invoices}
    assert {"paid", "partially_paid", "issued"} <= states

    codes = {c.code: c.id for c in session.scalars(select(Customer))}
    assert {"COOP-001", "COOP-002", "COOP-003", "COOP-005", "NORESS"} <= set(codes)
    potters = reports.statement(
        session, codes["COOP-003"], date_from=date(2000, 1, 1), date_to=date.today()
    )
    assert potters.closing < 0 and potters.unallocated_credit == -potters.closing
    assert reports.overdue_of_customer(session, codes["COOP-005"], on=date.today())


def test_the_gie_books_hold_the_billed_invoices_only(runner, session):
    _load_twice(runner)
    gie = session.scalar(select(Ledger).where(Ledger.code == "GIE"))
    sales = session.scalars(
        select(Entry.reference).where(Entry.ledger_id == gie.id, Entry.journal.has(code="VT"))
    ).all()
    issued = set(session.scalars(select(Invoice.number).where(Invoice.number.is_not(None))))
    assert sales and set(sales) == issued
