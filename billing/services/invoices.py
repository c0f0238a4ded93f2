"""Invoices and credit notes: drafts typed by hand or left by a billing run, issuing them with
gapless numbers and their postings, crediting an issued invoice."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting import services as accounting
from accounting.vat_rates import vat_rate_on
from billing.models import (
    BilledPeriod,
    Customer,
    Invoice,
    InvoiceLine,
    Service,
)
from billing.services.catalogue import price_on
from billing.services.postings import document_lines, gie_ledger, match_settlement, mirror_ledger
from billing.services.refusals import BillingRefused, not_found
from gie.errors import DomainError, ValidationError
from gie.money import HUNDRED, ZERO, D
from gie.security import get_scoped


def compute_totals(invoice: Invoice) -> None:
    """VAT per rate on the sum of that rate's net lines, rounded half up (DESIGN 3)."""
    net_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in invoice.lines:
        net_by_rate[line.vat_rate] += line.net_amount
    invoice.total_net = D(sum(net_by_rate.values(), ZERO))
    invoice.total_vat = D(sum((D(net * rate / HUNDRED) for rate, net in net_by_rate.items()), ZERO))
    invoice.total_gross = invoice.total_net + invoice.total_vat


def vat_breakdown(invoice: Invoice) -> list[tuple[Decimal, Decimal, Decimal, str]]:
    """(rate, base, VAT, exemption reference) per rate, as the invoice prints them."""
    bases: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    references: dict[Decimal, str] = {}
    for line in invoice.lines:
        bases[line.vat_rate] += line.net_amount
        references.setdefault(line.vat_rate, line.vat_reference)
    return [
        (rate, D(base), D(base * rate / HUNDRED), references[rate])
        for rate, base in sorted(bases.items())
    ]


@dataclass
class DraftLine:
    service_id: int
    quantity: Decimal
    description: str = ""
    unit_price: Decimal | None = None  #: the catalogue's price for this customer when omitted
    subscription_id: int | None = None  #: kept when a billing run's draft is edited


def save_draft_invoice(
    session: Session,
    customer_id: int,
    lines: list[DraftLine],
    *,
    on: date,
    invoice_id: int | None = None,
    notes: str = "",
) -> Invoice:
    """Create or replace a draft invoice by hand (prices from the catalogue unless given)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise ValidationError(_l("Unknown customer."))
    if not lines:
        raise ValidationError(_l("An invoice needs at least one line."))
    if invoice_id:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise not_found()
        refuse_unless_draft(invoice)
        invoice.lines.clear()
    else:
        invoice = Invoice(customer_id=customer.id, cooperative_id=customer.cooperative_id)
        session.add(invoice)
    invoice.customer_id, invoice.cooperative_id, invoice.notes = (
        customer.id,
        customer.cooperative_id,
        notes,
    )
    for position, line in enumerate(lines):
        service = session.get(Service, line.service_id)
        if service is None or line.quantity <= 0:
            raise ValidationError(
                _l("Line %(n)d: choose a service and a positive quantity.", n=position + 1)
            )
        prices = price_on(session, service.id, on)
        unit_price = (
            line.unit_price
            if line.unit_price is not None
            else (prices.member_price if customer.kind == "member" else prices.public_price)
        )
        rate = vat_rate_on(session, service.vat_code, on)
        invoice.lines.append(
            InvoiceLine(
                position=position,
                service_id=service.id,
                subscription_id=line.subscription_id,
                description=line.description or service.name,
                quantity=line.quantity,
                unit_price=D(unit_price),
                net_amount=D(unit_price * line.quantity),
                vat_code=rate.code,
                vat_rate=rate.rate,
                vat_reference=rate.legal_reference if rate.exempt else "",
                income_account=service.income_account,
            )
        )
    session.flush()
    compute_totals(invoice)
    session.flush()
    return invoice


def refuse_unless_draft(invoice: Invoice) -> None:
    if invoice.state != "draft":
        raise BillingRefused(
            _l(
                "Invoice %(number)s is issued: cancel or correct it with a credit note.",
                number=invoice.number,
            )
        )


def delete_draft_invoice(session: Session, invoice_id: int) -> None:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise not_found()
    refuse_unless_draft(invoice)
    session.execute(BilledPeriod.__table__.delete().where(BilledPeriod.invoice_id == invoice.id))
    session.delete(invoice)
    session.flush()


def get_invoice(session: Session, invoice_id: int, *, actor) -> Invoice:
    return get_scoped(session, Invoice, invoice_id, actor)


def legal_mentions(customer: Customer) -> dict[str, str]:
    """The customer's identity an invoice must carry (name, address, ICE, IF, RC)."""
    return {
        "code": customer.code,
        "name": customer.name,
        "name_ar": customer.name_ar,
        "address": customer.address,
        "ice": customer.ice,
        "if_number": customer.if_number,
        "rc_number": customer.rc_number,
    }


def _snapshot(customer: Customer) -> str:
    return json.dumps(legal_mentions(customer), ensure_ascii=False)


def _next_number(session: Session, kind: str, year: int) -> tuple[int, str]:
    last = session.scalar(
        select(func.max(Invoice.sequence)).where(Invoice.kind == kind, Invoice.year == year)
    )
    sequence = (last or 0) + 1
    prefix = "FA" if kind == "invoice" else "AV"
    return sequence, f"{prefix}-{year}-{sequence:05d}"


