import json
from datetime import date
from decimal import Decimal

from billing import reports
from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from billing.services import runs as billing_runs
from billing.services import subscriptions as billing_subscriptions


def _issue(session, customer, service, on, quantity="1"):
    draft = billing_invoices.save_draft_invoice(
        session, customer.id, [billing_invoices.DraftLine(service.id, Decimal(quantity))], on=on
    )
    return billing_invoices.issue_invoice(session, draft.id, on=on)


def test_statement_shows_opening_documents_running_balance_and_ageing(
    session, gie_books, catalogue, member
):
    customer = member()
    training = catalogue["training"]
    _issue(session, customer, training, date(2026, 1, 10))  # 960.00
    _issue(session, customer, training, date(2026, 3, 1), "2")  # 1,920.00
    billing_payments.record_payment(
        session,
        customer_id=customer.id,
        received_on=date(2026, 3, 5),
        amount=Decimal("960.00"),
        method="transfer",
        reference="VIR-9",
    )
    _issue(session, customer, training, date(2026, 5, 20))  # 960.00

    result = reports.statement(
        session, customer.id, date_from=date(2026, 2, 1), date_to=date(2026, 5, 31)
    )
    assert result.opening == Decimal("960.00")
    assert [(line.kind, line.balance) for line in result.lines] == [
        ("invoice", Decimal("2880.00")),
        ("payment", Decimal("1920.00")),
        ("invoice", Decimal("2880.00")),
    ]
    assert result.closing == Decimal("2880.00")
    # On 31 May: the 20 May invoice is 11 days old, the 1 March one 91 days.
    assert result.ageing == [
        Decimal("960.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("1920.00"),
    ]


def test_an_overpayment_stays_as_a_credit_on_the_statement(session, gie_books, catalogue, member):
    customer = member()
    _issue(session, customer, catalogue["training"], date(2026, 3, 1))  # 960.00
    billing_payments.record_payment(
        session,
        customer_id=customer.id,
        received_on=date(2026, 3, 5),
        amount=Decimal("1000.00"),
        method="transfer",
        reference="VIR-10",
    )
    result = reports.statement(
        session, customer.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    assert result.closing == Decimal("-40.00")
    assert result.unallocated_credit == Decimal("40.00")


def test_statement_and_run_commands(session, runner, gie_books, catalogue, member):
    customer = member()
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
    )
    session.commit()
    first = runner.invoke(args=["billing", "run", "--period", "2026-02"])
    assert "1 invoices created" in first.output and "0 subscriptions skipped" in first.output
    again = runner.invoke(args=["billing", "run", "--period", "2026-02"])
    assert "0 invoices created" in again.output and "1 subscriptions skipped" in again.output
    assert runner.invoke(args=["billing", "run", "--period", "2026-13"]).exit_code != 0

    invoice_id = billing_runs.run_billing(session, 2026, 3).invoice_ids[0]
    billing_invoices.issue_invoice(session, invoice_id, on=date(2026, 3, 31))
    session.commit()
    output = runner.invoke(
        args=[
            "billing",
            "statement",
            customer.code,
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--format",
            "json",
        ]
    ).output
    data = json.loads(output)
    assert data["closing"] == "1800.00"
    assert data["lines"][0]["number"] == "FA-2026-00001"


def test_issuing_a_months_drafts_numbers_them_and_leaves_refused_ones_as_drafts(
    session, runner, gie_books, catalogue, member
):
    from sqlalchemy import select

    from accounting.models import Ledger
    from accounting.services import set_lock_date
    from billing.models import Invoice

    first, second, locked = member(), member(), member()
    for customer in (first, second, locked):
        billing_subscriptions.create_subscription(
            session,
            customer_id=customer.id,
            service_id=catalogue["bookkeeping"].id,
            start_on=date(2026, 1, 1),
        )
    set_lock_date(
        session,
        session.scalar(select(Ledger.id).where(Ledger.code == locked.code)),
        date(2026, 12, 31),
    )
    billing_runs.run_billing(session, 2026, 4)
    session.commit()
    result = runner.invoke(args=["billing", "issue", "--period", "2026-04", "--date", "2026-04-30"])
    assert "2 invoices issued, 1 left as drafts" in result.output
    assert locked.code in result.output
    states = dict(session.execute(select(Invoice.customer_id, Invoice.state)).all())
    assert (states[first.id], states[second.id], states[locked.id]) == ("issued", "issued", "draft")
    assert sorted(session.scalars(select(Invoice.number).where(Invoice.number.is_not(None)))) == [
        "FA-2026-00001",
        "FA-2026-00002",
    ]


def test_issuing_a_months_drafts_from_the_run_page(
    session, client, login_as, gie_books, catalogue, member
):
    from sqlalchemy import func, select

    from billing.models import Invoice

    customer = member()
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
    )
    session.commit()
    login_as("accountant")
    done = client.post("/billing/run", data={"month": "2026-05"})
    assert "data-issue-all" in done.text
    issued = client.post("/billing/run/issue", data={"month": "2026-05", "on": "2026-05-31"})
    assert "data-issued>1<" in issued.text
    assert (
        session.scalar(select(func.count()).select_from(Invoice).where(Invoice.state == "issued"))
        == 1
    )
