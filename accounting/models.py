"""The books: ledgers, chart of accounts, journals, fiscal years, entries and their lines."""

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
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from gie.db import Base, UTCDateTime, utcnow
from gie.imported_files import ImportedFileColumns
from gie.money import ZERO, Fixed, Money

KINDS = ("asset", "liability", "equity", "income", "expense")
JOURNALS = {
    "VT": "Ventes",
    "AC": "Achats",
    "BQ": "Banque",
    "CA": "Caisse",
    "OD": "Opérations diverses",
    "AN": "À-nouveaux",
}
GIE_LEDGER_CODE = "GIE"
VAT_PERIODS = ("monthly", "quarterly")
#: collection (encaissement, the default): VAT is due when paid; debit: when invoiced
VAT_REGIMES = ("collection", "debit")


class Ledger(Base):
    """One entity's books: a member cooperative's, or the GIE's own (no cooperative)."""

    __tablename__ = "accounting_ledger"
    __table_args__ = (
        CheckConstraint("vat_period IN ('monthly', 'quarterly')", name="vat_period"),
        CheckConstraint("vat_regime IN ('collection', 'debit')", name="vat_regime"),
    )
    __audited__ = True
    __audit_exclude__ = {"chain_length", "chain_head"}
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  #: the owner's code, or GIE
    name: Mapped[str] = mapped_column(String(200))
    cooperative_id: Mapped[int | None] = mapped_column(
        ForeignKey("gie_cooperative.id"), unique=True
    )
    #: no entry may be posted on or before this date
    lock_date: Mapped[date | None] = mapped_column(Date)
    #: posted entries so far, and the hash of the last one: the head of the hash chain
    chain_length: Mapped[int] = mapped_column(Integer, default=0)
    chain_head: Mapped[str] = mapped_column(String(64), default="")
    #: monthly when last year's taxable turnover reached 1,000,000 MAD, else quarterly
    vat_period: Mapped[str] = mapped_column(String(10), default="quarterly")
    vat_regime: Mapped[str] = mapped_column(String(10), default="collection")
    #: the VAT accounts the returns read and settle, each with its sub-accounts: VAT
    #: collected, deductible (on expenses: its sub-accounts but those on fixed assets), and
    #: where the settlement carries a credit or books the VAT due (CGNC defaults)
    vat_collected_account: Mapped[str] = mapped_column(String(12), default="4455")
    vat_deductible_account: Mapped[str] = mapped_column(String(12), default="3455")
    vat_fixed_assets_account: Mapped[str] = mapped_column(String(12), default="34551")
    vat_credit_account: Mapped[str] = mapped_column(String(12), default="3456")
    vat_due_account: Mapped[str] = mapped_column(String(12), default="4456")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __str__(self) -> str:
        return self.code

    @property
    def audit_label(self) -> str:
        return f"Ledger {self.code}"


class Account(Base):
    __tablename__ = "accounting_account"
    __table_args__ = (
        UniqueConstraint("ledger_id", "code"),
        CheckConstraint(
            "kind IN ('asset', 'liability', 'equity', 'income', 'expense')", name="kind"
        ),
        CheckConstraint("class_number BETWEEN 0 AND 9", name="class_number"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    code: Mapped[str] = mapped_column(String(12))  #: CGNC digits, sub-accounts allowed
    label: Mapped[str] = mapped_column(String(200))
    class_number: Mapped[int] = mapped_column(Integer)  #: the CGNC class, first digit
    kind: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def audit_label(self) -> str:
        return f"Account {self.code} {self.label}"


class Journal(Base):
    __tablename__ = "accounting_journal"
    __table_args__ = (UniqueConstraint("ledger_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    code: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(60))

    def __str__(self) -> str:
        return self.code


class FiscalYear(Base):
    __tablename__ = "accounting_fiscal_year"
    __table_args__ = (
        UniqueConstraint("ledger_id", "start_on"),
        CheckConstraint("end_on > start_on", name="dates"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))  #: "2026", used in entry numbers
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))
    #: the next year's opening entry (journal AN) that closing this year posted
    opening_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounting_entry.id", use_alter=True)
    )
    #: why an admin reopened the year (kept in the audit log with the change)
    reopen_reason: Mapped[str] = mapped_column(String(500), default="")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"Fiscal year {self.name} of ledger #{self.ledger_id}"


class Entry(Base):
    """A pièce: draft until posted; posted entries never change (corrections are reversals)."""

    __tablename__ = "accounting_entry"
    __table_args__ = (
        UniqueConstraint("journal_id", "fiscal_year_id", "sequence"),
        UniqueConstraint("ledger_id", "chain_index"),
        CheckConstraint("state IN ('draft', 'posted')", name="state"),
        Index("ix_accounting_entry_ledger_date", "ledger_id", "date"),
        Index("ix_accounting_entry_source_ref", "ledger_id", "source_ref"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("accounting_journal.id"))
    fiscal_year_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_fiscal_year.id"))
    state: Mapped[str] = mapped_column(String(6), default="draft")
    date: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(60), default="")  #: supporting document
    #: the `entry` value of the imported file the entry came from; empty when typed in
    source_ref: Mapped[str] = mapped_column(String(60), default="")
    #: gapless per journal and fiscal year, assigned at posting: VT-2026-00042
    sequence: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(30), index=True)
    #: position in the ledger's hash chain, and the chained SHA-256
    chain_index: Mapped[int | None] = mapped_column(Integer)
    hash: Mapped[str | None] = mapped_column(String(64))
    reversal_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounting_entry.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))

    ledger: Mapped[Ledger] = relationship()
    journal: Mapped[Journal] = relationship()
    fiscal_year: Mapped[FiscalYear | None] = relationship(foreign_keys=[fiscal_year_id])
    lines: Mapped[list["Line"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Line.position"
    )
    reversal_of: Mapped["Entry | None"] = relationship(remote_side=[id])

    @property
    def posted(self) -> bool:
        return self.state == "posted"

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    def __str__(self) -> str:
        return self.number or f"#{self.id}"

    @property
    def audit_label(self) -> str:
        if self.number:
            return f"Entry {self.number}"
        return f"Draft entry #{self.id}"


class Line(Base):
    __tablename__ = "accounting_line"
    __table_args__ = (
        CheckConstraint(
            "debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0) AND debit + credit > 0",
            name="amounts",
        ),
        # Reports read posted lines of one ledger over a period: this index matches that
        # filter and covers the sums, so they never touch the table.
        Index(
            "ix_accounting_line_reports",
            "ledger_id",
            "posted",
            "date",
            "account_id",
            "debit",
            "credit",
        ),
        # The general ledger of one account: covers its opening and period sums too.
        Index("ix_accounting_line_account", "account_id", "posted", "date", "debit", "credit"),
        Index("ix_accounting_line_partner", "ledger_id", "partner", "account_id"),
    )
    __audited__ = True
    __audit_exclude__ = {"posted", "date"}  # copies of the entry's, audited there

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("accounting_entry.id"), index=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounting_account.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: copies of the entry's date and state, so that reports read lines alone
    date: Mapped[date] = mapped_column(Date)
    posted: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str] = mapped_column(String(200), default="")
    #: customer or supplier code on partner accounts (34xx, 44xx), e.g. COOP-017 or GIE
    partner: Mapped[str] = mapped_column(String(40), default="")
    debit: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    credit: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: the VAT rate (percent) of a taxable base line or of a VAT line, when known at posting
    vat_rate: Mapped[Decimal | None] = mapped_column(Fixed(2))

    entry: Mapped[Entry] = relationship(back_populates="lines")
    account: Mapped[Account] = relationship()

    @property
    def audit_label(self) -> str:
        side, amount = ("debit", self.debit) if self.debit else ("credit", self.credit)
        return f"Line of entry #{self.entry_id}: {side} {amount} {self.label}"


