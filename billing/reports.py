"""Read side of billing: statements of account, ageing, overdue invoices, and the lists of
the billing pages."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, extract, func, literal, or_, select, type_coerce, union_all
from sqlalchemy.orm import Session, joinedload

from billing.models import (
    Allocation,
    Customer,
    Invoice,
    InvoiceLine,
    Payment,
    Service,
    ServicePrice,
    Subscription,
)
from gie.cooperatives.models import Cooperative
from gie.money import ZERO, Money
from gie.pagination import Page, paginate
from gie.security import scope

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


# --- lists of the billing pages ---------------------------------------------------------------
# Every list takes the user and goes through gie.security.scope: a president reads only the
# records of their own cooperative.


def _signed_gross():
    """An issued document's weight on the customer's account: invoices add, credit notes
    take off."""
    return case((Invoice.kind == "credit_note", -Invoice.total_gross), else_=Invoice.total_gross)


def balances(session: Session, customer_ids: list[int]) -> dict[int, Decimal]:
    """What each customer owes (negative: a credit), from issued documents and payments."""
    if not customer_ids:
        return {}
    documents = dict(
        session.execute(
            select(Invoice.customer_id, _total(_signed_gross()))
            .where(Invoice.customer_id.in_(customer_ids), Invoice.state != "draft")
            .group_by(Invoice.customer_id)
        ).all()
    )
    paid = dict(
        session.execute(
            select(Payment.customer_id, _total(Payment.amount))
            .where(Payment.customer_id.in_(customer_ids))
            .group_by(Payment.customer_id)
        ).all()
    )
    return {
        customer_id: documents.get(customer_id, ZERO) - paid.get(customer_id, ZERO)
        for customer_id in customer_ids
    }


def search_customers(
    session: Session, user, *, text: str = "", kind: str = "", page: int = 1, size: int = 50
) -> Page:
    """Customers matching a text (code, name, ICE) and a kind; items are (customer, balance)."""
    stmt = scope(select(Customer), Customer, user)
    if text.strip():
        pattern = f"%{text.strip()}%"
        stmt = stmt.where(
            or_(
                Customer.code.ilike(pattern),
                Customer.name.ilike(pattern),
                Customer.name_ar.ilike(pattern),
                Customer.ice.ilike(pattern),
            )
        )
    if kind:
        stmt = stmt.where(Customer.kind == kind)
    result = paginate(session, stmt, (Customer.code,), page=page, size=size)
    owed = balances(session, [customer.id for customer in result.items])
    result.items = [(customer, owed[customer.id]) for customer in result.items]
    return result


def own_customer_id(session: Session, user) -> int | None:
    """The customer the user's cooperative is billed as, if it is billed."""
    return session.scalar(scope(select(Customer.id), Customer, user))


def unbilled_members(session: Session) -> list[Cooperative]:
    """Member cooperatives (active or suspended) that have no customer record yet."""
    billed = select(Customer.id).where(Customer.cooperative_id == Cooperative.id).exists()
    return list(
        session.scalars(
            select(Cooperative)
            .where(Cooperative.status.in_(("active", "suspended")), ~billed)
            .order_by(Cooperative.code)
        )
    )


def customer_choices(session: Session, *, active_only: bool = True) -> list[tuple[int, str]]:
    stmt = select(Customer.id, Customer.code, Customer.name).order_by(Customer.code)
    if active_only:
        stmt = stmt.where(Customer.active)
    return [(row.id, f"{row.code} · {row.name}") for row in session.execute(stmt)]


@dataclass
class CustomerSummary:
    invoiced: Decimal
    credited: Decimal
    paid: Decimal
    balance: Decimal
    open_invoices: int
    drafts: int


