"""The lists of the working pages: entries searched and paginated, the chart of accounts,
fiscal years, drafts, the books still to open."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from accounting.models import GIE_LEDGER_CODE, Account, Entry, FiscalYear, Journal, Ledger, Line
from gie.cooperatives.models import Cooperative
from gie.pagination import Page, paginate


@dataclass
class EntryFilters:
    text: str = ""
    account: str = ""  #: an account code, or its beginning (34 finds 3421 and 34211)
    amount: Decimal | None = None
    date_from: date | None = None
    date_to: date | None = None
    journal: str = ""
    state: str = ""


def search_entries(
    session: Session,
    ledger_id: int,
    filters: EntryFilters,
    *,
    page: int = 1,
    size: int = 50,
    conditions: Sequence[ColumnElement[bool]] = (),
) -> Page:
    """Entries of a ledger, newest first, filtered by text (label, reference, number, the
    `entry` value of the imported file),
    account, amount (any line's debit or credit), dates, journal and state, and by
    `conditions` on Entry that packages above accounting supply (financial_close's "no supporting
    document"), so that such filters run in the query and the pages stay right."""
    stmt = select(Entry).where(Entry.ledger_id == ledger_id, *conditions)
    if filters.text:
        pattern = f"%{filters.text.strip()}%"
        stmt = stmt.where(
            or_(
                Entry.label.ilike(pattern),
                Entry.reference.ilike(pattern),
                Entry.number.ilike(pattern),
                Entry.source_ref.ilike(pattern),
            )
        )
    line_conditions = []
    if filters.account:
        line_conditions.append(
            Line.account_id.in_(
                select(Account.id).where(
                    Account.ledger_id == ledger_id, Account.code.startswith(filters.account.strip())
                )
            )
        )
    if filters.amount is not None:
        line_conditions.append(or_(Line.debit == filters.amount, Line.credit == filters.amount))
    if line_conditions:
        stmt = stmt.where(Entry.id.in_(select(Line.entry_id).where(*line_conditions)))
    if filters.date_from:
        stmt = stmt.where(Entry.date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Entry.date <= filters.date_to)
    if filters.journal:
        stmt = stmt.where(
            Entry.journal_id.in_(
                select(Journal.id).where(
                    Journal.ledger_id == ledger_id, Journal.code == filters.journal
                )
            )
        )
    if filters.state in ("draft", "posted"):
        stmt = stmt.where(Entry.state == filters.state)
    return paginate(
        session,
        stmt.options(selectinload(Entry.lines), selectinload(Entry.journal)),
        (Entry.date.desc(), Entry.id.desc()),
        page=page,
        size=size,
    )


def drafts_count(session: Session, ledger_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Entry)
        .where(Entry.ledger_id == ledger_id, Entry.state == "draft")
    )


def ledger_accounts(
    session: Session, ledger_id: int, *, active_only: bool = False
) -> list[Account]:
    stmt = select(Account).where(Account.ledger_id == ledger_id).order_by(Account.code)
    if active_only:
        stmt = stmt.where(Account.active.is_(True))
    return list(session.scalars(stmt))


def used_account_ids(session: Session, ledger_id: int) -> set[int]:
    return set(
        session.scalars(select(Line.account_id).where(Line.ledger_id == ledger_id).distinct())
    )


def codes_without_books(session: Session) -> list[tuple[str, str]]:
    """(code, "CODE Name") of the GIE and each cooperative whose books are not open yet."""
    opened = set(session.scalars(select(Ledger.code)))
    rows = session.execute(select(Cooperative.code, Cooperative.name).order_by(Cooperative.code))
    choices = [] if GIE_LEDGER_CODE in opened else [(GIE_LEDGER_CODE, "GIE")]
    return choices + [(code, f"{code} {name}") for code, name in rows if code not in opened]


def fiscal_years(session: Session, ledger_id: int) -> list[FiscalYear]:
    return list(
        session.scalars(
            select(FiscalYear)
            .where(FiscalYear.ledger_id == ledger_id)
            .order_by(FiscalYear.start_on)
        )
    )


def reversal_of(session: Session, entry_id: int) -> Entry | None:
    """The posted entry that reverses this one, if any."""
    return session.scalar(
        select(Entry).where(Entry.reversal_of_id == entry_id, Entry.state == "posted")
    )
