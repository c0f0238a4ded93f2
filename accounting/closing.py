"""Year-end closing: the year's result into 1191 or 1199, the balances of classes 1 to 5
carried into the next year by an opening entry (journal AN), the year closed and locked;
and its undoing by an admin, with a reason kept in the audit log."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accounting import services
from accounting.models import Account, Entry, FiscalYear, Journal, Line
from accounting.reports.periods import RESULT_CLASSES, books_start
from gie.db import utcnow
from gie.errors import DomainError, NotFound, PermissionDenied
from gie.money import ZERO
from gie.security import has_permission
from gie.users.models import User

#: classes carried into the next year (capitaux, immobilisations, stocks, tiers, trésorerie)
CARRIED_CLASSES = (1, 2, 3, 4, 5)
PROFIT_ACCOUNT = ("1191", "Résultat net de l'exercice (solde créditeur)")
LOSS_ACCOUNT = ("1199", "Résultat net de l'exercice (solde débiteur)")


class ClosingRefused(DomainError):
    """The year cannot be closed or reopened; `field_errors["closing"]` lists every reason."""


@dataclass
class ClosingSummary:
    year: FiscalYear
    next_year: FiscalYear
    result: Decimal  #: income minus expenses of the year: a profit when positive
    opening_entry: Entry | None  #: None when the year had nothing to carry
    lines: int  #: lines of the opening entry


def _refused(message, reasons: list) -> ClosingRefused:
    return ClosingRefused(message, field_errors={"closing": reasons})


def find_fiscal_year(session: Session, ledger_id: int, year: str | int) -> FiscalYear:
    """A fiscal year of the ledger by its name ("2026") or, given an int, its id.

    Raises NotFound."""
    condition = FiscalYear.name == year.strip() if isinstance(year, str) else FiscalYear.id == year
    found = session.scalar(select(FiscalYear).where(FiscalYear.ledger_id == ledger_id, condition))
    if found is None:
        raise NotFound(_l("No fiscal year %(year)s in these books.", year=year))
    return found


def drafts_in(session: Session, year: FiscalYear) -> int:
    return session.scalar(
        select(func.count(Entry.id)).where(
            Entry.ledger_id == year.ledger_id,
            Entry.state == "draft",
            Entry.date >= year.start_on,
            Entry.date <= year.end_on,
        )
    )


def imbalance(session: Session, year: FiscalYear) -> Decimal:
    """Debit minus credit of the year's posted lines: zero in sound books."""
    debit, credit = session.execute(
        select(func.sum(Line.debit), func.sum(Line.credit)).where(
            Line.ledger_id == year.ledger_id,
            Line.posted.is_(True),
            Line.date >= year.start_on,
            Line.date <= year.end_on,
        )
    ).one()
    return (debit or ZERO) - (credit or ZERO)


def _closing_errors(session: Session, year: FiscalYear) -> list:
    errors = []
    if year.closed:
        errors.append(_l("Fiscal year %(year)s is already closed.", year=year.name))
    earlier = session.scalar(
        select(FiscalYear.name)
        .where(
            FiscalYear.ledger_id == year.ledger_id,
            FiscalYear.start_on < year.start_on,
            FiscalYear.closed.is_(False),
        )
        .order_by(FiscalYear.start_on)
        .limit(1)
    )
    if earlier:
        errors.append(_l("Close fiscal year %(year)s first: years close in order.", year=earlier))
    drafts = drafts_in(session, year)
    if drafts:
        errors.append(_l("Drafts not posted: %(count)d.", count=drafts))
    difference = imbalance(session, year)
    if difference:
        errors.append(_l("Debits and credits differ by %(amount)s.", amount=abs(difference)))
    return errors