def customer_summary(session: Session, customer_id: int) -> CustomerSummary:
    is_open = Invoice.state.in_(("issued", "partially_paid")) & (Invoice.kind == "invoice")
    invoiced, credited, open_count, drafts = session.execute(
        select(
            _total(
                case(
                    ((Invoice.kind == "invoice") & (Invoice.state != "draft"), Invoice.total_gross),
                    else_=0,
                )
            ),
            _total(
                case(
                    (
                        (Invoice.kind == "credit_note") & (Invoice.state != "draft"),
                        Invoice.total_gross,
                    ),
                    else_=0,
                )
            ),
            func.coalesce(func.sum(case((is_open, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Invoice.state == "draft", 1), else_=0)), 0),
        ).where(Invoice.customer_id == customer_id)
    ).one()
    paid = session.scalar(select(_total(Payment.amount)).where(Payment.customer_id == customer_id))
    return CustomerSummary(
        invoiced, credited, paid, invoiced - credited - paid, int(open_count), int(drafts)
    )


def price_history(session: Session, service_id: int) -> list[ServicePrice]:
    return list(
        session.scalars(
            select(ServicePrice)
            .where(ServicePrice.service_id == service_id)
            .order_by(ServicePrice.valid_from.desc())
        )
    )


def catalogue(session: Session, *, on: date) -> list[tuple[Service, ServicePrice | None]]:
    """Every service with the price in force on `on` (None before its first price)."""
    latest = (
        select(func.max(ServicePrice.valid_from))
        .where(ServicePrice.service_id == Service.id, ServicePrice.valid_from <= on)
        .correlate(Service)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Service, ServicePrice)
        .outerjoin(
            ServicePrice,
            (ServicePrice.service_id == Service.id) & (ServicePrice.valid_from == latest),
        )
        .order_by(Service.active.desc(), Service.code)
    ).all()
    return [(row[0], row[1]) for row in rows]


def service_choices(session: Session, *, active_only: bool = True) -> list[tuple[int, str]]:
    stmt = select(Service.id, Service.code, Service.name).order_by(Service.code)
    if active_only:
        stmt = stmt.where(Service.active)
    return [(row.id, f"{row.code} · {row.name}") for row in session.execute(stmt)]


def search_subscriptions(
    session: Session,
    user,
    *,
    customer_id: int | None = None,
    service_id: int | None = None,
    status: str = "",
    page: int = 1,
    size: int = 50,
) -> Page:
    stmt = scope(select(Subscription), Subscription, user).options(
        joinedload(Subscription.customer),
        joinedload(Subscription.service),
        joinedload(Subscription.funder),
    )
    if customer_id:
        stmt = stmt.where(
            or_(Subscription.customer_id == customer_id, Subscription.funder_id == customer_id)
        )
    if service_id:
        stmt = stmt.where(Subscription.service_id == service_id)
    if status:
        stmt = stmt.where(Subscription.status == status)
    order = (Subscription.status, Subscription.start_on.desc(), Subscription.id.desc())
    return paginate(session, stmt, order, page=page, size=size)


@dataclass
class InvoiceFilters:
    state: str = ""
    kind: str = ""
    customer_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    period: date | None = None  #: first day of the billed month (a billing run's drafts)


@dataclass
class InvoiceTotals:
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    open: Decimal = ZERO


def _invoice_statement(user, filters: InvoiceFilters):
    stmt = scope(select(Invoice), Invoice, user)
    if filters.state:
        stmt = stmt.where(Invoice.state == filters.state)
    if filters.kind:
        stmt = stmt.where(Invoice.kind == filters.kind)
    if filters.customer_id:
        stmt = stmt.where(Invoice.customer_id == filters.customer_id)
    if filters.date_from:
        stmt = stmt.where(Invoice.issue_date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Invoice.issue_date <= filters.date_to)
    if filters.period:
        stmt = stmt.where(Invoice.period_start == filters.period)
    return stmt


def search_invoices(
    session: Session, user, filters: InvoiceFilters, *, page: int = 1, size: int = 50
) -> tuple[Page, InvoiceTotals]:
    """Invoices and credit notes matching the filters, newest first (drafts on top), and
    their totals: credit notes count negative, drafts in the amounts but not in what is open."""
    stmt = _invoice_statement(user, filters)
    order = (Invoice.issue_date.desc().nulls_first(), Invoice.id.desc())
    result = paginate(
        session, stmt.options(joinedload(Invoice.customer)), order, page=page, size=size
    )
    sign = case((Invoice.kind == "credit_note", -1), else_=1)
    totals_stmt = stmt.with_only_columns(
        _total(sign * Invoice.total_net),
        _total(sign * Invoice.total_vat),
        _total(sign * Invoice.total_gross),
        _total(
            case(
                (
                    Invoice.state.in_(("issued", "partially_paid")),
                    Invoice.total_gross - Invoice.amount_paid - Invoice.amount_credited,
                ),
                else_=0,
            )
        ),
    )
    net, vat, gross, open_amount = session.execute(totals_stmt).one()
    return result, InvoiceTotals(net, vat, gross, open_amount)


