"""Read side of the books: every figure is a SQL aggregate over posted lines, read through
the covering index (ledger_id, posted, date, account_id, debit, credit)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, func, literal, not_, or_, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from accounting import matching
from accounting.models import GIE_LEDGER_CODE, Account, Entry, FiscalYear, Journal, Ledger, Line
from gie.cooperatives.models import Cooperative
from gie.errors import NotFound
from gie.money import ZERO, Money
from gie.pagination import Page, page_count, paginate

#: classes whose balance restarts every fiscal year (charges, produits, résultats)
RESULT_CLASSES = (6, 7, 8)


@dataclass
class TrialBalanceRow:
    account_id: int
    code: str
    label: str
    class_number: int
    kind: str
    opening_debit: Decimal = ZERO
    opening_credit: Decimal = ZERO
    period_debit: Decimal = ZERO
    period_credit: Decimal = ZERO
    closing_debit: Decimal = ZERO
    closing_credit: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        """Closing balance, debit positive."""
        return self.closing_debit - self.closing_credit


@dataclass
class TrialBalance:
    date_from: date | None
    date_to: date | None
    rows: list[TrialBalanceRow] = field(default_factory=list)
    totals: TrialBalanceRow = field(default_factory=lambda: TrialBalanceRow(0, "", "", 0, ""))


AMOUNTS = (
    "opening_debit",
    "opening_credit",
    "period_debit",
    "period_credit",
    "closing_debit",
    "closing_credit",
)


def _split(amount: Decimal) -> tuple[Decimal, Decimal]:
    return (amount, ZERO) if amount >= 0 else (ZERO, -amount)


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


def _carried_by_account(
    session: Session, ledger_id: int, on: date
) -> dict[int, tuple[Decimal, Decimal]]:
    """Debit and credit per account of the opening entries dated `on`."""
    entry_ids = opening_entry_ids(session, ledger_id, on)
    if not entry_ids:
        return {}
    rows = session.execute(
        select(Line.account_id, func.sum(Line.debit), func.sum(Line.credit))
        .where(*_posted_lines(ledger_id, on, on, end_inclusive=True), Line.entry_id.in_(entry_ids))
        .group_by(Line.account_id)
    )
    return {account_id: (debit, credit) for account_id, debit, credit in rows}


def _posted_lines(ledger_id: int, start: date | None, end: date | None, *, end_inclusive: bool):
    conditions = [Line.ledger_id == ledger_id, Line.posted.is_(True)]
    if start:
        conditions.append(Line.date >= start)
    if end:
        conditions.append(Line.date <= end if end_inclusive else Line.date < end)
    return conditions


def _debit_credit_by_account(
    session: Session, ledger_id: int, start: date | None, end: date | None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Debit and credit per account of the posted lines dated start..end (both included)."""
    rows = session.execute(
        select(Line.account_id, func.sum(Line.debit), func.sum(Line.credit))
        .where(*_posted_lines(ledger_id, start, end, end_inclusive=True))
        .group_by(Line.account_id)
    )
    return {account_id: (debit, credit) for account_id, debit, credit in rows}


def _net_by_account(
    session: Session, ledger_id: int, start: date | None, end: date
) -> dict[int, Decimal]:
    """Debit minus credit per account of the posted lines dated from `start` to before `end`."""
    rows = session.execute(
        select(Line.account_id, func.sum(Line.debit), func.sum(Line.credit))
        .where(*_posted_lines(ledger_id, start, end, end_inclusive=False))
        .group_by(Line.account_id)
    )
    return {account_id: debit - credit for account_id, debit, credit in rows}


