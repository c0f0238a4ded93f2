"""The accountant's month and year: bank statements and their reconciliation with the books,
VAT returns, and the supporting documents of entries, bank lines and invoices."""

# Tables stay bookkeeping_*: renaming tables, constraints and indexes is not worth a migration.

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounting.models import Account, Ledger
from gie.db import Base, UTCDateTime, utcnow
from gie.money import ZERO, Fixed, Money

STATEMENT_SOURCES = ("csv", "ofx")
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/webp")


class BankFormat(Base):
    """How one bank writes its CSV statements, chosen once and remembered: which column holds
    what (by header name), separators, decimal mark and date format."""

    __tablename__ = "bookkeeping_bank_format"
    __table_args__ = (
        CheckConstraint(
            "amount_column != '' OR (debit_column != '' AND credit_column != '')",
            name="amount_columns",
        ),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)  #: the bank, e.g. "CIH Bank"
    delimiter: Mapped[str] = mapped_column(String(1), default=";")
    decimal_mark: Mapped[str] = mapped_column(String(1), default=",")
    date_format: Mapped[str] = mapped_column(String(20), default="%d/%m/%Y")
    #: a Python codec name, or "auto": UTF-8 or Windows-1252, told apart by `gie.csvfiles.decode`
    encoding: Mapped[str] = mapped_column(String(20), default="auto")
    #: lines above the header row (bank name, account number...)
    skip_lines: Mapped[int] = mapped_column(Integer, default=0)
    date_column: Mapped[str] = mapped_column(String(60))
    label_column: Mapped[str] = mapped_column(String(60))
    #: either one signed amount column, or a debit and a credit column
    amount_column: Mapped[str] = mapped_column(String(60), default="")
    debit_column: Mapped[str] = mapped_column(String(60), default="")
    credit_column: Mapped[str] = mapped_column(String(60), default="")
    balance_column: Mapped[str] = mapped_column(String(60), default="")
    reference_column: Mapped[str] = mapped_column(String(60), default="")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"Bank format {self.name}"


class BankAccount(Base):
    """A ledger's account at a bank: the 514x account of the books its statements reconcile
    with, the CSV format its bank uses, and the currency and account id its statement files
    must carry."""

    __tablename__ = "bookkeeping_bank_account"
    __table_args__ = (UniqueConstraint("ledger_id", "account_id"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounting_account.id"))
    name: Mapped[str] = mapped_column(String(120))  #: e.g. "Al Barid Bank, Chefchaouen"
    bank_format_id: Mapped[int | None] = mapped_column(ForeignKey("bookkeeping_bank_format.id"))
    currency: Mapped[str] = mapped_column(String(3), default="MAD")
    #: the ACCTID, IBAN or MT940 :25: of its statement files; recorded by the first import
    account_identifier: Mapped[str] = mapped_column(String(35), default="")

    ledger: Mapped[Ledger] = relationship()
    account: Mapped[Account] = relationship()
    bank_format: Mapped[BankFormat | None] = relationship()

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"Bank account {self.name}"


class BankStatement(Base):
    """One imported file: its period and balances, checked against its lines."""

    __tablename__ = "bookkeeping_bank_statement"
    __table_args__ = (
        CheckConstraint("source IN ('csv', 'ofx', 'mt940', 'camt053')", name="source"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    bank_account_id: Mapped[int] = mapped_column(
        ForeignKey("bookkeeping_bank_account.id"), index=True
    )
    source: Mapped[str] = mapped_column(String(7))
    filename: Mapped[str] = mapped_column(String(255), default="")
    file_sha256: Mapped[str] = mapped_column(String(64))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    opening_balance: Mapped[Decimal] = mapped_column(Money)
    closing_balance: Mapped[Decimal] = mapped_column(Money)
    #: False when the file and the user gave too few balances to check the lines (an OFX
    #: file without LEDGERBAL): the missing balance was computed from the other
    balances_checked: Mapped[bool] = mapped_column(Boolean, default=True)
    lines_added: Mapped[int] = mapped_column(Integer, default=0)
    #: lines already imported from an earlier file (same bank account, same line)
    lines_skipped: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))

    bank_account: Mapped[BankAccount] = relationship()

    @property
    def audit_label(self) -> str:
        return f"Bank statement {self.start_on} – {self.end_on} {self.filename}".rstrip()


class BankLine(Base):
    """A line of a bank statement; positive amounts are money in. Reconciled lines are
    locked: they keep their matches until the reconciliation is undone."""

    __tablename__ = "bookkeeping_bank_line"
    __table_args__ = (
        # A line is recognised when the same file (or an overlapping one) comes again.
        UniqueConstraint("bank_account_id", "fingerprint"),
        Index("ix_bookkeeping_bank_line_open", "ledger_id", "reconciled_at", "date"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"))
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bookkeeping_bank_account.id"))
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("bookkeeping_bank_statement.id"), index=True
    )
    date: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str] = mapped_column(String(80), default="")
    amount: Mapped[Decimal] = mapped_column(Money)
    #: the running balance the bank printed after this line, when the file has one
    balance: Mapped[Decimal | None] = mapped_column(Money)
    fingerprint: Mapped[str] = mapped_column(String(64))
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconciled_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))

    bank_account: Mapped[BankAccount] = relationship()
    statement: Mapped[BankStatement] = relationship()
    reconciliations: Mapped[list["Reconciliation"]] = relationship(
        back_populates="bank_line", cascade="all, delete-orphan"
    )

    @property
    def reconciled(self) -> bool:
        return self.reconciled_at is not None

    @property
    def audit_label(self) -> str:
        return f"Bank line {self.date} {self.amount} {self.label}"