def open_invoices(session: Session, customer_id: int) -> list[Invoice]:
    """A customer's invoices still to be paid, oldest first (the order payments fill them)."""
    return list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.customer_id == customer_id,
                Invoice.kind == "invoice",
                Invoice.state.in_(("issued", "partially_paid")),
            )
            .order_by(Invoice.issue_date, Invoice.id)
        )
    )


def credit_notes_of(session: Session, invoice_id: int) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice)
            .where(Invoice.credited_invoice_id == invoice_id, Invoice.state != "draft")
            .order_by(Invoice.issue_date, Invoice.id)
        )
    )


def allocations_of_invoice(session: Session, invoice_id: int) -> list[Allocation]:
    return list(
        session.scalars(
            select(Allocation)
            .join(Payment, Payment.id == Allocation.payment_id)
            .where(Allocation.invoice_id == invoice_id)
            .options(joinedload(Allocation.payment))
            .order_by(Payment.received_on, Payment.id)
        )
    )


def allocations_of_payment(session: Session, payment_id: int) -> list[Allocation]:
    return list(
        session.scalars(
            select(Allocation)
            .join(Invoice, Invoice.id == Allocation.invoice_id)
            .where(Allocation.payment_id == payment_id)
            .options(joinedload(Allocation.invoice))
            .order_by(Invoice.issue_date, Invoice.id)
        )
    )


def _allocated():
    return (
        select(_total(Allocation.amount))
        .where(Allocation.payment_id == Payment.id)
        .correlate(Payment)
        .scalar_subquery()
    )


def search_payments(
    session: Session,
    user,
    *,
    customer_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    size: int = 50,
) -> tuple[Page, Decimal]:
    """Payments, newest first, as (payment, allocated amount); and their total."""
    stmt = scope(select(Payment, _money(_allocated())), Payment, user).options(
        joinedload(Payment.customer)
    )
    if customer_id:
        stmt = stmt.where(Payment.customer_id == customer_id)
    if date_from:
        stmt = stmt.where(Payment.received_on >= date_from)
    if date_to:
        stmt = stmt.where(Payment.received_on <= date_to)
    total = session.scalar(stmt.with_only_columns(_total(Payment.amount)))
    order = (Payment.received_on.desc(), Payment.id.desc())
    return paginate(session, stmt, order, page=page, size=size, rows=True), total


def payment_allocated(session: Session, payment_id: int) -> Decimal:
    return session.scalar(
        select(_total(Allocation.amount)).where(Allocation.payment_id == payment_id)
    )


@dataclass
class OverdueCustomer:
    customer: Customer
    invoices: list[Invoice]

    @property
    def total(self) -> Decimal:
        return sum((invoice.open_amount for invoice in self.invoices), ZERO)

    @property
    def oldest_due(self) -> date:
        return min(invoice.due_date for invoice in self.invoices)


def overdue_by_customer(session: Session, user, *, on: date) -> list[OverdueCustomer]:
    """Invoices past their due date on `on`, gathered by customer (most overdue first)."""
    invoices = overdue_invoices(
        session,
        on=on,
        scope_statement=scope(select(Invoice), Invoice, user).options(joinedload(Invoice.customer)),
    )
    by_customer: dict[int, OverdueCustomer] = {}
    for invoice in invoices:
        entry = by_customer.setdefault(invoice.customer_id, OverdueCustomer(invoice.customer, []))
        entry.invoices.append(invoice)
    return sorted(by_customer.values(), key=lambda entry: (entry.oldest_due, entry.customer.code))