def trial_balance(
    session: Session, ledger_id: int, *, date_from: date | None = None, date_to: date | None = None
) -> TrialBalance:
    """Per account with any movement: opening balance (before `date_from`, from the last
    closing's opening entry on, see `books_start`; result classes only since the start of
    that fiscal year), period debit and credit, closing balance. The opening entries dated
    `date_from` count in the opening, not in the period."""
    if date_from is None:
        # The whole history reads from the last closing on: its opening entry carries the rest.
        date_from = books_start(session, ledger_id, date_to or date.max)
    year_start = fiscal_year_start(session, ledger_id, date_from) if date_from else None
    # Plain range sums over the covering index: a CASE per column costs more than a scan.
    period = _debit_credit_by_account(session, ledger_id, date_from, date_to)
    before: dict[int, Decimal] = {}
    if date_from:
        start = books_start(session, ledger_id, date_from)
        before = _net_by_account(session, ledger_id, start, date_from)
        if start == date_from and (date_to is None or date_to >= date_from):
            for account_id, (debit, credit) in _carried_by_account(
                session, ledger_id, start
            ).items():
                before[account_id] = before.get(account_id, ZERO) + debit - credit
                period_debit, period_credit = period[account_id]
                period[account_id] = (period_debit - debit, period_credit - credit)
    in_year = before
    if year_start:
        in_year = (
            _net_by_account(session, ledger_id, year_start, date_from)
            if year_start < date_from
            else {}
        )
    account_ids = set(period) | {key for key, value in before.items() if value}
    rows = session.execute(
        select(Account.id, Account.code, Account.label, Account.class_number, Account.kind).where(
            Account.ledger_id == ledger_id, Account.id.in_(account_ids)
        )
    ).all()

    result = TrialBalance(date_from, date_to)
    openings: dict[int, Decimal] = {}
    periods: dict[int, tuple[Decimal, Decimal]] = {}
    accounts: dict[int, tuple] = {}
    unclosed_result = ZERO  # earlier years' charges and produits not yet closed into class 1
    for row in rows:
        opening = before.get(row.id, ZERO)
        if row.class_number in RESULT_CLASSES:
            this_year = in_year.get(row.id, ZERO)
            unclosed_result += opening - this_year
            opening = this_year
        openings[row.id] = opening
        periods[row.id] = period.get(row.id, (ZERO, ZERO))
        accounts[row.id] = (row.code, row.label, row.class_number, row.kind)
    if unclosed_result:
        # Shown as results pending allocation (1181 credit / 1189 debit) so the opening
        # balances balance before the year-end closing has been posted.
        pending = session.execute(
            select(
                Account.id, Account.code, Account.label, Account.class_number, Account.kind
            ).where(
                Account.ledger_id == ledger_id,
                Account.code == ("1189" if unclosed_result > 0 else "1181"),
            )
        ).one()
        openings[pending.id] = openings.get(pending.id, ZERO) + unclosed_result
        periods.setdefault(pending.id, (ZERO, ZERO))
        accounts[pending.id] = (pending.code, pending.label, pending.class_number, pending.kind)

    totals = result.totals
    for account_id in sorted(accounts, key=lambda key: accounts[key][0]):
        opening = openings[account_id]
        period_debit, period_credit = periods[account_id]
        if not opening and not period_debit and not period_credit:
            continue
        line = TrialBalanceRow(
            account_id,
            *accounts[account_id],
            *_split(opening),
            period_debit,
            period_credit,
            *_split(opening + period_debit - period_credit),
        )
        result.rows.append(line)
        for name in AMOUNTS:
            setattr(totals, name, getattr(totals, name) + getattr(line, name))
    return result


# --- shared helpers --------------------------------------------------------------------------


def _money(expression):
    """Integer-centime arithmetic keeps its meaning: `debit - credit` is Money, not BigInteger."""
    return type_coerce(expression, Money)


def _sum(expression, condition=None):
    """SUM of a Money expression (optionally only where `condition`), 0 when no row."""
    value = _money(expression)
    if condition is not None:
        value = case((condition, value), else_=0)
    return _money(func.coalesce(func.sum(_money(value)), 0))


def _dec(value) -> Decimal:
    """A Money aggregate as read back: Decimal, 0.00 for NULL."""
    return ZERO if value is None else Decimal(value)


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