class Match(Base):
    """Lettrage: `amount` of a debit line settled by a credit line of the same partner
    account (an invoice by a payment or a credit note); several rows make partial matches."""

    __tablename__ = "accounting_match"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounting_account.id"))
    debit_line_id: Mapped[int] = mapped_column(ForeignKey("accounting_line.id"), index=True)
    credit_line_id: Mapped[int] = mapped_column(ForeignKey("accounting_line.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))

    debit_line: Mapped[Line] = relationship(foreign_keys=[debit_line_id])
    credit_line: Mapped[Line] = relationship(foreign_keys=[credit_line_id])

    @property
    def audit_label(self) -> str:
        return (
            f"Match of line #{self.debit_line_id} with line #{self.credit_line_id}: {self.amount}"
        )


class ImportedEntriesFile(ImportedFileColumns, Base):
    """An entries file imported into a ledger: the same file is refused the next time."""

    __tablename__ = "accounting_imported_file"
    __table_args__ = (Index("ix_accounting_imported_file_sha256", "ledger_id", "sha256"),)

    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"))
    entries: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)


class VatRate(Base):
    """A VAT rate in force between two dates, with its legal reference; exemptions are rates
    of zero that carry the article to print on invoices."""

    __tablename__ = "billing_vat_rate"  # named when billing kept the rates
    __table_args__ = (UniqueConstraint("code", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))  #: e.g. TVA20, EXO91
    rate: Mapped[Decimal] = mapped_column(Fixed(2))  #: percent, e.g. 20.00
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    legal_reference: Mapped[str] = mapped_column(String(200), default="")
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)


class PostedEntryImmutable(Exception):
    """Raised at flush time when code tries to change a posted entry or its lines."""


def _original(obj, attribute: str):
    history = inspect(obj).attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    return getattr(obj, attribute)


@event.listens_for(Session, "before_flush")
def _guard_posted_entries(session, _flush_context, _instances):
    """Posted entries and their lines are immutable whatever the code path (views, services,
    scripts): the check runs on every flush, not only in the views."""
    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        if isinstance(obj, Entry) and _original(obj, "state") == "posted":
            raise PostedEntryImmutable(f"entry {obj.number} is posted")
        if isinstance(obj, Line) and _original(obj, "posted"):
            raise PostedEntryImmutable(f"a line of posted entry {obj.entry_id}")
    for obj in session.deleted:
        if isinstance(obj, Entry) and _original(obj, "state") == "posted":
            raise PostedEntryImmutable(f"entry {obj.number} is posted")
        if isinstance(obj, Line) and _original(obj, "posted"):
            raise PostedEntryImmutable(f"a line of posted entry {obj.entry_id}")
    for obj in session.new:
        entry = obj.entry if isinstance(obj, Line) else None
        if entry is not None and entry.id is not None and _original(entry, "state") == "posted":
            raise PostedEntryImmutable(f"a new line on posted entry {obj.entry.number}")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    """Bulk UPDATE/DELETE through the ORM would skip the flush guard: not for the books."""
    if state.is_update or state.is_delete:
        for mapper in state.all_mappers:
            if mapper.class_ in (Entry, Line):
                raise PostedEntryImmutable("bulk changes of entries or lines are not allowed")