def overdue_of_customer(session: Session, customer_id: int, *, on: date) -> list[Invoice]:
    return overdue_invoices(
        session, on=on, scope_statement=select(Invoice).where(Invoice.customer_id == customer_id)
    )


def month_draft_count(session: Session, month_start: date) -> int:
    """Draft invoices a billing month has left to issue."""
    return session.scalar(
        select(func.count())
        .select_from(Invoice)
        .where(
            Invoice.state == "draft", Invoice.kind == "invoice", Invoice.period_start == month_start
        )
    )


# --- home pages -------------------------------------------------------------------------------


def _signed(expression):
    """Credit notes take off what invoices add."""
    return case((Invoice.kind == "credit_note", -expression), else_=expression)


def revenue_by_service(
    session: Session, *, date_from: date, date_to: date
) -> list[tuple[Service | None, Decimal]]:
    """Net amount issued per service (credit notes deducted), largest first; lines without
    a service come under None."""
    net = _total(_signed(InvoiceLine.net_amount))
    rows = session.execute(
        select(InvoiceLine.service_id, net)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            Invoice.state != "draft",
            Invoice.issue_date >= date_from,
            Invoice.issue_date <= date_to,
        )
        .group_by(InvoiceLine.service_id)
    ).all()
    services = {
        service.id: service
        for service in session.scalars(
            select(Service).where(Service.id.in_([row[0] for row in rows if row[0]]))
        )
    }
    result = [(services.get(service_id), amount) for service_id, amount in rows]
    return sorted(result, key=lambda item: item[1], reverse=True)


def revenue_by_month(session: Session, *, date_from: date, date_to: date) -> dict[date, Decimal]:
    """Net amount issued per month (first day of the month), credit notes deducted."""
    year, month = extract("year", Invoice.issue_date), extract("month", Invoice.issue_date)
    rows = session.execute(
        select(year, month, _total(_signed(Invoice.total_net)))
        .where(
            Invoice.state != "draft",
            Invoice.issue_date >= date_from,
            Invoice.issue_date <= date_to,
        )
        .group_by(year, month)
    ).all()
    return {date(int(y), int(m), 1): amount for y, m, amount in rows}


def subscriptions_by_filiere(session: Session, *, on: date) -> list[tuple[str | None, int]]:
    """Subscriptions running on `on` per filière of the subscribing cooperative (None for
    customers that are not cooperatives), most first."""
    count = func.count(Subscription.id)
    rows = session.execute(
        select(Cooperative.filiere, count)
        .outerjoin(Cooperative, Cooperative.id == Subscription.cooperative_id)
        .where(
            Subscription.status == "active",
            Subscription.start_on <= on,
            or_(Subscription.end_on.is_(None), Subscription.end_on >= on),
        )
        .group_by(Cooperative.filiere)
        .order_by(count.desc(), Cooperative.filiere)
    ).all()
    return [(filiere, int(number)) for filiere, number in rows]


@dataclass
class AmountDue:
    total: Decimal  #: still to pay on issued invoices
    overdue: Decimal  #: of which past its due date
    next_due_on: date | None  #: earliest due date not yet passed


def amount_due(session: Session, customer_id: int, *, on: date) -> AmountDue:
    open_amount = Invoice.total_gross - Invoice.amount_paid - Invoice.amount_credited
    total, overdue, next_due_on = session.execute(
        select(
            _total(open_amount),
            _total(case((Invoice.due_date < on, open_amount), else_=0)),
            func.min(case((Invoice.due_date >= on, Invoice.due_date))),
        ).where(
            Invoice.customer_id == customer_id,
            Invoice.kind == "invoice",
            Invoice.state.in_(("issued", "partially_paid")),
        )
    ).one()
    return AmountDue(total, overdue, next_due_on)


def last_documents(session: Session, customer_id: int, *, limit: int = 5) -> list[Invoice]:
    """A customer's latest issued invoices and credit notes, newest first."""
    return list(
        session.scalars(
            select(Invoice)
            .where(Invoice.customer_id == customer_id, Invoice.state != "draft")
            .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
            .limit(limit)
        )
    )


def customer_of_cooperative(session: Session, cooperative_id: int) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.cooperative_id == cooperative_id))