# --- general ledger ------------------------------------------------------------------------


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
            _sum(Line.debit - Line.credit, before).label("opening")
            if before is not None
            else literal(0).label("opening"),
            _sum(Line.debit, in_period).label("debit"),
            _sum(Line.credit, in_period).label("credit"),
            func.count(case((in_period, 1)) if in_period is not None else Line.id).label("n"),
        ).where(*scope)
    ).one()
    opening = _dec(summary.opening) if before is not None else ZERO

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
        carry = _dec(
            session.scalar(select(_money(func.sum(_money(earlier.c.debit - earlier.c.credit)))))
        )
    shown = ordered.limit(size).offset(skipped).subquery()
    order = (shown.c.date, shown.c.number, shown.c.id)
    running = func.sum(_money(shown.c.debit - shown.c.credit)).over(order_by=order, rows=(None, 0))
    rows = session.execute(select(shown, _money(running).label("running")).order_by(*order)).all()
    start = opening + carry
    return GeneralLedger(
        account_id=account.id,
        code=account.code,
        label=account.label,
        date_from=date_from,
        date_to=date_to,
        opening=opening,
        period_debit=_dec(summary.debit),
        period_credit=_dec(summary.credit),
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
                balance=start + _dec(row.running),
            )
            for row in rows
        ],
        number=page,
        size=size,
        total=summary.n,
    )


# --- journal -------------------------------------------------------------------------------


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
        select(_sum(Line.debit).label("debit"), _sum(Line.credit).label("credit")).where(
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
        total_debit=_dec(sums.debit),
        total_credit=_dec(sums.credit),
        number=page,
        size=size,
        total=total,
    )


def _prefix_sums(session: Session, ledger_id: int, columns: dict, where: list) -> dict:
    """{3-digit account prefix: {name: Decimal}} for the given SUM columns.

    Two levels in one statement: posted lines summed per account through the covering index
    (ledger_id, posted, date, account_id, debit, credit), then those few rows summed per
    3-digit code prefix (the CGNC poste)."""
    per_account = (
        select(Line.account_id, *(column.label(name) for name, column in columns.items()))
        .where(Line.ledger_id == ledger_id, Line.posted.is_(True), *where)
        .group_by(Line.account_id)
        .subquery()
    )
    coded = (
        select(
            func.substr(Account.code, 1, 3).label("prefix"),
            *(per_account.c[name] for name in columns),
        )
        .join(per_account, per_account.c.account_id == Account.id)
        .subquery()
    )
    # Grouping by a subquery's column, not by the substr() expression: PostgreSQL cannot
    # match an expression with bound parameters between SELECT and GROUP BY.
    rows = session.execute(
        select(
            coded.c.prefix, *(_money(func.sum(coded.c[name])).label(name) for name in columns)
        ).group_by(coded.c.prefix)
    ).all()
    return {row.prefix: {name: _dec(getattr(row, name)) for name in columns} for row in rows}


# --- income statement (CPC) ----------------------------------------------------------------


@dataclass
class StatementRow:
    """A row of the CPC: `key` is stable (roman numeral of a total, or the CGNC poste of a
    line, e.g. "712") so code and tests never depend on the translated label."""

    key: str
    ref: str  #: shown before the label: "I", "711", "613/614"; empty on "Total" rows
    label: str
    level: str  #: "heading", "line", "total" or "result"
    current: Decimal | None = None
    previous: Decimal | None = None


@dataclass
class IncomeStatement:
    date_from: date
    date_to: date
    previous_from: date
    previous_to: date
    rows: list[StatementRow]

    def row(self, key: str) -> StatementRow:
        return next(row for row in self.rows if row.key == key)

    @property
    def net_result(self) -> Decimal:
        return self.row("XIII").current


