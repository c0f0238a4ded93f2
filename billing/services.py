"""Billing: customers, catalogue, subscriptions, billing runs, invoices, credit notes and
payments. Issuing a document or recording a payment posts it in the GIE's books and, where
the GIE keeps the customer cooperative's books, the mirror entry in them, in one savepoint:
both or neither."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ma import ice as ice_number

from accounting import matching
from accounting import services as accounting
from accounting.models import GIE_LEDGER_CODE, Account, Ledger, Line
from accounting.services import LineInput
from accounting.vat_rates import vat_rate_on
from billing.models import (
    PAYMENT_METHODS,
    Allocation,
    BilledPeriod,
    Customer,
    Invoice,
    InvoiceLine,
    Payment,
    Service,
    ServicePrice,
    Subscription,
)
from gie.cooperatives.models import Cooperative
from gie.errors import DomainError, NotFound, ValidationError
from gie.money import ZERO, D
from gie.security import get_scoped

HUNDRED = Decimal("100")
MAX_PAYMENT_TERMS = 120  #: days, law 69-21

#: where the GIE's invoices land in a member cooperative's books, by service category
EXPENSE_ACCOUNTS = {"membership_fee": "6146"}
DEFAULT_EXPENSE_ACCOUNT = "6136"
CUSTOMER_ACCOUNT, SUPPLIER_ACCOUNT = "3421", "4411"
VAT_COLLECTED, VAT_DEDUCTIBLE = "4455", "34552"
PAYMENT_ACCOUNTS = {"transfer": ("BQ", "5141"), "cheque": ("BQ", "5141"), "cash": ("CA", "5161")}


class BillingRefused(DomainError):
    """A billing rule refused the operation; nothing changed."""


def _not_found():
    return NotFound(_l("This page does not exist."))


# --- customers -------------------------------------------------------------------------------


def member_customer(session: Session, cooperative_id: int) -> Customer:
    """The customer record of a member cooperative, created from the registry the first time."""
    customer = session.scalar(select(Customer).where(Customer.cooperative_id == cooperative_id))
    if customer is not None:
        return customer
    cooperative = session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise _not_found()
    customer = Customer(
        code=cooperative.code,
        kind="member",
        cooperative_id=cooperative.id,
        name=cooperative.name,
        name_ar=cooperative.name_ar,
        address=cooperative.address,
        ice=cooperative.ice,
        if_number=cooperative.if_number,
        rc_number=cooperative.rc_number,
        email=cooperative.president_email,
    )
    session.add(customer)
    session.flush()
    return customer


def _checked_identity(
    session: Session,
    *,
    code: str,
    kind: str,
    name: str,
    ice: str,
    payment_terms_days: int,
    customer_id: int | None = None,
) -> tuple[str, str]:
    """The code and ICE as stored; raises ValidationError with every field's problem."""
    code = code.strip().upper()
    errors: dict[str, list] = {}
    if not code:
        errors["code"] = [_l("This field is required.")]
    elif session.scalar(
        select(Customer.id).where(Customer.code == code, Customer.id != customer_id)
    ):
        errors["code"] = [_l("Another customer already has this code.")]
    if kind not in ("non_member", "business", "funder"):
        errors["kind"] = [_l("Member cooperatives become customers from the registry.")]
    if not name.strip():
        errors["name"] = [_l("This field is required.")]
    ice = (ice or "").strip()
    if ice:
        try:
            ice = ice_number.validate(ice)
        except StdnumError:
            errors["ice"] = [_l("This is not a valid ICE: 15 digits with a valid check number.")]
    if not 0 <= payment_terms_days <= MAX_PAYMENT_TERMS:
        errors["payment_terms_days"] = [_l("Payment terms are 120 days at most (law 69-21).")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    return code, ice


def create_customer(
    session: Session,
    *,
    code: str,
    kind: str,
    name: str,
    name_ar: str = "",
    address: str = "",
    ice: str = "",
    if_number: str = "",
    rc_number: str = "",
    email: str = "",
    payment_terms_days: int = 60,
) -> Customer:
    """A customer who is not a member cooperative: a non-member, a business, a funder."""
    code, ice = _checked_identity(
        session, code=code, kind=kind, name=name, ice=ice, payment_terms_days=payment_terms_days
    )
    customer = Customer(
        code=code,
        kind=kind,
        name=name.strip(),
        name_ar=name_ar.strip(),
        address=address.strip(),
        ice=ice,
        if_number=if_number.strip(),
        rc_number=rc_number.strip(),
        email=email.strip(),
        payment_terms_days=payment_terms_days,
    )
    session.add(customer)
    session.flush()
    return customer


def update_customer(
    session: Session,
    customer_id: int,
    *,
    name: str = "",
    name_ar: str = "",
    address: str = "",
    ice: str = "",
    if_number: str = "",
    rc_number: str = "",
    email: str = "",
    payment_terms_days: int = 60,
    active: bool = True,
    kind: str | None = None,
) -> Customer:
    """Change a customer. A member cooperative's identity is the registry's: it is copied
    again from there, and only its email, payment terms and activity are set here. Invoices
    already issued keep the mentions they were issued with."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise _not_found()
    if customer.kind == "member":
        if not 0 <= payment_terms_days <= MAX_PAYMENT_TERMS:
            raise ValidationError(
                _l("Please correct the highlighted fields."),
                field_errors={
                    "payment_terms_days": [_l("Payment terms are 120 days at most (law 69-21).")]
                },
            )
        cooperative = customer.cooperative
        customer.name, customer.name_ar = cooperative.name, cooperative.name_ar
        customer.address, customer.ice = cooperative.address, cooperative.ice
        customer.if_number, customer.rc_number = cooperative.if_number, cooperative.rc_number
    else:
        kind = kind or customer.kind
        _code, ice = _checked_identity(
            session,
            code=customer.code,
            kind=kind,
            name=name,
            ice=ice,
            payment_terms_days=payment_terms_days,
            customer_id=customer.id,
        )
        customer.kind, customer.name, customer.name_ar = kind, name.strip(), name_ar.strip()
        customer.address, customer.ice = address.strip(), ice
        customer.if_number, customer.rc_number = if_number.strip(), rc_number.strip()
    customer.email = email.strip()
    customer.payment_terms_days = payment_terms_days
    customer.active = active
    session.flush()
    return customer


def get_customer(session: Session, customer_id: int, *, actor) -> Customer:
    return get_scoped(session, Customer, customer_id, actor)


def get_subscription(session: Session, subscription_id: int, *, actor) -> Subscription:
    return get_scoped(session, Subscription, subscription_id, actor)


def get_payment(session: Session, payment_id: int, *, actor) -> Payment:
    return get_scoped(session, Payment, payment_id, actor)


def get_service(session: Session, service_id: int) -> Service:
    """The catalogue is the GIE's, the same for everyone who may read it."""
    service = session.get(Service, service_id)
    if service is None:
        raise _not_found()
    return service


# --- catalogue -----------------------------------------------------------------------------


def create_service(
    session: Session,
    *,
    code: str,
    name: str,
    category: str,
    unit: str,
    public_price: Decimal,
    member_price: Decimal,
    valid_from: date,
    name_ar: str = "",
    vat_code: str = "TVA20",
    income_account: str = "7124",
) -> Service:
    errors: dict[str, list] = {}
    code = code.strip().upper()
    if session.scalar(select(Service.id).where(Service.code == code)):
        errors["code"] = [_l("Another service already has this code.")]
    if member_price > public_price:
        errors["member_price"] = [_l("The member price cannot exceed the public price.")]
    if public_price < 0 or member_price < 0:
        errors["public_price"] = [_l("A price cannot be negative.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    service = Service(
        code=code,
        name=name.strip(),
        name_ar=name_ar.strip(),
        category=category,
        unit=unit,
        vat_code=vat_code,
        income_account=income_account,
    )
    session.add(service)
    session.flush()
    set_price(
        session,
        service.id,
        valid_from=valid_from,
        public_price=public_price,
        member_price=member_price,
    )
    return service


def set_price(
    session: Session,
    service_id: int,
    *,
    valid_from: date,
    public_price: Decimal,
    member_price: Decimal,
) -> ServicePrice:
    """New prices from a date on; invoices already issued keep theirs."""
    errors: dict[str, list] = {}
    if public_price < 0 or member_price < 0:
        errors["public_price"] = [_l("A price cannot be negative.")]
    elif member_price > public_price:
        errors["member_price"] = [_l("The member price cannot exceed the public price.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    existing = session.scalar(
        select(ServicePrice).where(
            ServicePrice.service_id == service_id, ServicePrice.valid_from == valid_from
        )
    )
    price = existing or ServicePrice(service_id=service_id, valid_from=valid_from)
    price.public_price, price.member_price = D(public_price), D(member_price)
    session.add(price)
    session.flush()
    return price


def price_on(session: Session, service_id: int, on: date) -> ServicePrice:
    price = session.scalar(
        select(ServicePrice)
        .where(ServicePrice.service_id == service_id, ServicePrice.valid_from <= on)
        .order_by(ServicePrice.valid_from.desc())
    )
    if price is None:
        raise BillingRefused(_l("The service has no price on %(date)s.", date=on.isoformat()))
    return price


# --- subscriptions ---------------------------------------------------------------------------


def create_subscription(
    session: Session,
    *,
    customer_id: int,
    service_id: int,
    start_on: date,
    quantity: Decimal = Decimal("1"),
    period: str = "monthly",
    end_on: date | None = None,
    price_override: Decimal | None = None,
    discount_percent: Decimal = ZERO,
    funder_id: int | None = None,
    funder_share_percent: Decimal = ZERO,
) -> Subscription:
    customer = session.get(Customer, customer_id)
    errors: dict[str, list] = {}
    if customer is None:
        errors["customer_id"] = [_l("Unknown customer.")]
    if session.get(Service, service_id) is None:
        errors["service_id"] = [_l("Unknown service.")]
    if quantity <= 0:
        errors["quantity"] = [_l("The quantity must be positive.")]
    if end_on and end_on < start_on:
        errors["end_on"] = [_l("The subscription cannot end before it starts.")]
    if period not in ("monthly", "quarterly", "yearly"):
        errors["period"] = [_l("Choose a period.")]
    if not 0 <= discount_percent <= 100:
        errors["discount_percent"] = [_l("A percentage is between 0 and 100.")]
    if not 0 <= funder_share_percent <= 100:
        errors["funder_share_percent"] = [_l("A percentage is between 0 and 100.")]
    if funder_share_percent and (funder_id is None or funder_id == customer_id):
        errors["funder_id"] = [_l("Name the funder who pays the share.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    subscription = Subscription(
        customer_id=customer_id,
        cooperative_id=customer.cooperative_id,
        service_id=service_id,
        quantity=quantity,
        start_on=start_on,
        end_on=end_on,
        period=period,
        price_override=price_override,
        discount_percent=discount_percent,
        funder_id=funder_id if funder_share_percent else None,
        funder_share_percent=funder_share_percent,
    )
    session.add(subscription)
    session.flush()
    return subscription


def set_subscription_status(
    session: Session, subscription_id: int, status: str, *, end_on: date | None = None
) -> Subscription:
    """Suspend, resume (active) or end a subscription; ending sets its last day."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise _not_found()
    if status not in ("active", "suspended", "ended"):
        raise ValidationError(_l("Unknown status."))
    subscription.status = status
    if status == "ended":
        subscription.end_on = end_on or subscription.end_on or date.today()
    session.flush()
    return subscription


# --- billing runs ----------------------------------------------------------------------------

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def _calendar_period(subscription: Subscription, month_start: date) -> tuple[date, date] | None:
    """The subscription's calendar period billed in the run of `month_start`'s month, if any:
    every month for monthly; the quarter or year when the month opens it, or when the
    subscription starts within the month (its first, partial period)."""
    months = PERIOD_MONTHS[subscription.period]
    period_start = date(month_start.year, 1 + (month_start.month - 1) // months * months, 1)
    period_end = period_start + relativedelta(months=months, days=-1)
    starts_here = (
        month_start <= subscription.start_on <= month_start + relativedelta(months=1, days=-1)
    )
    if period_start != month_start and not starts_here:
        return None
    return period_start, period_end


@dataclass
class PlannedLine:
    subscription: Subscription
    payer: Customer
    period_start: date
    period_end: date
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    description: str


@dataclass
class RunPlan:
    month: date
    lines: list[PlannedLine] = field(default_factory=list)
    already_billed: int = 0

    @property
    def total_net(self) -> Decimal:
        return sum((line.net_amount for line in self.lines), ZERO)


def _unit_price(session: Session, subscription: Subscription, on: date) -> Decimal:
    if subscription.price_override is not None:
        price = subscription.price_override
    else:
        prices = price_on(session, subscription.service_id, on)
        price = (
            prices.member_price if subscription.customer.kind == "member" else prices.public_price
        )
    return D(price * (HUNDRED - subscription.discount_percent) / HUNDRED)


def plan_run(session: Session, year: int, month: int) -> RunPlan:
    """What a billing run for the month would invoice, without changing anything."""
    month_start = date(year, month, 1)
    month_end = month_start + relativedelta(months=1, days=-1)
    plan = RunPlan(month_start)
    subscriptions = session.scalars(
        select(Subscription)
        .where(
            Subscription.status != "suspended",
            Subscription.start_on <= month_end,
            or_(Subscription.end_on.is_(None), Subscription.end_on >= month_start),
        )
        .order_by(Subscription.customer_id, Subscription.id)
    ).all()
    billed = set(
        session.execute(
            select(
                BilledPeriod.subscription_id, BilledPeriod.period_start, BilledPeriod.payer_id
            ).where(BilledPeriod.subscription_id.in_([s.id for s in subscriptions]))
        ).all()
    )
    for subscription in subscriptions:
        bounds = _calendar_period(subscription, month_start)
        if bounds is None:
            continue
        period_start, period_end = bounds
        covered_start = max(period_start, subscription.start_on)
        covered_end = min(period_end, subscription.end_on or period_end)
        if covered_end < covered_start:
            continue
        days = (covered_end - covered_start).days + 1
        period_days = (period_end - period_start).days + 1
        full = D(_unit_price(session, subscription, covered_start) * subscription.quantity)
        net = D(full * days / period_days)
        label = f"{subscription.service.name} {covered_start:%d/%m/%Y}-{covered_end:%d/%m/%Y}"
        if days < period_days:
            label += f" ({days}/{period_days} j)"
        shares = [(subscription.customer, net)]
        if subscription.funder_id and subscription.funder_share_percent:
            funder_net = D(net * subscription.funder_share_percent / HUNDRED)
            shares = [(subscription.customer, net - funder_net), (subscription.funder, funder_net)]
        for payer, amount in shares:
            if (subscription.id, period_start, payer.id) in billed:
                plan.already_billed += 1
                continue
            if amount <= 0:
                continue
            description = label
            if payer.id != subscription.customer_id:
                share = format(subscription.funder_share_percent.normalize(), "f")
                description = f"{label} — {share} % {subscription.customer.code}"
            plan.lines.append(
                PlannedLine(
                    subscription,
                    payer,
                    period_start,
                    period_end,
                    subscription.quantity,
                    D(amount / subscription.quantity),
                    amount,
                    description,
                )
            )
    return plan


@dataclass
class RunSummary:
    invoices_created: int
    lines_billed: int
    already_billed: int
    total_net: Decimal
    invoice_ids: list[int]


def run_billing(session: Session, year: int, month: int, *, progress=None) -> RunSummary:
    """Create the month's draft invoices, one per payer; a period already billed is skipped,
    so running the same month twice bills nothing twice."""
    plan = plan_run(session, year, month)
    by_payer: dict[int, list[PlannedLine]] = defaultdict(list)
    for line in plan.lines:
        by_payer[line.payer.id].append(line)
    invoice_ids = []
    for done, (payer_id, lines) in enumerate(by_payer.items(), start=1):
        invoice = Invoice(
            customer_id=payer_id,
            cooperative_id=lines[0].payer.cooperative_id,
            period_start=plan.month,
            period_end=plan.month + relativedelta(months=1, days=-1),
        )
        session.add(invoice)
        for position, line in enumerate(lines):
            service = line.subscription.service
            rate = vat_rate_on(session, service.vat_code, line.period_start)
            invoice.lines.append(
                InvoiceLine(
                    position=position,
                    service_id=service.id,
                    subscription_id=line.subscription.id,
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    net_amount=line.net_amount,
                    vat_code=rate.code,
                    vat_rate=rate.rate,
                    vat_reference=rate.legal_reference if rate.exempt else "",
                    income_account=service.income_account,
                )
            )
        session.flush()
        for line in lines:
            session.add(
                BilledPeriod(
                    subscription_id=line.subscription.id,
                    period_start=line.period_start,
                    payer_id=payer_id,
                    invoice_id=invoice.id,
                )
            )
        _compute_totals(invoice)
        invoice_ids.append(invoice.id)
        if progress:
            progress(done, len(by_payer))
    session.flush()
    return RunSummary(
        len(invoice_ids), len(plan.lines), plan.already_billed, plan.total_net, invoice_ids
    )


# --- invoices ----------------------------------------------------------------------------------


def _compute_totals(invoice: Invoice) -> None:
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
            raise _not_found()
        _refuse_unless_draft(invoice)
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
    _compute_totals(invoice)
    session.flush()
    return invoice


def _refuse_unless_draft(invoice: Invoice) -> None:
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
        raise _not_found()
    _refuse_unless_draft(invoice)
    session.execute(BilledPeriod.__table__.delete().where(BilledPeriod.invoice_id == invoice.id))
    session.delete(invoice)
    session.flush()


def get_invoice(session: Session, invoice_id: int, *, actor) -> Invoice:
    return get_scoped(session, Invoice, invoice_id, actor)


def gie_ledger(session: Session) -> Ledger:
    ledger = session.scalar(select(Ledger).where(Ledger.code == GIE_LEDGER_CODE))
    if ledger is None:
        raise BillingRefused(_l("Open the GIE's books first: documents are posted in them."))
    return ledger


def _mirror_ledger(session: Session, customer: Customer) -> Ledger | None:
    """The customer cooperative's books, when the GIE keeps them."""
    if customer.cooperative_id is None:
        return None
    return session.scalar(select(Ledger).where(Ledger.cooperative_id == customer.cooperative_id))


def _snapshot(customer: Customer) -> str:
    return json.dumps(
        {
            "code": customer.code,
            "name": customer.name,
            "name_ar": customer.name_ar,
            "address": customer.address,
            "ice": customer.ice,
            "if_number": customer.if_number,
            "rc_number": customer.rc_number,
        },
        ensure_ascii=False,
    )


def _document_lines(
    session: Session, invoice: Invoice, sign: int
) -> tuple[list[LineInput], list[LineInput]]:
    """The GIE's lines (customer / income / VAT collected) and the mirror's (expense /
    deductible VAT / supplier GIE); `sign` -1 for a credit note swaps every side. Base and VAT
    lines carry their rate, which the VAT return reads."""

    def side(
        amount: Decimal, debit: bool, code: str, partner: str = "", rate: Decimal | None = None
    ) -> LineInput:
        debit = debit if sign > 0 else not debit
        return LineInput(
            code,
            debit=amount if debit else ZERO,
            credit=ZERO if debit else amount,
            partner=partner,
            vat_rate=rate,
        )

    code = invoice.customer.code
    categories = dict(
        session.execute(
            select(Service.id, Service.category).where(
                Service.id.in_([line.service_id for line in invoice.lines])
            )
        ).all()
    )
    income: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    expense: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    net_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in invoice.lines:
        income[line.income_account, line.vat_rate] += line.net_amount
        category = categories.get(line.service_id, "other")
        account = EXPENSE_ACCOUNTS.get(category, DEFAULT_EXPENSE_ACCOUNT)
        expense[account, line.vat_rate] += line.net_amount
        net_by_rate[line.vat_rate] += line.net_amount
    gie = [side(invoice.total_gross, True, CUSTOMER_ACCOUNT, code)]
    gie += [side(amount, False, *key_rate) for key_rate, amount in _with_rates(income)]
    mirror = [side(amount, True, *key_rate) for key_rate, amount in _with_rates(expense)]
    for rate, net in sorted(net_by_rate.items()):
        vat = D(net * rate / HUNDRED)
        if vat:
            gie.append(side(vat, False, VAT_COLLECTED, "", rate))
            mirror.append(side(vat, True, VAT_DEDUCTIBLE, "", rate))
    mirror.append(side(invoice.total_gross, False, SUPPLIER_ACCOUNT, GIE_LEDGER_CODE))
    return gie, mirror


def _with_rates(amounts: dict[tuple[str, Decimal], Decimal]):
    """(account, "", rate), amount for each non-zero amount: the arguments `side` takes."""
    return [((account, "", rate), amount) for (account, rate), amount in amounts.items() if amount]


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
        raise _not_found()
    _refuse_unless_draft(invoice)
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
        _compute_totals(invoice)
        invoice.state = "issued"
        sign = 1 if invoice.kind == "invoice" else -1
        gie_lines, mirror_lines = _document_lines(session, invoice, sign)
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
        mirror = _mirror_ledger(session, invoice.customer)
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
    _update_state(original)


def _update_state(invoice: Invoice) -> None:
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
        raise _not_found()
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
    _compute_totals(credit)
    credit.credited_invoice = original
    credit = issue_invoice(session, credit.id, on=on, actor=actor)
    _match_settlement(session, original, credit, credit.total_gross, actor=actor)
    return credit


# --- payments ----------------------------------------------------------------------------------


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
        mirror = _mirror_ledger(session, customer)
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
            _match_settlement(session, allocation.invoice, payment, allocation.amount, actor=actor)
        session.flush()
    return payment


def _match_settlement(
    session: Session, invoice: Invoice, settling: Payment | Invoice, amount: Decimal, *, actor
) -> None:
    """Lettrage of what billing settles: `amount` of the invoice's customer line in the GIE's
    books matched with the customer line of the payment or credit note (`settling`), and
    likewise on the supplier account of the cooperative's mirror books when both were posted
    there. Capped at what is left of either line: an accountant may have matched some by hand.
    """
    pairs = (
        (invoice.gie_entry_id, settling.gie_entry_id, CUSTOMER_ACCOUNT, invoice.customer.code),
        (settling.mirror_entry_id, invoice.mirror_entry_id, SUPPLIER_ACCOUNT, GIE_LEDGER_CODE),
    )
    for debit_entry_id, credit_entry_id, code, partner in pairs:
        if debit_entry_id is None or credit_entry_id is None:
            continue
        lines = dict(
            session.execute(
                select(Line.entry_id, Line)
                .join(Account, Account.id == Line.account_id)
                .where(
                    Line.entry_id.in_((debit_entry_id, credit_entry_id)),
                    Account.code == code,
                    Line.partner == partner,
                )
            ).all()
        )
        debit, credit = lines.get(debit_entry_id), lines.get(credit_entry_id)
        if debit is None or credit is None:
            continue
        done = matching.matched_amounts(session, [debit.id, credit.id])
        share = min(
            amount,
            matching.remaining(debit, done[debit.id]),
            matching.remaining(credit, done[credit.id]),
        )
        if share > 0:
            matching.match_pair(session, debit.id, credit.id, share, actor=actor)


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
        _update_state(invoice)
