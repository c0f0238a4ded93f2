"""The books line by line: the general ledger of an account and the journal, a page at a
time with the period's totals, and the choices of their pages."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from accounting.models import Account, Entry, Journal, Line
from accounting.reports.periods import (
    RESULT_CLASSES,
    books_start,
    fiscal_year_start,
    opening_entry_ids,
)
from accounting.reports.sums import as_decimal, as_money, money_sum
from gie.errors import NotFound
from gie.money import ZERO
from gie.pagination import page_count


def accounts_in_use(session: Session, ledger_id: int) -> list[tuple[int, str, str]]:
    """(id, code, label) of the ledger's accounts that have posted lines, by code: the
    choices of the general ledger page (one index probe per account)."""
    used = (
        select(Line.id)
        .where(Line.account_id == Account.id, Line.posted.is_(True))
        .limit(1)
        .exists()
    )
    rows = session.execute(
        select(Account.id, Account.code, Account.label)
        .where(Account.ledger_id == ledger_id, used)
        .order_by(Account.code)
    )
    return [tuple(row) for row in rows]


def journal_codes(session: Session, ledger_id: int) -> list[tuple[str, str]]:
    """(code, name) of the ledger's journals."""
    rows = session.execute(
        select(Journal.code, Journal.name)
        .where(Journal.ledger_id == ledger_id)
        .order_by(Journal.code)
    )
    return [tuple(row) for row in rows]


@dataclass
class GeneralLedgerLine:
    line_id: int
    entry_id: int
    date: date
    number: str
    reference: str
    label: str
    partner: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  #: running balance after this line, debit positive


@dataclass
class GeneralLedger:
    account_id: int
    code: str
    label: str
    date_from: date | None
    date_to: date | None
    opening: Decimal  #: balance before `date_from`, debit positive
    period_debit: Decimal
    period_credit: Decimal
    lines: list[GeneralLedgerLine]
    number: int  #: page number
    size: int
    total: int  #: lines in the period, all pages

    @property
    def closing(self) -> Decimal:
        return self.opening + self.period_debit - self.period_credit

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)


def _ledger_account(session: Session, ledger_id: int, account_id: int):
    account = session.execute(
        select(Account.id, Account.code, Account.label, Account.class_number).where(
            Account.id == account_id, Account.ledger_id == ledger_id
        )
    ).first()
    if account is None:
        raise NotFound(_l("This page does not exist."))
    return account


def general_ledger(
    session: Session,
    ledger_id: int,
    account_id: int,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    size: int = 100,
) -> GeneralLedger:
    """One account's posted lines over a period, by date, entry number and line, each with
    the running balance; the opening balance before `date_from` (for result classes 6-8,
    since the start of that fiscal year, as in `trial_balance`), the period's totals and the
    closing balance.

    Two statements read the index (account_id, posted, date): one aggregate gives the
    opening, the period's totals and the line count; the page is cut with LIMIT/OFFSET from
    the lines in (date, number, id) order, which the database reads in index order, sorting
    only within a day, so a page costs the same on a million-line ledger as on a small one.
    The running balance is a SQL window over the page, `SUM(debit - credit) OVER (ORDER BY
    date, number, id)`, started from the opening plus the sum of the earlier pages' lines
    (an aggregate over those lines, only from page 2 on). Raises NotFound when the account
    is not of this ledger.
    """
    account = _ledger_account(session, ledger_id, account_id)
    page, size = max(1, page), max(1, size)
    if date_from is None:
        date_from = books_start(session, ledger_id, date_to or date.max)

    scope = [Line.account_id == account.id, Line.posted.is_(True)]
    if date_to:
        scope.append(Line.date <= date_to)
    if date_from and account.class_number in RESULT_CLASSES:
        year_start = fiscal_year_start(session, ledger_id, date_from)
        if year_start:
            scope.append(Line.date >= year_start)
    carried = None  # the opening entries dated `date_from`: opening, not lines of the period
    if date_from:
        start = books_start(session, ledger_id, date_from)
        if start:
            scope.append(Line.date >= start)
        entry_ids = opening_entry_ids(session, ledger_id, start) if start == date_from else []
        if entry_ids:
            carried = Line.entry_id.in_(entry_ids)
    before = Line.date < date_from if date_from else None
    in_period = Line.date >= date_from if date_from else None
    if carried is not None:
        before = or_(before, carried)
        in_period = and_(in_period, not_(carried))
    summary = session.execute(
        select(
            money_sum(Line.debit - Line.credit, before).label("opening")
            if before is not None
            else literal(0).label("opening"),
            money_sum(Line.debit, in_period).label("debit"),
            money_sum(Line.credit, in_period).label("credit"),
            func.count(case((in_period, 1)) if in_period is not None else Line.id).label("n"),
        ).where(*scope)
    ).one()
    opening = as_decimal(summary.opening) if before is not None else ZERO

    period = [Line.account_id == account.id, Line.posted.is_(True)]
    if date_from:
        period.append(Line.date >= date_from)
    if date_to:
        period.append(Line.date <= date_to)
    if carried is not None:
        period.append(not_(carried))
    ordered = (
        select(
            Line.id,
            Line.entry_id,
            Line.date,
            Entry.number,
            Entry.reference,
            Line.label,
            Line.partner,
            Line.debit,
            Line.credit,
        )
        .join(Entry, Entry.id == Line.entry_id)
        .where(*period)
        .order_by(Line.date, Entry.number, Line.id)
    )
    skipped = (page - 1) * size
    carry = ZERO  # the period's lines on earlier pages
    if skipped:
        earlier = ordered.limit(skipped).subquery()
        carry = as_decimal(
            session.scalar(select(as_money(func.sum(as_money(earlier.c.debit - earlier.c.credit)))))
        )
    shown = ordered.limit(size).offset(skipped).subquery()
    order = (shown.c.date, shown.c.number, shown.c.id)
    running = func.sum(as_money(shown.c.debit - shown.c.credit)).over(
        order_by=order, rows=(None, 0)
    )
    rows = session.execute(select(shown, as_money(running).label("running")).order_by(*order)).all()
    start = opening + carry
    return GeneralLedger(
        account_id=account.id,
        code=account.code,
        label=account.label,
        date_from=date_from,
        date_to=date_to,
        opening=opening,
        period_debit=as_decimal(summary.debit),
        period_credit=as_decimal(summary.credit),
        lines=[
            GeneralLedgerLine(
                line_id=row.id,
                entry_id=row.entry_id,
                date=row.date,
                number=row.number or "",
                reference=row.reference,
                label=row.label,
                partner=row.partner,
                debit=row.debit,
                credit=row.credit,
                balance=start + as_decimal(row.running),
            )
            for row in rows
        ],
        number=page,
        size=size,
        total=summary.n,
    )


