"""The dates reports read the books from: fiscal years, the last closing's opening entry,
and the period a report page shows when none is asked for."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting.models import Entry, FiscalYear, Journal

#: classes whose balance restarts every fiscal year (charges, produits, résultats)
RESULT_CLASSES = (6, 7, 8)


def fiscal_year_start(session: Session, ledger_id: int, on: date) -> date | None:
    return session.scalar(
        select(FiscalYear.start_on).where(
            FiscalYear.ledger_id == ledger_id, FiscalYear.start_on <= on, FiscalYear.end_on >= on
        )
    )


def books_start(session: Session, ledger_id: int, on: date) -> date | None:
    """Where reports of a period starting on `on` begin reading the books: the day after the
    last closed fiscal year that ends before `on`, whose closing carried every balance into
    the next year's opening entry (journal AN); None (the first line) when none is closed."""
    closed_end = session.scalar(
        select(func.max(FiscalYear.end_on)).where(
            FiscalYear.ledger_id == ledger_id,
            FiscalYear.closed.is_(True),
            FiscalYear.end_on < on,
        )
    )
    return closed_end + relativedelta(days=1) if closed_end else None


def opening_entry_ids(session: Session, ledger_id: int, on: date) -> list[int]:
    """The posted entries of journal AN dated `on` (a closing's opening entry, and any
    reversal of an earlier one): opening balances, not movements, of a period starting then."""
    return list(
        session.scalars(
            select(Entry.id)
            .join(Journal, Journal.id == Entry.journal_id)
            .where(
                Entry.ledger_id == ledger_id,
                Entry.date == on,
                Entry.state == "posted",
                Journal.code == "AN",
            )
        )
    )


@dataclass
class Period:
    date_from: date
    date_to: date


def default_period(session: Session, ledger_id: int, today: date) -> Period:
    """The fiscal year of the ledger that contains `today`, else the last one before it,
    else its first one (all in the future), else the calendar year of `today`."""
    year = session.execute(
        select(FiscalYear.start_on, FiscalYear.end_on)
        .where(FiscalYear.ledger_id == ledger_id, FiscalYear.start_on <= today)
        .order_by(FiscalYear.start_on.desc())
        .limit(1)
    ).first()
    if year is None:
        year = session.execute(
            select(FiscalYear.start_on, FiscalYear.end_on)
            .where(FiscalYear.ledger_id == ledger_id)
            .order_by(FiscalYear.start_on)
            .limit(1)
        ).first()
    if year is None:
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    return Period(year.start_on, year.end_on)