#: CPC sections of detail lines: (section, heading, total label, sign, [(poste, label)]).
#: sign +1 reads credit minus debit (produits), -1 debit minus credit (charges).
CPC_SECTIONS = (
    (
        "I",
        _l("Operating income"),
        _l("Total I"),
        1,
        (
            ("711", _l("Sales of goods for resale")),
            ("712", _l("Sales of goods and services produced")),
            ("713", _l("Change in inventories of products")),
            ("714", _l("Fixed assets produced by the entity for itself")),
            ("716", _l("Operating subsidies")),
            ("718", _l("Other operating income")),
            ("719", _l("Operating write-backs and expense transfers")),
        ),
    ),
    (
        "II",
        _l("Operating expenses"),
        _l("Total II"),
        -1,
        (
            ("611", _l("Cost of goods sold")),
            ("612", _l("Materials and supplies consumed")),
            ("613", _l("Other external expenses")),
            ("616", _l("Taxes and duties")),
            ("617", _l("Staff costs")),
            ("618", _l("Other operating expenses")),
            ("619", _l("Operating depreciation and provisions")),
        ),
    ),
    (
        "IV",
        _l("Financial income"),
        _l("Total IV"),
        1,
        (
            ("732", _l("Income from investments and other long-term securities")),
            ("733", _l("Foreign exchange gains")),
            ("738", _l("Interest and other financial income")),
            ("739", _l("Financial write-backs and expense transfers")),
        ),
    ),
    (
        "V",
        _l("Financial expenses"),
        _l("Total V"),
        -1,
        (
            ("631", _l("Interest expenses")),
            ("633", _l("Foreign exchange losses")),
            ("638", _l("Other financial expenses")),
            ("639", _l("Financial depreciation and provisions")),
        ),
    ),
    (
        "VIII",
        _l("Non-current income"),
        _l("Total VIII"),
        1,
        (
            ("751", _l("Proceeds from disposals of fixed assets")),
            ("756", _l("Balancing subsidies received")),
            ("757", _l("Investment subsidies released to income")),
            ("758", _l("Other non-current income")),
            ("759", _l("Non-current write-backs and expense transfers")),
        ),
    ),
    (
        "IX",
        _l("Non-current expenses"),
        _l("Total IX"),
        -1,
        (
            ("651", _l("Net book value of fixed assets disposed of")),
            ("656", _l("Subsidies granted")),
            ("658", _l("Other non-current expenses")),
            ("659", _l("Non-current depreciation and provisions")),
        ),
    ),
)

#: postes that share a CPC line, and where a poste the layout does not name goes, so that
#: every class 6 and 7 account lands on exactly one line and XIII is the books' result.
CPC_ALIASES = {"614": "613"}
CPC_REFS = {"613": "613/614"}
CPC_FALLBACK_BY_RUBRIC = {
    "71": "718",
    "61": "618",
    "73": "738",
    "63": "638",
    "75": "758",
    "65": "658",
    "67": "67",
}
CPC_FALLBACK_BY_CLASS = {"7": "758", "6": "658"}


def _cpc_line(prefix: str, known: set[str]) -> str:
    prefix = CPC_ALIASES.get(prefix, prefix)
    if prefix in known:
        return prefix
    return CPC_FALLBACK_BY_RUBRIC.get(prefix[:2]) or CPC_FALLBACK_BY_CLASS[prefix[0]]


