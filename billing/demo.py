"""Demo billing: the catalogue, subscriptions of the member cooperatives whose books the GIE
keeps (and a funder's share), billing runs of the last months with their invoices issued and
posted, and a few payments: one partial, one too large (a credit stays on the account), one
member who has not paid (its invoices are overdue). The current month is left unbilled, for
a billing run to try. Idempotent: `flask --app gie demo load` may run again."""

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting import vat_rates
from accounting.demo import MEMBERS
from billing.models import Customer, Invoice, Payment, Service, Subscription
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from billing.services import runs as billing_runs
from billing.services import subscriptions as billing_subscriptions
from gie.cooperatives.models import Cooperative

#: code, French name, Arabic name, category, unit, public price, member price, income account
CATALOGUE = (
    ("COMPTA", "Tenue de comptabilité", "مسك المحاسبة", "bookkeeping", "month", 2000, 1500, "7124"),
    ("APPUI", "Appui commercial", "الدعم التجاري", "commercial_support", "hour", 450, 300, "7124"),
    ("FORM-J", "Journée de formation", "يوم تكوين", "training", "day", 1200, 800, "7124"),
    (
        "COTIS",
        "Cotisation annuelle",
        "الاشتراك السنوي",
        "membership_fee",
        "flat",
        1500,
        1000,
        "7127",
    ),
)
#: months billed before the current one
MONTHS_BILLED = 4
FUNDER = ("NORESS", "Plateforme régionale NORESS", "المنصة الجهوية للاقتصاد الاجتماعي والتضامني")


def load(session: Session, today: date | None = None) -> None:
    today = today or date.today()
    vat_rates.ensure_vat_rates(session)
    catalogue = _catalogue(session, date(today.year - 1, 1, 1))
    customers = {
        code: billing_customers.member_customer(session, cooperative_id)
        for code, cooperative_id in session.execute(
            select(Cooperative.code, Cooperative.id).where(Cooperative.code.in_(MEMBERS))
        )
    }
    if len(customers) < len(MEMBERS):
        return  # the registry's demo is not there: nothing to bill
    funder = _funder(session)
    _subscriptions(session, customers, funder, catalogue, today)
    this_month = today.replace(day=1)
    for back in range(MONTHS_BILLED, 0, -1):
        month = this_month - relativedelta(months=back)
        summary = billing_runs.run_billing(session, month.year, month.month)
        issued_on = min(month + relativedelta(months=1, days=-1), today)
        for invoice_id in summary.invoice_ids:
            billing_invoices.issue_invoice(session, invoice_id, on=issued_on)
    _payments(session, [*customers.values(), funder], today)
    session.flush()


def _catalogue(session: Session, since: date) -> dict[str, Service]:
    known = {service.code: service for service in session.scalars(select(Service))}
    for code, name, name_ar, category, unit, public, member, account in CATALOGUE:
        if code not in known:
            known[code] = billing_catalogue.create_service(
                session,
                code=code,
                name=name,
                name_ar=name_ar,
                category=category,
                unit=unit,
                public_price=Decimal(public),
                member_price=Decimal(member),
                valid_from=since,
                income_account=account,
            )
    return known


def _funder(session: Session) -> Customer:
    code, name, name_ar = FUNDER
    funder = session.scalar(select(Customer).where(Customer.code == code))
    return funder or billing_customers.create_customer(
        session,
        code=code,
        kind="funder",
        name=name,
        name_ar=name_ar,
        address="Wilaya de la région Tanger-Tétouan-Al Hoceïma, Tanger",
        payment_terms_days=90,
    )


def _subscriptions(session, customers: dict, funder, catalogue: dict, today: date) -> None:
    """Bookkeeping for every member, commercial support for two (a third of one paid by the
    funder), and next year's membership fees."""
    subscribed = set(session.scalars(select(Subscription.customer_id)))
    start = date(today.year - 1, 1, 1)
    next_year = date(today.year + 1, 1, 1)
    for code, customer in customers.items():
        if customer.id in subscribed:
            continue
        billing_subscriptions.create_subscription(
            session, customer_id=customer.id, service_id=catalogue["COMPTA"].id, start_on=start
        )
        billing_subscriptions.create_subscription(
            session,
            customer_id=customer.id,
            service_id=catalogue["COTIS"].id,
            start_on=next_year,
            period="yearly",
        )
        if code == "COOP-003":
            billing_subscriptions.create_subscription(
                session,
                customer_id=customer.id,
                service_id=catalogue["APPUI"].id,
                start_on=start,
                quantity=Decimal("8"),
                funder_id=funder.id,
                funder_share_percent=Decimal("30"),
            )
        if code == "COOP-002":
            billing_subscriptions.create_subscription(
                session,
                customer_id=customer.id,
                service_id=catalogue["APPUI"].id,
                start_on=start,
                quantity=Decimal("4"),
                discount_percent=Decimal("10"),
            )


def _payments(session: Session, customers: list[Customer], today: date) -> None:
    """COOP-001 pays all but its last invoice; COOP-002 half of its oldest; COOP-003 a round
    sum above what it owes (a credit stays); COOP-005 nothing; the funder its first share."""
    for customer in customers:
        if session.scalar(select(Payment.id).where(Payment.customer_id == customer.id)):
            continue
        invoices = session.scalars(
            select(Invoice)
            .where(
                Invoice.customer_id == customer.id,
                Invoice.kind == "invoice",
                Invoice.state == "issued",
            )
            .order_by(Invoice.issue_date, Invoice.id)
        ).all()
        if not invoices:
            continue
        plan = {
            "COOP-001": (invoices[:-1], None),
            "COOP-002": (invoices[:1], invoices[0].total_gross / 2),
            "COOP-003": (invoices, sum(i.total_gross for i in invoices) + Decimal("500")),
            "NORESS": (invoices[:1], None),
        }.get(customer.code)
        if plan is None or not plan[0]:
            continue
        settled, amount = plan
        last = settled[-1].issue_date
        received_on = min(last + relativedelta(days=25), today)
        billing_payments.record_payment(
            session,
            customer_id=customer.id,
            received_on=received_on,
            amount=amount if amount is not None else sum(i.total_gross for i in settled),
            method="cheque" if customer.code == "COOP-002" else "transfer",
            reference=f"{'CHQ' if customer.code == 'COOP-002' else 'VIR'}-{customer.code}-1",
        )
