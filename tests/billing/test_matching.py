"""Billing matches (lettrage) what it settles: an invoice's customer line with the payments
allocated to it and with the credit note that cancels it, in the GIE's books and in the
cooperative's mirror books."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from accounting import matching
from accounting.models import GIE_LEDGER_CODE, Account, Ledger, Line
from accounting.reports import partners
from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments


def _ledger_id(session, code):
    return session.scalar(select(Ledger.id).where(Ledger.code == code))


def _partner_line(session, entry_id, account_code):
    return session.scalar(
        select(Line)
        .join(Account, Account.id == Line.account_id)
        .where(Line.entry_id == entry_id, Account.code == account_code)
    )


def _open(session, ledger_code, account_code):
    """The open amount of each open line of the account, by entry id."""
    return {
        item.entry_id: item.open_amount
        for item in matching.open_items(
            session, _ledger_id(session, ledger_code), account_prefix=account_code
        )
    }


def _invoice(session, customer, catalogue, on, days=Decimal("1")):
    draft = billing_invoices.save_draft_invoice(
        session, customer.id, [billing_invoices.DraftLine(catalogue["training"].id, days)], on=on
    )
    return billing_invoices.issue_invoice(session, draft.id, on=on)


def _pay(session, customer, amount, on):
    return billing_payments.record_payment(
        session,
        customer_id=customer.id,
        received_on=on,
        amount=Decimal(amount),
        method="transfer",
        reference="VIR-9",
    )


def test_a_partial_payment_is_matched_and_the_aged_balance_shows_only_the_rest(
    session, gie_books, catalogue, member
):
    customer = member()
    invoice = _invoice(session, customer, catalogue, date(2026, 3, 2))  # 960.00
    payment = _pay(session, customer, "400.00", date(2026, 3, 20))
    session.commit()

    invoice_line = _partner_line(session, invoice.gie_entry_id, "3421")
    payment_line = _partner_line(session, payment.gie_entry_id, "3421")
    assert matching.matched_amounts(session, [invoice_line.id, payment_line.id]) == {
        invoice_line.id: Decimal("400.00"),
        payment_line.id: Decimal("400.00"),
    }
    assert _open(session, GIE_LEDGER_CODE, "3421") == {invoice.gie_entry_id: Decimal("560.00")}
    aged = partners.aged_balance(session, gie_books.id, on=date(2026, 3, 31))
    assert [(row.partner, row.buckets) for row in aged.rows] == [
        (customer.code, [Decimal("560.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")])
    ]


def test_a_full_payment_matches_the_partner_lines_of_both_books(
    session, gie_books, catalogue, member
):
    customer = member()
    first = _invoice(session, customer, catalogue, date(2026, 3, 2))
    second = _invoice(session, customer, catalogue, date(2026, 3, 3))
    _pay(session, customer, "1920.00", date(2026, 3, 20))
    session.commit()

    assert (first.state, second.state) == ("paid", "paid")
    assert _open(session, GIE_LEDGER_CODE, "3421") == {}
    assert _open(session, customer.code, "4411") == {}
    supplier_lines = matching.partner_lines(
        session, _partner_line(session, first.mirror_entry_id, "4411").account_id, "GIE"
    )
    # two invoices and the payment: one group of lines, fully matched
    assert [line.letter for line in supplier_lines] == ["A", "A", "A"]


def test_an_overpayment_stays_open_as_a_credit_of_the_customer(
    session, gie_books, catalogue, member
):
    customer = member()
    _invoice(session, customer, catalogue, date(2026, 3, 2))
    payment = _pay(session, customer, "1000.00", date(2026, 3, 20))
    session.commit()
    assert _open(session, GIE_LEDGER_CODE, "3421") == {payment.gie_entry_id: Decimal("-40.00")}
    assert _open(session, customer.code, "4411") == {payment.mirror_entry_id: Decimal("40.00")}


def test_a_credit_note_cancelling_an_invoice_leaves_nothing_open(
    session, gie_books, catalogue, member
):
    customer = member()
    invoice = _invoice(session, customer, catalogue, date(2026, 3, 2))
    billing_invoices.create_credit_note(
        session, invoice.id, on=date(2026, 3, 5), reason="Annulation"
    )
    session.commit()
    assert _open(session, GIE_LEDGER_CODE, "3421") == {}
    assert _open(session, customer.code, "4411") == {}
    assert partners.aged_balance(session, gie_books.id, on=date(2026, 3, 31)).rows == []


def test_a_credit_note_after_a_partial_payment_matches_only_what_is_open(
    session, gie_books, catalogue, member
):
    customer = member()
    invoice = _invoice(session, customer, catalogue, date(2026, 3, 2))  # 960.00
    _pay(session, customer, "600.00", date(2026, 3, 10))
    credit = billing_invoices.create_credit_note(
        session, invoice.id, on=date(2026, 3, 12), amount_net=Decimal("500")
    )  # 600.00 off: 360.00 settle the invoice, 240.00 are owed to the customer
    session.commit()
    assert _open(session, GIE_LEDGER_CODE, "3421") == {credit.gie_entry_id: Decimal("-240.00")}