def income_statement(
    session: Session, ledger_id: int, *, date_from: date, date_to: date
) -> IncomeStatement:
    """The CPC (compte de produits et charges) in the CGNC layout, for the period and for the
    same dates one year earlier (N-1): I-II operating, III operating result, IV-V financial,
    VI financial result, VII current result, VIII-IX non-current, X non-current result, XI
    result before tax, XII income tax (67), XIII net result; then XIV total income, XV total
    expenses and XVI net result (= XIII).

    Produits read credit minus debit, charges debit minus credit. One SQL aggregate per
    3-digit poste of classes 6 and 7 for both periods, then arranged here. Postes the layout
    does not name go to the "other" line of their rubric (e.g. 715 with 718), so the net
    result always equals the books' class 6-7 balance.
    """
    previous_from = date_from - relativedelta(years=1)
    previous_to = date_to - relativedelta(years=1)
    current = and_(Line.date >= date_from, Line.date <= date_to)
    previous = and_(Line.date >= previous_from, Line.date <= previous_to)
    sums = _prefix_sums(
        session,
        ledger_id,
        {
            "current": _sum(Line.credit - Line.debit, current),
            "previous": _sum(Line.credit - Line.debit, previous),
        },
        [
            or_(current, previous),
            Line.account_id.in_(
                select(Account.id).where(
                    Account.ledger_id == ledger_id, Account.class_number.in_((6, 7))
                )
            ),
        ],
    )
    known = {code for section in CPC_SECTIONS for code, _label in section[4]} | {"67"}
    lines: dict[str, list[Decimal]] = {code: [ZERO, ZERO] for code in known}
    for prefix, amounts in sums.items():
        target = lines[_cpc_line(prefix, known)]
        target[0] += amounts["current"]
        target[1] += amounts["previous"]

    rows: list[StatementRow] = []
    totals: dict[str, tuple[Decimal, Decimal]] = {}

    def add(key, ref, label, level, amounts=None):
        current, previous = amounts if amounts else (None, None)
        rows.append(StatementRow(key, ref, label, level, current, previous))
        if amounts:
            totals[key] = amounts

    def combine(*terms):
        """Sum of (sign, key) terms of earlier totals, for both columns."""
        return tuple(
            sum((sign * totals[key][column] for sign, key in terms), ZERO) for column in (0, 1)
        )

    def section(number):
        key, heading, total_label, sign, postes = next(s for s in CPC_SECTIONS if s[0] == number)
        add(f"{key}.", key, heading, "heading")
        for code, label in postes:
            amounts = tuple(amount if sign > 0 else -amount for amount in lines[code])
            add(code, CPC_REFS.get(code, code), label, "line", amounts)
        add(key, "", total_label, "total", combine(*((1, code) for code, _label in postes)))

    def result(key, label, *terms, level="result"):
        add(key, key, label, level, combine(*terms))

    def plus(*keys):
        return [(1, key) for key in keys]

    section("I")
    section("II")
    result("III", _l("Operating result (I - II)"), (1, "I"), (-1, "II"))
    section("IV")
    section("V")
    result("VI", _l("Financial result (IV - V)"), (1, "IV"), (-1, "V"))
    result("VII", _l("Current result (III + VI)"), (1, "III"), (1, "VI"))
    section("VIII")
    section("IX")
    result("X", _l("Non-current result (VIII - IX)"), (1, "VIII"), (-1, "IX"))
    result("XI", _l("Result before tax (VII + X)"), (1, "VII"), (1, "X"))
    add("XII", "XII", _l("Income tax"), "total", tuple(-amount for amount in lines["67"]))
    result("XIII", _l("Net result (XI - XII)"), (1, "XI"), (-1, "XII"))
    result("XIV", _l("Total income (I + IV + VIII)"), *plus("I", "IV", "VIII"), level="total")
    result(
        "XV",
        _l("Total expenses (II + V + IX + XII)"),
        *plus("II", "V", "IX", "XII"),
        level="total",
    )
    result("XVI", _l("Net result (XIV - XV)"), (1, "XIV"), (-1, "XV"))
    return IncomeStatement(date_from, date_to, previous_from, previous_to, rows)


# --- balance sheet (bilan) -----------------------------------------------------------------


@dataclass
class BalanceSheetRow:
    """A row of the bilan. `key` is stable (the CGNC rubric of a line, e.g. "23", or a
    section code such as "AI" for its total); assets carry gross, less (amortissements and
    provisions) and net, liabilities only net."""

    key: str
    ref: str
    label: str
    level: str  #: "heading", "line", "total" or "grand_total"
    gross: Decimal | None = None
    less: Decimal | None = None
    net: Decimal | None = None


@dataclass
class BalanceSheet:
    on: date
    assets: list[BalanceSheetRow]
    liabilities: list[BalanceSheetRow]
    year_result: Decimal  #: classes 6-8 since the start of the fiscal year, credit positive
    pending_result: Decimal  #: classes 6-8 of earlier years not closed into class 1

    def row(self, key: str) -> BalanceSheetRow:
        return next(row for row in self.assets + self.liabilities if row.key == key)

    @property
    def total_assets(self) -> Decimal:
        return self.row("ASSETS").net

    @property
    def total_liabilities(self) -> Decimal:
        return self.row("LIABILITIES").net


