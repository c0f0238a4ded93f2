"""Read side of billing: statements of account, ageing, overdue invoices."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from billing.models import Customer, Invoice, Payment
from gie.money import ZERO

AGE_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))


@dataclass
class StatementLine:
    on: date
    kind: str  #: invoice, credit_note or payment
    number: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    due_date: date | None = None


@dataclass
class Statement:
    customer: Customer
    date_from: date
    date_to: date
    opening: Decimal
    lines: list[StatementLine] = field(default_factory=list)
    closing: Decimal = ZERO
    ageing: list[Decimal] = field(default_factory=list)  #: open invoices by age bucket
    unallocated_credit: Decimal = ZERO  #: payments not yet allocated to any invoice


def _movements(customer_id: int):
    """Every document of a customer as (date, kind, number, debit, credit, due date)."""
    documents = select(
        Invoice.issue_date.label("on"),
        Invoice.kind.label("kind"),
        Invoice.number.label("number"),
        func.coalesce(func.nullif(Invoice.total_gross * (Invoice.kind == "invoice"), 0), 0).label(
            "debit"
        ),
        func.coalesce(
            func.nullif(Invoice.total_gross * (Invoice.kind == "credit_note"), 0), 0
        ).label("credit"),
        Invoice.due_date.label("due_date"),
        Invoice.id.label("id"),
    ).where(Invoice.customer_id == customer_id, Invoice.state != "draft")
    payments = select(
        Payment.received_on.label("on"),
        literal("payment").label("kind"),
        Payment.reference.label("number"),
        literal(0).label("debit"),
        Payment.amount.label("credit"),
        literal(None).label("due_date"),
        Payment.id.label("id"),
    ).where(Payment.customer_id == customer_id)
    return union_all(documents, payments).subquery()


def statement(session: Session, customer_id: int, *, date_from: date, date_to: date) -> Statement:
    """Opening balance, every document of the period with a running balance, closing
    balance, ageing of what is still open on `date_to`, and any unallocated credit."""
    customer = session.get(Customer, customer_id)
    moves = _movements(customer_id)
    opening_row = session.execute(
        select(
            func.coalesce(func.sum(moves.c.debit), 0), func.coalesce(func.sum(moves.c.credit), 0)
        ).where(moves.c.on < date_from)
    ).one()
    opening = _cents(opening_row[0]) - _cents(opening_row[1])
    result = Statement(customer, date_from, date_to, opening)
    balance = opening
    rows = session.execute(
        select(moves)
        .where(moves.c.on >= date_from, moves.c.on <= date_to)
        .order_by(moves.c.on, moves.c.kind, moves.c.id)
    ).all()
    for row in rows:
        debit, credit = _cents(row.debit), _cents(row.credit)
        balance += debit - credit
        result.lines.append(
            StatementLine(row.on, row.kind, row.number or "", debit, credit, balance, row.due_date)
        )
    result.closing = balance
    result.ageing = ageing(session, customer_id, on=date_to)
    allocated = session.scalar(
        select(func.coalesce(func.sum(Invoice.amount_paid), 0)).where(
            Invoice.customer_id == customer_id
        )
    )
    paid = session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(
            Payment.customer_id == customer_id, Payment.received_on <= date_to
        )
    )
    result.unallocated_credit = _cents(paid) - _cents(allocated)
    return result


def _cents(value) -> Decimal:
    """Union and literal columns come back untyped: integer centimes, or a Decimal."""
    if isinstance(value, Decimal):
        return value
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


def ageing(session: Session, customer_id: int | None, *, on: date) -> list[Decimal]:
    """Open amounts of issued invoices by days since issue: 0-30, 31-60, 61-90, over 90."""
    age = (
        func.julianday(on) - func.julianday(Invoice.issue_date)
        if _is_sqlite(session)
        else (literal(on) - Invoice.issue_date)
    )
    open_amount = Invoice.total_gross - Invoice.amount_paid - Invoice.amount_credited
    buckets = []
    for low, high in AGE_BUCKETS:
        stmt = select(func.coalesce(func.sum(open_amount), 0)).where(
            Invoice.kind == "invoice",
            Invoice.state.in_(("issued", "partially_paid")),
            Invoice.issue_date <= on,
            age >= low,
        )
        if customer_id is not None:
            stmt = stmt.where(Invoice.customer_id == customer_id)
        if high is not None:
            stmt = stmt.where(age <= high)
        buckets.append(_cents(session.scalar(stmt)))
    return buckets


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def overdue_invoices(session: Session, *, on: date, scope_statement=None) -> list[Invoice]:
    stmt = scope_statement if scope_statement is not None else select(Invoice)
    return list(
        session.scalars(
            stmt.where(
                Invoice.kind == "invoice",
                Invoice.state.in_(("issued", "partially_paid")),
                Invoice.due_date < on,
            ).order_by(Invoice.due_date)
        )
    )