def _balances(session: Session, ledger_id: int, start: date | None, end: date):
    """(account code, class, partner, debit minus credit) of every account and partner with
    posted lines from `start` (None: the first) to `end`."""
    conditions = [Line.ledger_id == ledger_id, Line.posted.is_(True), Line.date <= end]
    if start:
        conditions.append(Line.date >= start)
    sums = (
        select(
            Line.account_id,
            Line.partner,
            func.sum(Line.debit).label("debit"),
            func.sum(Line.credit).label("credit"),
        )
        .where(*conditions)
        .group_by(Line.account_id, Line.partner)
        .subquery()
    )
    rows = session.execute(
        select(Account.code, Account.class_number, sums.c.partner, sums.c.debit, sums.c.credit)
        .join(sums, sums.c.account_id == Account.id)
        .order_by(Account.code, sums.c.partner)
    )
    return [(row.code, row.class_number, row.partner, row.debit - row.credit) for row in rows]


def _ensure_account(session: Session, ledger_id: int, code: str, label: str) -> None:
    exists = session.scalar(
        select(Account.id).where(Account.ledger_id == ledger_id, Account.code == code)
    )
    if exists is None:
        services.add_account(session, ledger_id, code, label)


def _next_year(session: Session, year: FiscalYear) -> FiscalYear | None:
    return session.scalar(
        select(FiscalYear)
        .where(FiscalYear.ledger_id == year.ledger_id, FiscalYear.start_on > year.start_on)
        .order_by(FiscalYear.start_on)
        .limit(1)
    )


def close_fiscal_year(
    session: Session, ledger_id: int, year: str | int, *, actor=None
) -> ClosingSummary:
    """Close a fiscal year (by name or id): post, dated the next year's first day in journal
    AN, the opening entry that carries every class 1-5 balance (per partner on partner
    accounts) and the year's result on 1191 (profit) or 1199 (loss); then mark the year
    closed and lock the books up to its last day. Opens the next year when missing.

    Raises ClosingRefused (with every reason), NotFound, PostingRefused.
    """
    ledger = services.lock_ledger(session, ledger_id)
    fiscal_year = find_fiscal_year(session, ledger.id, year)
    errors = _closing_errors(session, fiscal_year)
    if errors:
        raise _refused(_l("Fiscal year %(year)s cannot be closed.", year=fiscal_year.name), errors)
    next_year = _next_year(session, fiscal_year) or services.add_fiscal_year(session, ledger.id)

    start = books_start(session, ledger.id, fiscal_year.start_on)
    lines: list[services.LineInput] = []
    result = off_balance = ZERO
    for code, class_number, partner, balance in _balances(
        session, ledger.id, start, fiscal_year.end_on
    ):
        if class_number in RESULT_CLASSES:
            result -= balance
        elif class_number in CARRIED_CLASSES:
            if balance:
                lines.append(_line(code, balance, partner))
        else:
            off_balance += balance
    if off_balance:
        raise _refused(
            _l("Fiscal year %(year)s cannot be closed.", year=fiscal_year.name),
            [_l("Classes 0 and 9 do not net to zero: the opening entry would not balance.")],
        )
    if result:
        code, label = PROFIT_ACCOUNT if result > 0 else LOSS_ACCOUNT
        _ensure_account(session, ledger.id, code, label)
        label = str(_l("Net result of fiscal year %(year)s", year=fiscal_year.name))
        lines.append(_line(code, -result, label=label))
    opening = None  # an empty year carries nothing
    if lines:
        opening = services.record_entry(
            session,
            ledger.id,
            journal_code="AN",
            entry_date=next_year.start_on,
            label=str(_l("Opening balances from fiscal year %(year)s", year=fiscal_year.name)),
            reference=fiscal_year.name,
            lines=lines,
            actor=actor,
            closing_opening=True,
        )
    fiscal_year.closed = True
    fiscal_year.closed_at = utcnow()
    fiscal_year.closed_by_id = getattr(actor, "id", None)
    fiscal_year.opening_entry_id = opening.id if opening else None
    if ledger.lock_date is None or ledger.lock_date < fiscal_year.end_on:
        ledger.lock_date = fiscal_year.end_on
    session.flush()
    return ClosingSummary(fiscal_year, next_year, result, opening, len(lines))


