"""Billing runs: the month's draft invoices from the subscriptions due, each period billed once."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accounting.vat_rates import vat_rate_on
from billing.models import (
    BilledPeriod,
    Customer,
    Invoice,
    InvoiceLine,
    Subscription,
)
from billing.services.catalogue import price_on
from billing.services.invoices import compute_totals
from gie.money import HUNDRED, ZERO, D

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
        compute_totals(invoice)
        invoice_ids.append(invoice.id)
        if progress:
            progress(done, len(by_payer))
    session.flush()
    return RunSummary(
        len(invoice_ids), len(plan.lines), plan.already_billed, plan.total_net, invoice_ids
    )
