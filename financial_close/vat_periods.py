"""The VAT periods of a ledger: its months or quarters, their filing deadlines, the first
period its books reach, which periods ended without a validated return, and the status of
each period of a year."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from accounting.models import (
    Account,
    FiscalYear,
    Ledger,
    Line,
)
from financial_close.models import VatReturn
from financial_close.vat_settings import read_by_returns
from gie.errors import NotFound, ValidationError


def vat_periods(ledger: Ledger, year: int) -> list[tuple[date, date]]:
    """The months or quarters of a calendar year, per the ledger's VAT period."""
    step = relativedelta(months=1 if ledger.vat_period == "monthly" else 3)
    periods = []
    start = date(year, 1, 1)
    while start.year == year:
        following = start + step
        periods.append((start, following - relativedelta(days=1)))
        start = following
    return periods


def filing_deadline(period_end: date) -> date:
    """The last day of the month following the period."""
    return period_end + relativedelta(day=1, months=2, days=-1)


def books_start(session: Session, ledger_id: int) -> date | None:
    return session.scalar(
        select(func.min(FiscalYear.start_on)).where(FiscalYear.ledger_id == ledger_id)
    )


def first_vat_dates(session: Session, ledger_ids=None) -> dict[int, date]:
    """The date of each ledger's first posted line on a VAT account. One MIN per VAT account,
    each read from the top of the (account, posted, date) index, so this stays cheap on
    large books and for every ledger at once."""
    first_line = (
        select(func.min(Line.date))
        .where(Line.account_id == Account.id, Line.posted.is_(True))
        .scalar_subquery()
    )
    statement = (
        select(Account.ledger_id, first_line)
        .join(Ledger, Ledger.id == Account.ledger_id)
        .where(read_by_returns(Account.code))
    )
    if ledger_ids is not None:
        statement = statement.where(Account.ledger_id.in_(list(ledger_ids)))
    firsts: dict[int, date] = {}
    for ledger_id, first in session.execute(statement):
        if first is not None and (ledger_id not in firsts or first < firsts[ledger_id]):
            firsts[ledger_id] = first
    return firsts


def period_containing(ledger: Ledger, day: date) -> tuple[date, date]:
    return next((start, end) for start, end in vat_periods(ledger, day.year) if day <= end)


def returns_start(session: Session, ledger: Ledger) -> date | None:
    """Where the ledger's returns begin: the period of its first VAT line (a ledger with
    nothing to declare, such as an exempt cooperative's, owes no return yet)."""
    first = first_vat_dates(session, [ledger.id]).get(ledger.id)
    return period_containing(ledger, first)[0] if first else None


def validated_returns(session: Session, ledger_id: int) -> list[VatReturn]:
    return list(
        session.scalars(
            select(VatReturn)
            .where(VatReturn.ledger_id == ledger_id)
            .order_by(VatReturn.period_start)
        )
    )


def covering_return(returns: list[VatReturn], start: date, end: date) -> VatReturn | None:
    """The validated return that covers (part of) a period; periods may have been quarters
    before the ledger went monthly, so returns are looked up by overlap."""
    return next(
        (item for item in returns if item.period_start <= end and start <= item.period_end),
        None,
    )


def ended_periods(session: Session, ledger: Ledger, today: date) -> list[tuple[date, date]]:
    """Every period from the ledger's first VAT line on that has ended by `today`."""
    first_day = returns_start(session, ledger)
    if first_day is None:
        return []
    periods = []
    for year in range(first_day.year, today.year + 1):
        periods += [
            (start, end) for start, end in vat_periods(ledger, year) if first_day <= end < today
        ]
    return periods


def next_return_due(
    session: Session, ledger: Ledger, today: date
) -> tuple[date, date, date] | None:
    """The oldest ended period without a validated return, as (start, end, filing deadline);
    None when every ended period has its return."""
    returns = validated_returns(session, ledger.id)
    for start, end in ended_periods(session, ledger, today):
        if covering_return(returns, start, end) is None:
            return start, end, filing_deadline(end)
    return None


def periods_without_return(session: Session, ledger: Ledger, year: int) -> list[tuple[date, date]]:
    """Ended periods of `year` with posted lines on VAT accounts and no validated return."""
    returns = validated_returns(session, ledger.id)
    today = date.today()
    missing = []
    for start, end in vat_periods(ledger, year):
        if end >= today or covering_return(returns, start, end):
            continue
        has_vat_lines = session.scalar(
            select(func.count(Line.id))
            .join(Account, Account.id == Line.account_id)
            .join(Ledger, Ledger.id == Account.ledger_id)
            .where(
                Line.ledger_id == ledger.id,
                Line.posted.is_(True),
                Line.date >= start,
                Line.date <= end,
                read_by_returns(Account.code),
            )
        )
        if has_vat_lines:
            missing.append((start, end))
    return missing


@dataclass(frozen=True)
class PeriodStatus:
    start: date
    end: date
    deadline: date
    #: validated, to_do (ended, no return yet), not_ended, or before_books
    status: str
    vat_return: VatReturn | None = None


def period_statuses(session: Session, ledger: Ledger, year: int, today: date) -> list[PeriodStatus]:
    """The periods of a year with their return, if validated, or what is left to do."""
    returns = validated_returns(session, ledger.id)
    start_of_books = returns_start(session, ledger) or books_start(session, ledger.id)
    statuses = []
    for start, end in vat_periods(ledger, year):
        vat_return = covering_return(returns, start, end)
        if vat_return is not None:
            status = "validated"
        elif start_of_books is None or end < start_of_books:
            status = "before_books"
        elif end >= today:
            status = "not_ended"
        else:
            status = "to_do"
        statuses.append(PeriodStatus(start, end, filing_deadline(end), status, vat_return))
    return statuses


def period_of(ledger: Ledger, period_start: date) -> tuple[date, date]:
    """The period that starts on `period_start`, per the ledger's setting. Raises NotFound."""
    for start, end in vat_periods(ledger, period_start.year):
        if start == period_start:
            return start, end
    raise NotFound(_l("This page does not exist."))


def period_from_text(ledger: Ledger, text: str) -> tuple[date, date]:
    """The period named YYYY-MM (a monthly ledger) or YYYY-Qn (a quarterly one).

    Raises ValidationError."""
    text = text.strip().upper()
    year, _, rest = text.partition("-")
    start = None
    if year.isdigit() and len(year) == 4 and 1990 <= int(year) <= 2100:
        if ledger.vat_period == "quarterly" and rest in ("Q1", "Q2", "Q3", "Q4"):
            start = date(int(year), 3 * int(rest[1]) - 2, 1)
        elif ledger.vat_period == "monthly" and rest.isdigit() and 1 <= int(rest) <= 12:
            start = date(int(year), int(rest), 1)
    if start is None:
        example = "2026-Q1" if ledger.vat_period == "quarterly" else "2026-01"
        raise ValidationError(
            _l(
                "The books of %(code)s file %(frequency)s returns: give the period as %(example)s.",
                code=ledger.code,
                frequency=_l("quarterly") if ledger.vat_period == "quarterly" else _l("monthly"),
                example=example,
            )
        )
    return period_of(ledger, start)
