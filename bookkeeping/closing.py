"""What must be done before a fiscal year closes: the checklist, and the closing that
refuses while it is not met (`force` skips only the bank and documents items)."""

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting import closing
from accounting.models import Entry, FiscalYear, Journal, Ledger
from bookkeeping.models import BankLine, Document
from bookkeeping.vat import periods_without_return


@dataclass
class ChecklistItem:
    key: str  #: drafts, balanced, vat, bank or documents
    label: str
    count: int | Decimal  #: what is left to do (for "balanced": the difference)
    reason: str  #: why the year may not close while `count` is not zero
    skippable: bool = False  #: `force` skips it

    @property
    def done(self) -> bool:
        return not self.count


def _unreconciled_bank_lines(session: Session, year: FiscalYear) -> int:
    return session.scalar(
        select(func.count(BankLine.id)).where(
            BankLine.ledger_id == year.ledger_id,
            BankLine.reconciled_at.is_(None),
            BankLine.date >= year.start_on,
            BankLine.date <= year.end_on,
        )
    )


def _entries_without_document(session: Session, year: FiscalYear) -> int:
    """Posted entries of the year with no supporting document, opening entries aside."""
    documented = select(Document.id).where(Document.entry_id == Entry.id).exists()
    return session.scalar(
        select(func.count(Entry.id))
        .join(Journal, Journal.id == Entry.journal_id)
        .where(
            Entry.ledger_id == year.ledger_id,
            Entry.state == "posted",
            Entry.date >= year.start_on,
            Entry.date <= year.end_on,
            Journal.code != "AN",
            ~documented,
        )
    )


def checklist(session: Session, ledger_id: int, year: str | int) -> list[ChecklistItem]:
    """The items to meet before closing the fiscal year (by name or id) of the ledger.

    Raises NotFound."""
    fiscal_year = closing.find_fiscal_year(session, ledger_id, year)
    ledger = session.get(Ledger, ledger_id)
    drafts = closing.drafts_in(session, fiscal_year)
    difference = abs(closing.imbalance(session, fiscal_year))
    missing_returns = len(periods_without_return(session, ledger, fiscal_year.start_on.year))
    bank_lines = _unreconciled_bank_lines(session, fiscal_year)
    undocumented = _entries_without_document(session, fiscal_year)
    return [
        ChecklistItem(
            "drafts",
            _l("Drafts posted"),
            drafts,
            _l("Drafts not posted: %(count)d.", count=drafts),
        ),
        ChecklistItem(
            "balanced",
            _l("Debits equal credits"),
            difference,
            _l("Debits and credits differ by %(amount)s.", amount=difference),
        ),
        ChecklistItem(
            "vat",
            _l("VAT returns done"),
            missing_returns,
            _l("VAT periods without a validated return: %(count)d.", count=missing_returns),
        ),
        ChecklistItem(
            "bank",
            _l("Bank reconciled"),
            bank_lines,
            _l("Bank lines not reconciled: %(count)d.", count=bank_lines),
            skippable=True,
        ),
        ChecklistItem(
            "documents",
            _l("Supporting documents attached"),
            undocumented,
            _l("Posted entries without a supporting document: %(count)d.", count=undocumented),
            skippable=True,
        ),
    ]


def unmet(items: list[ChecklistItem], *, force: bool = False) -> list[ChecklistItem]:
    """The items that stop the closing: all those not done, but the skippable ones when
    forced."""
    return [item for item in items if not item.done and not (force and item.skippable)]


def close_with_checklist(
    session: Session, ledger_id: int, year: str | int, *, force: bool = False, actor=None
) -> closing.ClosingSummary:
    """Close the fiscal year once its checklist is met (`force`: but for the bank and the
    supporting documents). Raises ClosingRefused (listing every unmet item and every other
    reason), NotFound, PostingRefused."""
    fiscal_year = closing.find_fiscal_year(session, ledger_id, year)
    blocking = unmet(checklist(session, ledger_id, fiscal_year.id), force=force)
    if blocking:
        raise closing.ClosingRefused(
            _l("Fiscal year %(year)s cannot be closed.", year=fiscal_year.name),
            field_errors={"closing": [item.reason for item in blocking]},
        )
    return closing.close_fiscal_year(session, ledger_id, fiscal_year.id, actor=actor)
