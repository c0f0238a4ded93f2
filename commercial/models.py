"""The cooperatives' products and the sales advisers' pipeline: buyers and contacts, leads
through ordered stages, activities, and the timeline of each lead."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gie.db import Base, UTCDateTime, utcnow
from gie.imported_files import ImportedFileColumns
from gie.money import D, Money

BUYER_KINDS = ("hotel", "restaurant", "shop", "exporter", "wholesaler", "fair_visitor", "other")
SOURCES = ("trade_fair", "referral", "website", "walk_in", "call", "other")
ACTIVITY_KINDS = ("call", "visit", "meeting", "sample", "email")
STAGE_KINDS = ("open", "won", "lost")


class Product(Base):
    __tablename__ = "commercial_product"
    __table_args__ = (
        CheckConstraint("price_min >= 0 AND price_max >= price_min", name="prices"),
        CheckConstraint("monthly_capacity >= 0", name="capacity"),
    )
    __audited__ = True
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    filiere: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(30))  #: kg, litre, piece, m²...
    price_min: Mapped[Decimal] = mapped_column(Money)  #: MAD per unit
    price_max: Mapped[Decimal] = mapped_column(Money)
    monthly_capacity: Mapped[int] = mapped_column(Integer, default=0)  #: units a month
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the adviser who edits it (with the admins); none: only the admins
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cooperative = relationship("Cooperative")
    owner = relationship("User")
    photos: Mapped[list["ProductPhoto"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductPhoto.id"
    )

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"Product {self.name}"


class ProductPhoto(Base):
    """An uploaded photo, stored outside the static folder under the hash of its content."""

    __tablename__ = "commercial_product_photo"
    __audited__ = True
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("commercial_product.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))  #: names the file and its thumbnail
    content_type: Mapped[str] = mapped_column(String(30))
    size: Mapped[int] = mapped_column(Integer)  #: bytes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship(back_populates="photos")

    @property
    def audit_label(self) -> str:
        return f"Photo of product #{self.product_id} ({self.sha256[:12]})"


class Buyer(Base):
    """An organisation that may buy the cooperatives' products."""

    __tablename__ = "commercial_buyer"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    city: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    #: digits only (212 prefix for Moroccan numbers) and lower-case email, for duplicates
    phone_key: Mapped[str] = mapped_column(String(20), default="", index=True)
    email_key: Mapped[str] = mapped_column(String(254), default="", index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the adviser who edits it and its contacts (with the admins); none: only the admins
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner = relationship("User")
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="buyer", order_by="Contact.name"
    )

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"Buyer {self.name}"


class Contact(Base):
    __tablename__ = "commercial_contact"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("commercial_buyer.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone_key: Mapped[str] = mapped_column(String(20), default="", index=True)
    email_key: Mapped[str] = mapped_column(String(254), default="", index=True)

    buyer: Mapped[Buyer] = relationship(back_populates="contacts")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"Contact {self.name}"


class Stage(Base):
    """An ordered pipeline stage; won and lost are final."""

    __tablename__ = "commercial_stage"
    __table_args__ = (
        CheckConstraint("kind IN ('open', 'won', 'lost')", name="kind"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    name_ar: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(5), default="open")
    probability: Mapped[int] = mapped_column(Integer, default=10)  #: default for leads entering it
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def audit_label(self) -> str:
        return f"Stage {self.name}"


class Lead(Base):
    __tablename__ = "commercial_lead"
    __table_args__ = (
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
        CheckConstraint("amount >= 0", name="amount"),
        Index("ix_commercial_lead_stage_close", "stage_id", "expected_close_on"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("commercial_buyer.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("commercial_contact.id"))
    amount: Mapped[Decimal] = mapped_column(Money)  #: expected, MAD
    probability: Mapped[int] = mapped_column(Integer, default=10)  #: percent
    stage_id: Mapped[int] = mapped_column(ForeignKey("commercial_stage.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("gie_user.id"), index=True)  #: the adviser
    source: Mapped[str] = mapped_column(String(20), default="other")
    expected_close_on: Mapped[date | None] = mapped_column(Date)
    lost_reason: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buyer: Mapped[Buyer] = relationship()
    contact: Mapped[Contact | None] = relationship()
    stage: Mapped[Stage] = relationship()
    owner = relationship("User")
    cooperatives: Mapped[list["LeadCooperative"]] = relationship(
        back_populates="lead", cascade="all, delete-orphan"
    )
    products: Mapped[list["LeadProduct"]] = relationship(
        back_populates="lead", cascade="all, delete-orphan"
    )

    @property
    def audit_label(self) -> str:
        return f"Lead {self.title}"


def weighted_amount(amount: Decimal, probability: int) -> Decimal:
    """A lead's amount weighted by its probability (percent), rounded half up to the centime.

    The one rule for the lead page, the board, the forecast and the adviser's home: their
    totals add these per-lead figures, so the same leads give the same total everywhere.
    """
    return D(amount * probability / 100)


class LeadCooperative(Base):
    """A cooperative that would sell in a lead: what scopes a president's view of the pipeline."""

    __tablename__ = "commercial_lead_cooperative"
    __table_args__ = (UniqueConstraint("lead_id", "cooperative_id"),)
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("commercial_lead.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)

    lead: Mapped[Lead] = relationship(back_populates="cooperatives")
    cooperative = relationship("Cooperative")


class LeadProduct(Base):
    __tablename__ = "commercial_lead_product"
    __table_args__ = (UniqueConstraint("lead_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("commercial_lead.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("commercial_product.id"), index=True)

    lead: Mapped[Lead] = relationship(back_populates="products")
    product: Mapped[Product] = relationship()


class Activity(Base):
    __tablename__ = "commercial_activity"
    __table_args__ = (
        CheckConstraint("kind IN ('call', 'visit', 'meeting', 'sample', 'email')", name="kind"),
        Index("ix_commercial_activity_owner_due", "owner_id", "done_at", "due_on"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("commercial_lead.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("gie_user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="")

    lead: Mapped[Lead] = relationship()

    @property
    def audit_label(self) -> str:
        return f"Activity {self.subject}"


class LeadEvent(Base):
    """The timeline of a lead: creation and every stage change, appended, never rewritten."""

    __tablename__ = "commercial_lead_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("commercial_lead.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("commercial_stage.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("commercial_stage.id"))
    note: Mapped[str] = mapped_column(String(300), default="")


class ImportedLeadsFile(ImportedFileColumns, Base):
    """A leads file imported: the same file is refused the next time."""

    __tablename__ = "commercial_imported_file"

    sha256: Mapped[str] = mapped_column(String(64), index=True)  #: of the file's bytes
    buyers: Mapped[int] = mapped_column(Integer, default=0)  #: buyers created
    leads: Mapped[int] = mapped_column(Integer, default=0)  #: leads created