def issue_invoice(session: Session, invoice_id: int, *, on: date, actor=None) -> Invoice:
    """Issue a draft: gapless yearly number, frozen legal mentions and totals, due date, and
    the postings in the GIE's books and the mirror ones, all or nothing.

    Raises BillingRefused, PostingRefused (the books refuse the date), NotFound.
    """
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise not_found()
    refuse_unless_draft(invoice)
    if not invoice.lines:
        raise BillingRefused(_l("An invoice needs at least one line."))
    ledger = gie_ledger(session)
    with session.begin_nested():
        accounting.lock_ledger(session, ledger.id)  # numbers invoices and entries in one order
        invoice.year = on.year
        invoice.sequence, invoice.number = _next_number(session, invoice.kind, on.year)
        invoice.issue_date = on
        invoice.due_date = on + relativedelta(days=invoice.customer.payment_terms_days)
        invoice.customer_snapshot = _snapshot(invoice.customer)
        compute_totals(invoice)
        invoice.state = "issued"
        sign = 1 if invoice.kind == "invoice" else -1
        gie_lines, mirror_lines = document_lines(session, invoice, sign)
        what = _l("Invoice") if sign > 0 else _l("Credit note")
        label = f"{what} {invoice.number} {invoice.customer.code}"
        invoice.gie_entry_id = accounting.record_entry(
            session,
            ledger.id,
            journal_code="VT",
            entry_date=on,
            label=label,
            reference=invoice.number,
            lines=gie_lines,
        ).id
        mirror = mirror_ledger(session, invoice.customer)
        if mirror is not None:
            invoice.mirror_entry_id = accounting.record_entry(
                session,
                mirror.id,
                journal_code="AC",
                entry_date=on,
                label=label,
                reference=invoice.number,
                lines=mirror_lines,
            ).id
        if invoice.kind == "credit_note":
            _apply_credit_note(invoice)
        session.flush()
    return invoice


@dataclass
class IssueSummary:
    issued: list[str] = field(default_factory=list)  #: the numbers given
    refused: list[tuple[int, str, str]] = field(default_factory=list)  #: id, customer, why


def issue_month_drafts(
    session: Session, year: int, month: int, *, on: date, actor=None, progress=None
) -> IssueSummary:
    """Issue every draft invoice of a billing month, each in its own savepoint: a draft the
    books refuse (a closed year, a lock date) stays a draft and is listed with the reason."""
    month_start = date(year, month, 1)
    drafts = session.scalars(
        select(Invoice)
        .where(
            Invoice.state == "draft", Invoice.kind == "invoice", Invoice.period_start == month_start
        )
        .order_by(Invoice.id)
    ).all()
    summary = IssueSummary()
    for done, draft in enumerate(drafts, start=1):
        try:
            summary.issued.append(issue_invoice(session, draft.id, on=on, actor=actor).number)
        except DomainError as error:
            summary.refused.append((draft.id, draft.customer.code, str(error.message)))
        if progress:
            progress(done, len(drafts))
    return summary


def _apply_credit_note(credit_note: Invoice) -> None:
    original = credit_note.credited_invoice
    original.amount_credited += credit_note.total_gross
    update_state(original)


def update_state(invoice: Invoice) -> None:
    if invoice.amount_credited >= invoice.total_gross:
        invoice.state = "cancelled"
    elif invoice.open_amount <= 0:
        invoice.state = "paid"
    elif invoice.amount_paid > 0:
        invoice.state = "partially_paid"
    else:
        invoice.state = "issued"


def create_credit_note(
    session: Session,
    invoice_id: int,
    *,
    on: date,
    amount_net: Decimal | None = None,
    reason: str = "",
    actor=None,
) -> Invoice:
    """Cancel (the whole invoice) or correct (`amount_net` off, spread over its lines) an issued
    invoice with a credit note, issued at once and matched with the invoice in the books for
    what is still open of it."""
    original = session.get(Invoice, invoice_id)
    if original is None:
        raise not_found()
    if original.kind != "invoice" or original.state in ("draft", "cancelled"):
        raise BillingRefused(_l("Only an issued invoice can be credited."))
    remaining_net = D(
        original.total_net
        * (original.total_gross - original.amount_credited)
        / original.total_gross
    )
    amount_net = remaining_net if amount_net is None else D(amount_net)
    if not ZERO < amount_net <= remaining_net:
        raise BillingRefused(_l("A credit note takes off at most what is left of the invoice."))
    credit = Invoice(
        kind="credit_note",
        customer_id=original.customer_id,
        cooperative_id=original.cooperative_id,
        credited_invoice_id=original.id,
        notes=reason,
    )
    session.add(credit)
    ratio = amount_net / original.total_net
    allotted = ZERO
    for position, line in enumerate(original.lines):
        net = (
            D(line.net_amount * ratio)
            if position < len(original.lines) - 1
            else amount_net - allotted
        )
        allotted += net
        credit.lines.append(
            InvoiceLine(
                position=position,
                service_id=line.service_id,
                description=line.description,
                quantity=line.quantity,
                unit_price=D(net / line.quantity),
                net_amount=net,
                vat_code=line.vat_code,
                vat_rate=line.vat_rate,
                vat_reference=line.vat_reference,
                income_account=line.income_account,
            )
        )
    session.flush()
    compute_totals(credit)
    credit.credited_invoice = original
    credit = issue_invoice(session, credit.id, on=on, actor=actor)
    match_settlement(session, original, credit, credit.total_gross, actor=actor)
    return credit