def _line(code: str, balance: Decimal, partner: str = "", label: str = "") -> services.LineInput:
    """A line that leaves `balance` (debit positive) on the account."""
    if balance > 0:
        return services.LineInput(code, debit=balance, partner=partner, label=label)
    return services.LineInput(code, credit=-balance, partner=partner, label=label)


def later_entries(session: Session, year: FiscalYear, opening_entry_id: int | None) -> int:
    """Posted entries of `year` other than its opening entries (the current one, earlier
    ones reversed and their reversals): what forbids reopening the year before it."""
    reopened = select(Entry.reversal_of_id).where(
        Entry.ledger_id == year.ledger_id, Entry.reversal_of_id.is_not(None)
    )
    openings = (
        select(Entry.id)
        .join(Journal, Journal.id == Entry.journal_id)
        .where(
            Entry.fiscal_year_id == year.id,
            Entry.date == year.start_on,
            Journal.code == "AN",
            or_(
                Entry.id == opening_entry_id,
                Entry.reversal_of_id.is_not(None),
                Entry.id.in_(reopened),
            ),
        )
    )
    return session.scalar(
        select(func.count(Entry.id)).where(
            Entry.fiscal_year_id == year.id,
            Entry.state == "posted",
            Entry.id.not_in(openings),
        )
    )


def reopen_fiscal_year(session: Session, fiscal_year_id: int, *, reason: str, actor) -> FiscalYear:
    """Reopen a closed year (admin only): reverse its opening entry on the same day, mark it
    open with the reason (kept in the audit log) and move the lock date back to the end of
    the previous closed year. Refused while the next year has posted entries other than
    opening entries, or a later year is closed.

    Raises PermissionDenied, ClosingRefused (with every reason), NotFound.
    """
    if not has_permission(actor, "accounting.reopen"):
        raise PermissionDenied(_l("Only an administrator may reopen a fiscal year."))
    year = session.get(FiscalYear, fiscal_year_id)
    if year is None:
        raise NotFound(_l("This page does not exist."))
    services.get_ledger(session, year.ledger_id, actor=actor)
    ledger = services.lock_ledger(session, year.ledger_id)
    session.refresh(year)
    reason = reason.strip()
    errors = []
    if not reason:
        errors.append(_l("Give the reason for reopening."))
    if not year.closed:
        errors.append(_l("Fiscal year %(year)s is not closed.", year=year.name))
    next_year = _next_year(session, year)
    if next_year is not None:
        if next_year.closed:
            errors.append(
                _l("Reopen fiscal year %(year)s first: it is closed too.", year=next_year.name)
            )
        elif later_entries(session, next_year, year.opening_entry_id):
            errors.append(
                _l(
                    "Fiscal year %(year)s already has posted entries besides its opening entry.",
                    year=next_year.name,
                )
            )
    if errors:
        raise _refused(_l("Fiscal year %(year)s cannot be reopened.", year=year.name), errors)
    ledger.lock_date = session.scalar(
        select(func.max(FiscalYear.end_on)).where(
            FiscalYear.ledger_id == ledger.id,
            FiscalYear.closed.is_(True),
            FiscalYear.end_on < year.start_on,
        )
    )
    if year.opening_entry_id:
        opening = session.get(Entry, year.opening_entry_id)
        # dated as the opening entry, so the immutable chain keeps both and they cancel out
        services.reverse_entry(session, opening.id, on=opening.date, actor=actor)
    year.closed = False
    year.opening_entry_id = None
    year.reopen_reason = reason[:500]
    session.flush()
    return year


def closer_names(session: Session, ledger_id: int) -> dict[int, str]:
    """{fiscal year id: name of who closed it} for the ledger's closed years."""
    rows = session.execute(
        select(FiscalYear.id, User.name)
        .join(User, User.id == FiscalYear.closed_by_id)
        .where(FiscalYear.ledger_id == ledger_id, FiscalYear.closed.is_(True))
    )
    return {year_id: name for year_id, name in rows}