@dataclass
class JournalLine:
    account_code: str
    account_label: str
    label: str
    partner: str
    debit: Decimal
    credit: Decimal


@dataclass
class JournalEntry:
    entry_id: int
    number: str
    date: date
    journal_code: str
    reference: str
    label: str
    lines: list[JournalLine] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


@dataclass
class JournalReport:
    journal_code: str | None
    date_from: date | None
    date_to: date | None
    entries: list[JournalEntry]
    total_debit: Decimal  #: over the whole filtered period, all pages
    total_credit: Decimal
    number: int
    size: int
    total: int  #: entries in the period, all pages

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)


def journal_report(
    session: Session,
    ledger_id: int,
    *,
    journal_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    size: int = 50,
) -> JournalReport:
    """Posted entries in date and number order, each with its lines (account, partner,
    debit, credit), a page of `size` entries at a time (an entry is never cut across pages),
    and the period's totals. An unknown journal code gives an empty report."""
    page, size = max(1, page), max(1, size)
    entry_filter = [Entry.ledger_id == ledger_id, Entry.state == "posted"]
    line_filter = [Line.ledger_id == ledger_id, Line.posted.is_(True)]
    if journal_code:
        journal_id = select(Journal.id).where(
            Journal.ledger_id == ledger_id, Journal.code == journal_code
        )
        entry_filter.append(Entry.journal_id.in_(journal_id))
        line_filter.append(
            Line.entry_id.in_(select(Entry.id).where(Entry.journal_id.in_(journal_id)))
        )
    if date_from:
        entry_filter.append(Entry.date >= date_from)
        line_filter.append(Line.date >= date_from)
    if date_to:
        entry_filter.append(Entry.date <= date_to)
        line_filter.append(Line.date <= date_to)

    total = session.scalar(select(func.count(Entry.id)).where(*entry_filter))
    sums = session.execute(
        select(money_sum(Line.debit).label("debit"), money_sum(Line.credit).label("credit")).where(
            *line_filter
        )
    ).one()
    heads = session.execute(
        select(Entry.id, Entry.number, Entry.date, Entry.reference, Entry.label, Journal.code)
        .join(Journal, Journal.id == Entry.journal_id)
        .where(*entry_filter)
        .order_by(Entry.date, Entry.number, Entry.id)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    entries = {
        head.id: JournalEntry(
            head.id, head.number or "", head.date, head.code, head.reference, head.label
        )
        for head in heads
    }
    if entries:
        lines = session.execute(
            select(
                Line.entry_id,
                Account.code,
                Account.label.label("account_label"),
                Line.label,
                Line.partner,
                Line.debit,
                Line.credit,
            )
            .join(Account, Account.id == Line.account_id)
            .where(Line.entry_id.in_(list(entries)))
            .order_by(Line.entry_id, Line.position, Line.id)
        )
        for line in lines:
            entries[line.entry_id].lines.append(
                JournalLine(
                    line.code,
                    line.account_label,
                    line.label,
                    line.partner,
                    line.debit,
                    line.credit,
                )
            )
    return JournalReport(
        journal_code=journal_code or None,
        date_from=date_from,
        date_to=date_to,
        entries=list(entries.values()),
        total_debit=as_decimal(sums.debit),
        total_credit=as_decimal(sums.credit),
        number=page,
        size=size,
        total=total,
    )
