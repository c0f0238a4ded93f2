"""Customers, the service catalogue with dated prices, subscriptions, invoices
and credit notes, payments and their allocations."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gie.db import Base, UTCDateTime, utcnow
from gie.money import ZERO, Fixed, Money

CUSTOMER_KINDS = ("member", "non_member", "business", "funder")
CATEGORIES = ("bookkeeping", "commercial_support", "training", "membership_fee", "other")
UNITS = ("month", "hour", "day", "flat")
PERIODS = ("monthly", "quarterly", "yearly")
PAYMENT_METHODS = ("transfer", "cheque", "cash")
INVOICE_STATES = ("draft", "issued", "partially_paid", "paid", "cancelled")


class Customer(Base):
    """Whom the GIE invoices: a member cooperative (identity read from the registry), or a
    non-member, a business or a funder with identifiers of its own."""

    __tablename__ = "billing_customer"
    __table_args__ = (
        CheckConstraint("kind IN ('member', 'non_member', 'business', 'funder')", name="kind"),
    )
    __audited__ = True
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(20), unique=True
    )  #: the cooperative's code for members
    kind: Mapped[str] = mapped_column(String(12))
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("gie_cooperative.id"), unique=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    ice: Mapped[str] = mapped_column(String(15), default="")
    if_number: Mapped[str] = mapped_column(String(20), default="")
    rc_number: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=60)  #: 120 at most (law 69-21)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    cooperative = relationship("Cooperative")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def audit_label(self) -> str:
        return f"Customer {self.code} {self.name}"


class Service(Base):
    __tablename__ = "billing_service"
    __table_args__ = (
        CheckConstraint(
            "category IN ('bookkeeping', 'commercial_support', 'training', 'membership_fee',"
            " 'other')",
            name="category",
        ),
        CheckConstraint("unit IN ('month', 'hour', 'day', 'flat')", name="unit"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(6))
    vat_code: Mapped[str] = mapped_column(String(20), default="TVA20")
    income_account: Mapped[str] = mapped_column(String(12), default="7124")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    prices: Mapped[list["ServicePrice"]] = relationship(
        back_populates="service", order_by="ServicePrice.valid_from"
    )

    @property
    def audit_label(self) -> str:
        return f"Service {self.code} {self.name}"


class ServicePrice(Base):
    """Prices in force from a date; issued invoices keep the prices they were issued with."""

    __tablename__ = "billing_service_price"
    __table_args__ = (
        UniqueConstraint("service_id", "valid_from"),
        CheckConstraint("public_price >= 0 AND member_price >= 0", name="prices"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("billing_service.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    public_price: Mapped[Decimal] = mapped_column(Money)  #: excluding VAT, per unit
    member_price: Mapped[Decimal] = mapped_column(Money)

    service: Mapped[Service] = relationship(back_populates="prices")

    @property
    def audit_label(self) -> str:
        return f"Price of service #{self.service_id} from {self.valid_from}"


class Subscription(Base):
    __tablename__ = "billing_subscription"
    __table_args__ = (
        CheckConstraint("period IN ('monthly', 'quarterly', 'yearly')", name="period"),
        CheckConstraint("status IN ('active', 'suspended', 'ended')", name="status"),
        CheckConstraint("quantity > 0", name="quantity"),
        # Percentages are stored in hundredths (Fixed(2)): 100 % is 10000.
        CheckConstraint("discount_percent >= 0 AND discount_percent <= 10000", name="discount"),
        CheckConstraint(
            "funder_share_percent >= 0 AND funder_share_percent <= 10000", name="funder_share"
        ),
    )
    __audited__ = True
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("billing_customer.id"), index=True)
    #: the customer's cooperative, copied so that a president's query is one WHERE
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("billing_service.id"))
    quantity: Mapped[Decimal] = mapped_column(Fixed(3), default=Decimal("1"))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(10), default="monthly")
    price_override: Mapped[Decimal | None] = mapped_column(Money)  #: replaces the catalogue price
    discount_percent: Mapped[Decimal] = mapped_column(Fixed(2), default=Decimal("0"))
    funder_id: Mapped[int | None] = mapped_column(ForeignKey("billing_customer.id"))
    funder_share_percent: Mapped[Decimal] = mapped_column(Fixed(2), default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(10), default="active")

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    funder: Mapped[Customer | None] = relationship(foreign_keys=[funder_id])
    service: Mapped[Service] = relationship()

    @property
    def audit_label(self) -> str:
        return f"Subscription of customer #{self.customer_id} to service #{self.service_id}"


class Invoice(Base):
    """An invoice or a credit note. Drafts are editable; issuing numbers it (FA-2026-00042,
    AV-2026-00003 for credit notes), freezes the parties' legal mentions and posts it."""

    __tablename__ = "billing_invoice"
    __table_args__ = (
        CheckConstraint("kind IN ('invoice', 'credit_note')", name="kind"),
        CheckConstraint(
            "state IN ('draft', 'issued', 'partially_paid', 'paid', 'cancelled')", name="state"
        ),
        UniqueConstraint("kind", "year", "sequence"),
    )
    __audited__ = True
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), default="invoice")
    customer_id: Mapped[int] = mapped_column(ForeignKey("billing_customer.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    sequence: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    issue_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("billing_invoice.id"))
    #: totals and the customer's legal mentions, frozen at issue
    total_net: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    total_vat: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    total_gross: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: what credit notes took off this invoice
    amount_credited: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    customer_snapshot: Mapped[str] = mapped_column(Text, default="")  #: JSON
    notes: Mapped[str] = mapped_column(Text, default="")
    gie_entry_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_entry.id"))
    mirror_entry_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_entry.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )
    credited_invoice: Mapped["Invoice | None"] = relationship(remote_side=[id])

    @property
    def open_amount(self):
        return self.total_gross - self.amount_paid - self.amount_credited

    @property
    def audit_label(self) -> str:
        kind = "Credit note" if self.kind == "credit_note" else "Invoice"
        if self.number:
            return f"{kind} {self.number}"
        return f"Draft {kind.lower()} #{self.id}"


class InvoiceLine(Base):
    __tablename__ = "billing_invoice_line"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("billing_invoice.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("billing_service.id"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("billing_subscription.id"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Fixed(3))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    net_amount: Mapped[Decimal] = mapped_column(Money)
    vat_code: Mapped[str] = mapped_column(String(20))
    vat_rate: Mapped[Decimal] = mapped_column(Fixed(2))
    vat_reference: Mapped[str] = mapped_column(String(200), default="")
    income_account: Mapped[str] = mapped_column(String(12), default="7124")

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    @property
    def audit_label(self) -> str:
        return f"Line of invoice #{self.invoice_id}: {self.description}"


class BilledPeriod(Base):
    """What a billing run has invoiced: one row per subscription, period and payer, so that
    running the same period twice bills nothing twice."""

    __tablename__ = "billing_billed_period"
    __table_args__ = (UniqueConstraint("subscription_id", "period_start", "payer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("billing_subscription.id"))
    period_start: Mapped[date] = mapped_column(Date)
    payer_id: Mapped[int] = mapped_column(ForeignKey("billing_customer.id"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("billing_invoice.id"))


class Payment(Base):
    __tablename__ = "billing_payment"
    __table_args__ = (
        CheckConstraint("method IN ('transfer', 'cheque', 'cash')", name="method"),
        CheckConstraint("amount > 0", name="amount"),
    )
    __audited__ = True
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("billing_customer.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    method: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(60), default="")
    gie_entry_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_entry.id"))
    mirror_entry_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_entry.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    allocations: Mapped[list["Allocation"]] = relationship(back_populates="payment")

    @property
    def audit_label(self) -> str:
        return f"Payment {self.received_on} {self.amount} {self.reference}".rstrip()


class Allocation(Base):
    __tablename__ = "billing_allocation"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("billing_payment.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("billing_invoice.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship()

    @property
    def audit_label(self) -> str:
        return (
            f"Allocation of payment #{self.payment_id} to invoice #{self.invoice_id}: {self.amount}"
        )
