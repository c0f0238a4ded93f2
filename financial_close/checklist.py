"""What must be done before a fiscal year closes: the checklist, and the closing that
refuses while it is not met (`force` skips only the bank and documents items)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting import closing
from accounting.models import Account, Entry, FiscalYear, Journal, Ledger, Line
from accounting.services import OPENING_JOURNAL
from financial_close.models import BankAccount, BankLine, BankStatement, Document
from financial_close.vat_periods import periods_without_return


@dataclass
class ChecklistItem:
    key: str  #: drafts, balanced, vat, bank or documents
    label: str
    count: int | Decimal  #: what is left to do (for "balanced": the difference)
    reason: str  #: why the year may not close while `count` is not zero
    skippable: bool = False  #: `force` skips it
    #: bank: the months each bank account moved in the books with no statement covering them
    uncovered: list["UncoveredMonths"] = field(default_factory=list)

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


@dataclass(frozen=True)
class UncoveredMonths:
    bank_account: str
    account_code: str
    #: the first day of each month
    months: list[date]


def uncovered_months(session: Session, year: FiscalYear) -> list[UncoveredMonths]:
    """Per bank account, the months of the fiscal year in which its account (51xx) has book
    movements on days that no imported statement of that bank account covers; opening
    entries are balances, not movements."""
    uncovered = []
    bank_accounts = session.execute(
        select(BankAccount.id, BankAccount.name, BankAccount.account_id)
        .where(BankAccount.ledger_id == year.ledger_id)
        .order_by(BankAccount.name, BankAccount.id)
    ).all()
    openings = (
        select(Entry.id)
        .join(Journal, Journal.id == Entry.journal_id)
        .where(Entry.ledger_id == year.ledger_id, Journal.code == OPENING_JOURNAL)
    )
    for bank_account_id, name, account_id in bank_accounts:
        moved_on = session.scalars(
            select(Line.date)
            .where(
                Line.account_id == account_id,
                Line.posted.is_(True),
                Line.date >= year.start_on,
                Line.date <= year.end_on,
                Line.entry_id.not_in(openings),
            )
            .distinct()
        ).all()
        statements = session.execute(
            select(BankStatement.start_on, BankStatement.end_on).where(
                BankStatement.bank_account_id == bank_account_id,
                BankStatement.start_on <= year.end_on,
                BankStatement.end_on >= year.start_on,
            )
        ).all()
        months = sorted(
            {
                day.replace(day=1)
                for day in moved_on
                if not any(start <= day <= end for start, end in statements)
            }
        )
        if months:
            code = session.scalar(select(Account.code).where(Account.id == account_id))
            uncovered.append(UncoveredMonths(name, code, months))
    return uncovered


def _bank_reasons(unreconciled: int, uncovered: list[UncoveredMonths]) -> str:
    reasons = []
    if unreconciled or not uncovered:
        reasons.append(str(_l("Bank lines not reconciled: %(count)d.", count=unreconciled)))
    reasons += [
        str(
            _l(
                "%(account)s (%(code)s) moved in months no imported statement covers: %(months)s.",
                account=item.bank_account,
                code=item.account_code,
                months=", ".join(month.strftime("%Y-%m") for month in item.months),
            )
        )
        for item in uncovered
    ]
    return " ".join(reasons)


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
    uncovered = uncovered_months(session, fiscal_year)
    months_uncovered = sum(len(item.months) for item in uncovered)
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
            bank_lines + months_uncovered,
            _bank_reasons(bank_lines, uncovered),
            skippable=True,
            uncovered=uncovered,
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
