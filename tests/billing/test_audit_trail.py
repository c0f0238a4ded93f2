"""Issuing an invoice and recording a payment leave audit rows naming the invoice, its lines,
the payment, its allocation and the postings, and whoever acted."""

from datetime import date
from decimal import Decimal

from accounting.models import Entry
from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from gie.audit.services import acting_as
from tests.audit import audit_row


def test_issuing_and_paying_an_invoice_are_audited(
    session, gie_books, catalogue, member, make_user
):
    accountant = make_user("accountant")
    customer = member()
    with acting_as(accountant.id):
        draft = billing_invoices.save_draft_invoice(
            session,
            customer.id,
            [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
            on=date(2026, 3, 1),
        )
        invoice = billing_invoices.issue_invoice(
            session, draft.id, on=date(2026, 3, 2), actor=accountant
        )
        payment = billing_payments.record_payment(
            session,
            customer_id=customer.id,
            received_on=date(2026, 3, 30),
            amount=Decimal("960.00"),
            method="transfer",
            reference="VIR-7",
            allocations={invoice.id: Decimal("960.00")},
            actor=accountant,
        )
    session.commit()

    assert audit_row(session, invoice, "create").record_label == f"Draft invoice #{invoice.id}"
    issued = audit_row(session, invoice, "update")
    assert issued.record_label == f"Invoice {invoice.number}"
    line_row = audit_row(session, invoice.lines[0], "create")
    assert line_row.record_label == f"Line of invoice #{invoice.id}: {invoice.lines[0].description}"
    paid = audit_row(session, payment, "create")
    assert paid.record_label == "Payment 2026-03-30 960.00 VIR-7"
    [allocation] = payment.allocations
    allocated = audit_row(session, allocation, "create")
    assert allocated.record_label == (
        f"Allocation of payment #{payment.id} to invoice #{invoice.id}: 960.00"
    )
    postings = [invoice.gie_entry_id, invoice.mirror_entry_id]
    postings += [payment.gie_entry_id, payment.mirror_entry_id]
    for entry_id in postings:
        entry = session.get(Entry, entry_id)
        assert entry.posted_by_id == accountant.id
        assert audit_row(session, entry, "update").record_label == f"Entry {entry.number}"
    rows = [issued, line_row, paid, allocated]
    assert {row.user_id for row in rows} == {accountant.id}


def test_a_credit_note_is_named_as_one(session, gie_books, catalogue, member):
    customer = member()
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
        on=date(2026, 3, 1),
    )
    invoice = billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, 2))
    credit = billing_invoices.create_credit_note(
        session, invoice.id, on=date(2026, 3, 3), reason="Annulation"
    )
    session.commit()
    assert audit_row(session, credit, "update").record_label == f"Credit note {credit.number}"