#: (section key, heading, total label, [(line key, ref, label, gross prefixes, contra
#: prefixes)]). A line whose key is a single digit (or "11") gathers the rubrics of its
#: class the layout does not name and is shown only when not zero.
ASSET_SECTIONS = (
    (
        "AI",
        _l("Fixed assets"),
        _l("Total I"),
        (
            ("21", "21", _l("Preliminary and deferred expenses"), ("21",), ("281", "291")),
            ("22", "22", _l("Intangible assets"), ("22",), ("282", "292")),
            ("23", "23", _l("Tangible assets"), ("23",), ("283", "293")),
            ("24", "24/25", _l("Financial assets"), ("24", "25"), ("284", "285", "294", "295")),
            ("27", "27", _l("Unrealised exchange losses"), ("27",), ()),
            ("2", "2", _l("Other fixed assets"), ("2",), ("28", "29")),
        ),
    ),
    (
        "AC",
        _l("Current assets (excluding cash)"),
        _l("Total II"),
        (
            ("31", "31", _l("Inventories"), ("31",), ("391",)),
            ("34", "34", _l("Receivables"), ("34",), ("394",)),
            ("35", "35", _l("Marketable securities"), ("35",), ("395",)),
            ("37", "37", _l("Unrealised exchange losses (current items)"), ("37",), ()),
            ("3", "3", _l("Other current assets"), ("3",), ("39",)),
        ),
    ),
    (
        "TA",
        _l("Cash (assets)"),
        _l("Total III"),
        (
            ("51", "51", _l("Cheques, banks and cash"), ("51",), ("59",)),
            ("5", "5", _l("Other cash items"), ("5",), ()),
        ),
    ),
)
EQUITY_LINES = (
    ("111", "111", _l("Share capital")),
    ("112", "112", _l("Share premiums")),
    ("113", "113", _l("Revaluation surplus")),
    ("114", "114", _l("Legal reserve")),
    ("115", "115", _l("Other reserves")),
    ("116", "116", _l("Retained earnings")),
    ("118", "118", _l("Net results pending allocation")),
    ("119", "119", _l("Net result for the year")),
    ("11", "11", _l("Other equity")),
)
LIABILITY_SECTIONS = (
    (
        "FP",
        _l("Permanent financing"),
        _l("Total I"),
        (
            ("13", "13", _l("Quasi-equity")),
            ("14", "14", _l("Long-term debts")),
            ("15", "15", _l("Long-term provisions for risks and charges")),
            ("17", "17", _l("Unrealised exchange gains")),
            ("1", "1", _l("Other permanent financing")),
        ),
    ),
    (
        "PC",
        _l("Current liabilities (excluding cash)"),
        _l("Total II"),
        (
            ("44", "44", _l("Current debts")),
            ("45", "45", _l("Other provisions for risks and charges")),
            ("47", "47", _l("Unrealised exchange gains (current items)")),
            ("4", "4", _l("Other current liabilities")),
        ),
    ),
    (
        "TP",
        _l("Cash (liabilities)"),
        _l("Total III"),
        (("55", "55", _l("Bank overdrafts and short-term credit")),),
    ),
)
#: lines kept even when zero would be noise: the catch-all ones
BALANCE_CATCH_ALL = {"2", "3", "5", "11", "1", "4"}


def _balance_targets() -> dict[str, tuple[str, str]]:
    """{code prefix: (line key, "gross" | "less" | "net")}; the longest prefix wins."""
    targets: dict[str, tuple[str, str]] = {}
    for _key, _heading, _total, lines in ASSET_SECTIONS:
        for key, _ref, _label, gross, contra in lines:
            targets.update({prefix: (key, "gross") for prefix in gross})
            targets.update({prefix: (key, "less") for prefix in contra})
    targets.update({key: (key, "net") for key, _ref, _label in EQUITY_LINES})
    for _key, _heading, _total, lines in LIABILITY_SECTIONS:
        targets.update({key: (key, "net") for key, _ref, _label in lines})
    return targets


def _balance_target(prefix: str, targets: dict) -> tuple[str, str] | None:
    for length in range(len(prefix), 0, -1):
        if prefix[:length] in targets:
            return targets[prefix[:length]]
    return None