class Reconciliation(Base):
    """A posted line of the bank account in the books matched with a bank line; a bank line
    may gather several book lines (a deposit of several cheques), a book line is matched once."""

    __tablename__ = "bookkeeping_reconciliation"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    bank_line_id: Mapped[int] = mapped_column(ForeignKey("bookkeeping_bank_line.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("accounting_line.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank_line: Mapped[BankLine] = relationship(back_populates="reconciliations")

    @property
    def audit_label(self) -> str:
        return f"Reconciliation of bank line #{self.bank_line_id} with line #{self.line_id}"


class BankRule(Base):
    """ "Label contains FRAIS -> 6147": the counterpart account proposed when an entry is
    created from a bank line; rules without a ledger apply to every ledger."""

    __tablename__ = "bookkeeping_bank_rule"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    pattern: Mapped[str] = mapped_column(String(80))  #: matched case- and accent-insensitively
    account_code: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(200), default="")  #: the entry's label, if set
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def audit_label(self) -> str:
        return f"Rule “{self.pattern}” → {self.account_code}"


class VatReturn(Base):
    """A validated VAT return of a ledger for a month or a quarter, with the SIMPL-TVA
    amounts as computed then, and the entry that settled the VAT accounts."""

    __tablename__ = "bookkeeping_vat_return"
    __table_args__ = (
        UniqueConstraint("ledger_id", "period_start"),
        CheckConstraint("period_end >= period_start", name="period"),
        CheckConstraint("due = 0 OR credit = 0", name="due_or_credit"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("accounting_ledger.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    regime: Mapped[str] = mapped_column(String(10))
    #: line 130: VAT due (collected) over every rate
    collected: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    deductible_fixed_assets: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    deductible_expenses: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: line 170: the credit carried from the previous return
    previous_credit: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    #: line 200 (to pay) or line 201 (credit to carry forward); one of them is zero
    due: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    credit: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_entry.id"))
    validated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))

    lines: Mapped[list["VatReturnLine"]] = relationship(
        back_populates="vat_return", cascade="all, delete-orphan", order_by="VatReturnLine.id"
    )

    @property
    def audit_label(self) -> str:
        return f"VAT return {self.period_start} – {self.period_end} of ledger #{self.ledger_id}"


class VatReturnLine(Base):
    """Base and tax of one rate on one side of a return (collected, deductible on fixed
    assets, deductible on expenses), or a turnover line of the form (tax zero)."""

    __tablename__ = "bookkeeping_vat_return_line"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('collected', 'exempt', 'deductible_fixed_assets', 'deductible_expenses')",
            name="kind",
        ),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    vat_return_id: Mapped[int] = mapped_column(ForeignKey("bookkeeping_vat_return.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    rate: Mapped[Decimal] = mapped_column(Fixed(2))
    base: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    tax: Mapped[Decimal] = mapped_column(Money, default=ZERO)

    vat_return: Mapped[VatReturn] = relationship(back_populates="lines")

    @property
    def audit_label(self) -> str:
        return f"Line of VAT return #{self.vat_return_id}: {self.kind} {self.rate}%"


class Document(Base):
    """A supporting document (pièce justificative, kept 10 years under law 9-88) of exactly
    one entry, bank line or invoice; the file is stored outside static under its SHA-256."""

    __tablename__ = "bookkeeping_document"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN entry_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN bank_line_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN invoice_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_record",
        ),
    )
    __audited__ = True
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: whose record it documents (None for the GIE's own), so scoping is one WHERE
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("accounting_entry.id"), index=True)
    bank_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookkeeping_bank_line.id"), index=True
    )
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("billing_invoice.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))

    @property
    def audit_label(self) -> str:
        return f"Document {self.filename}"
