from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting.models import Account, Entry, Ledger, Line
from accounting.reports.statements import trial_balance
from accounting.services import PostingRefused, set_lock_date
from billing.models import Invoice
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from billing.services import runs as billing_runs
from billing.services import subscriptions as billing_subscriptions
from billing.services.refusals import BillingRefused


def _invoices(session):
    return session.scalar(select(func.count()).select_from(Invoice))


def test_running_the_same_period_twice_bills_nothing_twice(session, catalogue, member):
    customer = member()
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
    )
    first = billing_runs.run_billing(session, 2026, 3)
    assert first.invoices_created == 1
    second = billing_runs.run_billing(session, 2026, 3)
    assert (second.invoices_created, second.already_billed) == (0, 1)
    assert _invoices(session) == 1


def test_a_subscription_starting_mid_month_is_prorated_by_days(session, catalogue, member):
    customer = member()
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 4, 21),
    )
    billing_runs.run_billing(session, 2026, 4)
    invoice = session.scalar(select(Invoice))
    # 1,500.00 member price × 10 of April's 30 days = 500.00, VAT 20 % = 100.00.
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        Decimal("500.00"),
        Decimal("100.00"),
        Decimal("600.00"),
    )


def test_a_funder_share_makes_two_invoices_adding_up_to_the_full_price(session, catalogue, member):
    customer = member()
    funder = billing_customers.create_customer(
        session, code="NORESS", kind="funder", name="Plateforme NORESS"
    )
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
        funder_id=funder.id,
        funder_share_percent=Decimal("33.33"),
    )
    summary = billing_runs.run_billing(session, 2026, 5)
    assert summary.invoices_created == 2
    invoices = {i.customer_id: i for i in session.scalars(select(Invoice))}
    assert invoices[funder.id].total_net == Decimal("499.95")  # 33.33 % of 1,500.00
    assert invoices[customer.id].total_net + invoices[funder.id].total_net == Decimal("1500.00")


def test_quarterly_subscription_is_billed_once_per_quarter(session, catalogue, member):
    customer = member()
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
        period="quarterly",
    )
    assert billing_runs.run_billing(session, 2026, 4).invoices_created == 1
    assert billing_runs.run_billing(session, 2026, 5).invoices_created == 0
    invoice = session.scalar(select(Invoice))
    assert invoice.total_net == Decimal("1500.00")


def test_suspended_and_ended_subscriptions_are_not_billed(session, catalogue, member):
    customer = member()
    subscription = billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
    )
    billing_subscriptions.set_subscription_status(session, subscription.id, "suspended")
    assert billing_runs.run_billing(session, 2026, 2).invoices_created == 0
    billing_subscriptions.set_subscription_status(
        session, subscription.id, "ended", end_on=date(2026, 2, 28)
    )
    assert billing_runs.run_billing(session, 2026, 3).invoices_created == 0


def test_price_changes_apply_from_their_date_and_never_rewrite_issued_invoices(
    session, gie_books, catalogue, member
):
    customer = member()
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal("2"))],
        on=date(2026, 3, 1),
    )
    issued = billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, 1))
    billing_catalogue.set_price(
        session,
        catalogue["training"].id,
        valid_from=date(2026, 6, 1),
        public_price=Decimal("1500"),
        member_price=Decimal("1000"),
    )
    later = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal("2"))],
        on=date(2026, 6, 2),
    )
    assert issued.total_net == Decimal("1600.00")
    assert later.total_net == Decimal("2000.00")


def _partner_balance(session, ledger_code, account, partner):
    ledger = session.scalar(select(Ledger).where(Ledger.code == ledger_code))
    debit, credit = session.execute(
        select(func.coalesce(func.sum(Line.debit), 0), func.coalesce(func.sum(Line.credit), 0))
        .join(Account, Account.id == Line.account_id)
        .where(
            Line.ledger_id == ledger.id,
            Account.code == account,
            Line.partner == partner,
            Line.posted,
        )
    ).one()
    return Decimal(debit) - Decimal(credit)