def balance_sheet(session: Session, ledger_id: int, *, on: date) -> BalanceSheet:
    """The bilan on a date, in the CGNC layout.

    ACTIF (debit minus credit): I actif immobilisé (21, 22, 23, 24-25, 27: gross, less the
    matching 28x/29x amortissements and provisions, net), II actif circulant (31, 34, 35, 37,
    less 39x), III trésorerie-actif (51, less 59). PASSIF (credit minus debit): I financement
    permanent (capitaux propres 111-119, then 13, 14, 15, 17), II passif circulant (44, 45,
    47), III trésorerie-passif (55).

    The result not yet closed into class 1 is computed from classes 6-8: the current fiscal
    year's (the last year starting on or before `on`) is added to "résultat net de
    l'exercice" (119), earlier years' to "résultats nets en instance d'affectation" (118), as
    `trial_balance` does. So total actif equals total passif for any balanced books (classes
    0 and 9, off-balance-sheet and cost accounting, are not part of the bilan).

    Accounts stay where their code puts them whatever the sign of their balance: a customer
    342x in credit lowers the receivables, a bank 514x in overdraft shows as negative
    trésorerie-actif, rather than being moved to the other side. One SQL aggregate per
    3-digit poste, then arranged here.
    """
    year_start = session.scalar(
        select(func.max(FiscalYear.start_on)).where(
            FiscalYear.ledger_id == ledger_id, FiscalYear.start_on <= on
        )
    )
    columns = {"balance": _sum(Line.debit - Line.credit)}
    if year_start:
        columns["before"] = _sum(Line.debit - Line.credit, Line.date < year_start)
    period = [Line.date <= on]
    start = books_start(session, ledger_id, on)
    if start:
        # the last closing's opening entry carries every balance before it
        period.append(Line.date >= start)
    sums = _prefix_sums(session, ledger_id, columns, period)

    targets = _balance_targets()
    amounts: dict[tuple[str, str], Decimal] = {}
    year_result = pending_result = ZERO
    for prefix, values in sums.items():
        balance, before = values["balance"], values.get("before", ZERO)
        if prefix[0] in "678":
            year_result -= balance - before
            pending_result -= before
            continue
        target = _balance_target(prefix, targets)
        if target is None:  # classes 0 and 9
            continue
        key, column = target
        sign = 1 if column == "gross" else -1  # contra and liability accounts read credit
        amounts[target] = amounts.get(target, ZERO) + sign * balance
    amounts[("118", "net")] = amounts.get(("118", "net"), ZERO) + pending_result
    amounts[("119", "net")] = amounts.get(("119", "net"), ZERO) + year_result

    def amount(key, column):
        return amounts.get((key, column), ZERO)

    assets: list[BalanceSheetRow] = []
    grand = [ZERO, ZERO, ZERO]
    for section, heading, total_label, lines in ASSET_SECTIONS:
        assets.append(BalanceSheetRow(f"{section}.", "", heading, "heading"))
        subtotal = [ZERO, ZERO, ZERO]
        for key, ref, label, _gross, _contra in lines:
            gross, less = amount(key, "gross"), amount(key, "less")
            if key in BALANCE_CATCH_ALL and not gross and not less:
                continue
            assets.append(BalanceSheetRow(key, ref, label, "line", gross, less, gross - less))
            subtotal = [subtotal[0] + gross, subtotal[1] + less, subtotal[2] + gross - less]
        assets.append(BalanceSheetRow(section, "", total_label, "total", *subtotal))
        grand = [a + b for a, b in zip(grand, subtotal, strict=True)]
    assets.append(BalanceSheetRow("ASSETS", "", _l("Total assets"), "grand_total", *grand))

    liabilities: list[BalanceSheetRow] = []
    grand_net = ZERO
    for section, heading, total_label, lines in LIABILITY_SECTIONS:
        liabilities.append(BalanceSheetRow(f"{section}.", "", heading, "heading"))
        subtotal = ZERO
        if section == "FP":
            liabilities.append(BalanceSheetRow("CP.", "", _l("Equity"), "heading"))
            equity = ZERO
            for key, ref, label in EQUITY_LINES:
                net = amount(key, "net")
                if key in BALANCE_CATCH_ALL and not net:
                    continue
                liabilities.append(BalanceSheetRow(key, ref, label, "line", net=net))
                equity += net
            liabilities.append(BalanceSheetRow("CP", "", _l("Total equity"), "total", net=equity))
            subtotal += equity
        for key, ref, label in lines:
            net = amount(key, "net")
            if key in BALANCE_CATCH_ALL and not net:
                continue
            liabilities.append(BalanceSheetRow(key, ref, label, "line", net=net))
            subtotal += net
        liabilities.append(BalanceSheetRow(section, "", total_label, "total", net=subtotal))
        grand_net += subtotal
    liabilities.append(
        BalanceSheetRow("LIABILITIES", "", _l("Total liabilities"), "grand_total", net=grand_net)
    )
    return BalanceSheet(on, assets, liabilities, year_result, pending_result)


# --- aged balance --------------------------------------------------------------------------

#: account code prefixes of each side's partner accounts
AGED_SIDES = {"customers": "342", "suppliers": "441"}
#: the buckets' upper bounds in days, the last one open
AGED_BUCKETS = (30, 60, 90)
BUCKET_LABELS = (_l("0-30 days"), _l("31-60 days"), _l("61-90 days"), _l("Over 90 days"))


