"""Read side of billing: statements of account, ageing, overdue invoices."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from billing.models import Allocation, Customer, Invoice, Payment
from gie.money import ZERO, Money

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
        _money(case((Invoice.kind == "invoice", Invoice.total_gross), else_=0)).label("debit"),
        _money(case((Invoice.kind == "credit_note", Invoice.total_gross), else_=0)).label("credit"),
        Invoice.due_date.label("due_date"),
        Invoice.id.label("id"),
    ).where(Invoice.customer_id == customer_id, Invoice.state != "draft")
    payments = select(
        Payment.received_on.label("on"),
        literal("payment").label("kind"),
        Payment.reference.label("number"),
        _money(literal(0)).label("debit"),
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
    debit, credit = session.execute(
        select(_total(moves.c.debit), _total(moves.c.credit)).where(moves.c.on < date_from)
    ).one()
    result = Statement(customer, date_from, date_to, debit - credit)
    balance = result.opening
    rows = session.execute(
        select(moves)
        .where(moves.c.on >= date_from, moves.c.on <= date_to)
        .order_by(moves.c.on, moves.c.kind, moves.c.id)
    ).all()
    for row in rows:
        balance += row.debit - row.credit
        result.lines.append(
            StatementLine(
                row.on, row.kind, row.number or "", row.debit, row.credit, balance, row.due_date
            )
        )
    result.closing = balance
    result.ageing = ageing(session, customer_id, on=date_to)
    paid_so_far = (Payment.customer_id == customer_id, Payment.received_on <= date_to)
    paid = session.scalar(select(_total(Payment.amount)).where(*paid_so_far))
    allocated = session.scalar(
        select(_total(Allocation.amount))
        .join(Payment, Payment.id == Allocation.payment_id)
        .where(*paid_so_far)
    )
    result.unallocated_credit = paid - allocated
    return result


def _money(expression):
    """Arithmetic over Money columns comes back as bare centimes: read it as Money again."""
    return type_coerce(expression, Money)


def _total(expression):
    return _money(func.coalesce(func.sum(expression), 0))


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
        stmt = select(_total(open_amount)).where(
            Invoice.kind == "invoice",
            Invoice.state.in_(("issued", "partially_paid")),
            Invoice.issue_date <= on,
            age >= low,
        )
        if customer_id is not None:
            stmt = stmt.where(Invoice.customer_id == customer_id)
        if high is not None:
            stmt = stmt.where(age <= high)
        buckets.append(session.scalar(stmt))
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


def statement_as_dict(result: Statement) -> dict:
    """The statement with amounts as strings of two decimals, exact in JSON."""
    labels = ("0-30", "31-60", "61-90", "90+")
    return {
        "customer": {"code": result.customer.code, "name": result.customer.name},
        "from": result.date_from.isoformat(),
        "to": result.date_to.isoformat(),
        "opening": str(result.opening),
        "lines": [
            {
                "date": line.on.isoformat(),
                "kind": line.kind,
                "number": line.number,
                "debit": str(line.debit),
                "credit": str(line.credit),
                "balance": str(line.balance),
                "due_date": line.due_date.isoformat() if line.due_date else None,
            }
            for line in result.lines
        ],
        "closing": str(result.closing),
        "ageing": dict(zip(labels, (str(amount) for amount in result.ageing), strict=True)),
        "unallocated_credit": str(result.unallocated_credit),
    }