def test_issuing_and_paying_post_mirrored_entries_in_both_books(
    session, gie_books, catalogue, member
):
    customer = member()
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
    )
    for month in (1, 2, 3):
        invoice_id = billing_runs.run_billing(session, 2026, month).invoice_ids[0]
        billing_invoices.issue_invoice(session, invoice_id, on=date(2026, month, 28))
    billing_payments.record_payment(
        session,
        customer_id=customer.id,
        received_on=date(2026, 3, 30),
        amount=Decimal("2500.00"),
        method="transfer",
        reference="VIR-1",
    )
    session.commit()

    gie_side = _partner_balance(session, "GIE", "3421", customer.code)
    coop_side = _partner_balance(session, customer.code, "4411", "GIE")
    assert gie_side == Decimal("2900.00")  # 3 × 1,800.00 − 2,500.00
    assert coop_side == -gie_side
    for code in ("GIE", customer.code):
        ledger_id = session.scalar(select(Ledger.id).where(Ledger.code == code))
        totals = trial_balance(session, ledger_id).totals
        assert totals.closing_debit == totals.closing_credit


def test_a_failing_mirror_posting_leaves_neither_book_posted(session, gie_books, catalogue, member):
    customer = member()
    coop_books = session.scalar(select(Ledger).where(Ledger.code == customer.code))
    set_lock_date(session, coop_books.id, date(2026, 12, 31))
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
        on=date(2026, 3, 1),
    )
    session.commit()
    with pytest.raises(PostingRefused):
        billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, 1))
    session.rollback()
    assert session.get(Invoice, draft.id).state == "draft"
    assert session.scalar(select(func.count()).select_from(Entry)) == 0


def test_an_issued_invoice_cannot_change_and_a_credit_note_restores_the_balance(
    session, gie_books, catalogue, member
):
    customer = member()
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal("3"))],
        on=date(2026, 3, 1),
    )
    invoice = billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, 2))
    assert invoice.number == "FA-2026-00001"
    with pytest.raises(BillingRefused):
        billing_invoices.save_draft_invoice(
            session,
            customer.id,
            [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
            on=date(2026, 3, 3),
            invoice_id=invoice.id,
        )
    with pytest.raises(BillingRefused):
        billing_invoices.delete_draft_invoice(session, invoice.id)
    credit = billing_invoices.create_credit_note(
        session, invoice.id, on=date(2026, 3, 5), reason="Annulation"
    )
    assert credit.number == "AV-2026-00001"
    assert invoice.state == "cancelled"
    assert _partner_balance(session, "GIE", "3421", customer.code) == Decimal("0.00")
    assert _partner_balance(session, customer.code, "4411", "GIE") == Decimal("0.00")


def test_a_partial_credit_note_reduces_what_is_owed(session, gie_books, catalogue, member):
    customer = member(with_books=False)
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
        on=date(2026, 3, 1),
    )
    invoice = billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, 2))
    billing_invoices.create_credit_note(
        session, invoice.id, on=date(2026, 3, 5), amount_net=Decimal("200")
    )
    assert invoice.open_amount == Decimal("720.00")  # (800 − 200) × 1.2
    assert invoice.state == "issued"


def test_payments_are_allocated_oldest_first_and_states_follow(
    session, gie_books, catalogue, member
):
    customer = member()
    ids = []
    for day in (1, 2):
        draft = billing_invoices.save_draft_invoice(
            session,
            customer.id,
            [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
            on=date(2026, 3, day),
        )
        ids.append(billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, day)).id)
    billing_payments.record_payment(
        session,
        customer_id=customer.id,
        received_on=date(2026, 3, 10),
        amount=Decimal("1200.00"),
        method="cheque",
        reference="CHQ-7",
    )
    first, second = (session.get(Invoice, i) for i in ids)
    assert (first.state, second.state) == ("paid", "partially_paid")
    assert second.open_amount == Decimal("720.00")


def test_allocations_beyond_the_open_amount_are_refused(session, gie_books, catalogue, member):
    customer = member()
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
        on=date(2026, 3, 1),
    )
    invoice = billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, 1))
    with pytest.raises(BillingRefused):
        billing_payments.record_payment(
            session,
            customer_id=customer.id,
            received_on=date(2026, 3, 10),
            amount=Decimal("2000.00"),
            method="cash",
            allocations={invoice.id: Decimal("1000")},
        )


def test_payment_terms_are_at_most_120_days(session):
    with pytest.raises(Exception) as refused:
        billing_customers.create_customer(
            session, code="HOTEL", kind="business", name="Hôtel", payment_terms_days=150
        )
    assert "payment_terms_days" in refused.value.field_errors