@dataclass
class AgedRow:
    partner: str
    name: str  #: the cooperative's name when the partner is a cooperative code
    buckets: list[Decimal]  #: 0-30, 31-60, 61-90, over 90 days

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


@dataclass
class AgedBalance:
    on: date
    side: str
    rows: list[AgedRow]
    totals: AgedRow


def _age_limits(on: date) -> list[date]:
    """The oldest date of each age bucket before `on`, but the last (over 90 days)."""
    return [on - relativedelta(days=days) for days in AGED_BUCKETS]


def _age_bucket(line_date: date, limits: list[date]) -> int:
    """0-30, 31-60, 61-90 or over 90 days before `on` (its `_age_limits`): 0, 1, 2 or 3."""
    for index, limit in enumerate(limits):
        if line_date >= limit:
            return index
    return len(limits)


def aged_balance(
    session: Session, ledger_id: int, *, on: date, side: str = "customers"
) -> AgedBalance:
    """Per partner (Line.partner) of the customer accounts (342x) or the supplier accounts
    (441x): what is open on `on`, split by the age of each line (0-30, 31-60, 61-90, over 90
    days before `on`).

    What is open is read from the matching (lettrage): each posted line counts for what is
    not matched of it as of `on`, in the bucket of its own date. A payment not matched
    (a credit of a customer, a debit of a supplier) counts negative in the bucket of its
    date: a credit not allocated yet. The opening entries that closing a year posts are
    left out: their lines carry forward balances whose lines are already counted. One query
    reads the open lines. Amounts are what the customer owes us, or what we owe the
    supplier; partners with nothing open are left out.
    """
    if side not in AGED_SIDES:
        raise ValueError(side)
    opening_entries = select(FiscalYear.opening_entry_id).where(
        FiscalYear.ledger_id == ledger_id, FiscalYear.opening_entry_id.is_not(None)
    )
    sign = 1 if side == "customers" else -1
    limits = _age_limits(on)
    figures: dict[str, list[Decimal]] = {}
    for item in matching.open_items(
        session,
        ledger_id,
        account_prefix=AGED_SIDES[side],
        as_of=on,
        exclude_entry_ids=opening_entries,
    ):
        buckets = figures.setdefault(item.partner, [ZERO] * (len(AGED_BUCKETS) + 1))
        buckets[_age_bucket(item.date, limits)] += sign * item.open_amount

    names = (
        dict(
            session.execute(
                select(Cooperative.code, Cooperative.name).where(
                    Cooperative.code.in_(list(figures))
                )
            ).all()
        )
        if figures
        else {}
    )
    result = AgedBalance(on, side, [], AgedRow("", "", [ZERO] * 4))
    for partner in sorted(figures):
        buckets = figures[partner]
        result.rows.append(AgedRow(partner, names.get(partner, ""), buckets))
        result.totals.buckets = [a + b for a, b in zip(result.totals.buckets, buckets, strict=True)]
    return result


# --- entries, chart and books: the lists of the working pages --------------------------------


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
    `conditions` on Entry that packages above accounting supply (bookkeeping's "no supporting
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


# --- home pages -------------------------------------------------------------------------------


@dataclass
class ResultAndCash:
    result: Decimal  #: produits minus charges of the period, a loss negative
    cash: Decimal  #: treasury balance (51xx minus 55xx overdrafts) on the last day


def result_and_cash(
    session: Session, ledger_id: int, *, date_from: date, date_to: date
) -> ResultAndCash:
    """The period's result (classes 6, 7, 8) and the treasury on `date_to`, in one query."""
    credit_balance, debit_balance = Line.credit - Line.debit, Line.debit - Line.credit
    in_period = and_(Account.class_number.in_(RESULT_CLASSES), Line.date >= date_from)
    treasury = or_(Account.code.startswith("51"), Account.code.startswith("55"))
    result, cash = session.execute(
        select(_sum(credit_balance, in_period), _sum(debit_balance, treasury))
        .join(Account, Account.id == Line.account_id)
        .where(*_posted_lines(ledger_id, None, date_to, end_inclusive=True))
    ).one()
    return ResultAndCash(_dec(result), _dec(cash))
