"""Payments: recorded, allocated to open invoices (the oldest first unless told), posted in the
books and matched there with the invoices they settle."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting import services as accounting
from accounting.models import GIE_LEDGER_CODE
from accounting.services import LineInput
from billing.models import (
    PAYMENT_METHODS,
    Allocation,
    Customer,
    Invoice,
    Payment,
)
from billing.services.invoices import update_state
from billing.services.postings import (
    CUSTOMER_ACCOUNT,
    PAYMENT_ACCOUNTS,
    SUPPLIER_ACCOUNT,
    gie_ledger,
    match_settlement,
    mirror_ledger,
)
from billing.services.refusals import BillingRefused
from gie.errors import ValidationError
from gie.money import ZERO, D
from gie.security import get_scoped


def get_payment(session: Session, payment_id: int, *, actor) -> Payment:
    return get_scoped(session, Payment, payment_id, actor)


def record_payment(
    session: Session,
    *,
    customer_id: int,
    received_on: date,
    amount: Decimal,
    method: str,
    reference: str = "",
    allocations: dict[int, Decimal] | None = None,
    actor=None,
) -> Payment:
    """Record a payment, allocate it to the given invoices (or to the oldest open ones), post
    it in both books and match each allocation with its invoice there (lettrage). What
    exceeds the open invoices stays as a credit on the account, open in the books."""
    customer = session.get(Customer, customer_id)
    amount = D(amount)
    if customer is None:
        raise ValidationError(_l("Unknown customer."))
    if amount <= 0:
        raise ValidationError(
            _l("The amount must be positive."),
            field_errors={"amount": [_l("The amount must be positive.")]},
        )
    if method not in PAYMENT_METHODS:
        raise ValidationError(_l("Choose a payment method."))
    ledger = gie_ledger(session)
    with session.begin_nested():
        accounting.lock_ledger(session, ledger.id)
        payment = Payment(
            customer_id=customer.id,
            cooperative_id=customer.cooperative_id,
            received_on=received_on,
            amount=amount,
            method=method,
            reference=reference.strip(),
        )
        session.add(payment)
        session.flush()
        _allocate(session, payment, allocations)
        journal, cash_account = PAYMENT_ACCOUNTS[method]
        label = f"{_l('Payment')} {customer.code} {reference}".strip()
        payment.gie_entry_id = accounting.record_entry(
            session,
            ledger.id,
            journal_code=journal,
            entry_date=received_on,
            label=label,
            reference=reference,
            lines=[
                LineInput(cash_account, debit=amount),
                LineInput(CUSTOMER_ACCOUNT, credit=amount, partner=customer.code),
            ],
        ).id
        mirror = mirror_ledger(session, customer)
        if mirror is not None:
            payment.mirror_entry_id = accounting.record_entry(
                session,
                mirror.id,
                journal_code=journal,
                entry_date=received_on,
                label=label,
                reference=reference,
                lines=[
                    LineInput(SUPPLIER_ACCOUNT, debit=amount, partner=GIE_LEDGER_CODE),
                    LineInput(cash_account, credit=amount),
                ],
            ).id
        for allocation in session.scalars(
            select(Allocation).where(Allocation.payment_id == payment.id)
        ):
            match_settlement(session, allocation.invoice, payment, allocation.amount, actor=actor)
        session.flush()
    return payment


def _allocate(session: Session, payment: Payment, allocations: dict[int, Decimal] | None) -> None:
    open_invoices = session.scalars(
        select(Invoice)
        .where(
            Invoice.customer_id == payment.customer_id,
            Invoice.kind == "invoice",
            Invoice.state.in_(("issued", "partially_paid")),
        )
        .order_by(Invoice.issue_date, Invoice.id)
        .with_for_update()
    ).all()
    by_id = {invoice.id: invoice for invoice in open_invoices}
    if allocations is None:
        left = payment.amount
        allocations = {}
        for invoice in open_invoices:
            if left <= 0:
                break
            allocations[invoice.id] = min(left, invoice.open_amount)
            left -= allocations[invoice.id]
    if sum(allocations.values(), ZERO) > payment.amount:
        raise BillingRefused(_l("The allocations exceed the payment."))
    for invoice_id, share in allocations.items():
        invoice = by_id.get(invoice_id)
        share = D(share)
        if invoice is None:
            raise BillingRefused(
                _l("Invoice #%(id)d is not open for this customer.", id=invoice_id)
            )
        if share <= 0 or share > invoice.open_amount:
            raise BillingRefused(
                _l(
                    "Invoice %(number)s has %(open)s open.",
                    number=invoice.number,
                    open=invoice.open_amount,
                )
            )
        session.add(Allocation(payment_id=payment.id, invoice_id=invoice.id, amount=share))
        invoice.amount_paid += share
        update_state(invoice)
