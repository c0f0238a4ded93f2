"""Read side of the books: every figure is a SQL aggregate over posted lines, read through
the covering index (ledger_id, posted, date, account_id, debit, credit)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from accounting.models import Account, FiscalYear, Line
from gie.money import ZERO

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


def trial_balance(
    session: Session, ledger_id: int, *, date_from: date | None = None, date_to: date | None = None
) -> TrialBalance:
    """Per account with any movement: opening balance (before `date_from`; result classes
    only since the start of that fiscal year), period debit and credit, closing balance."""
    year_start = fiscal_year_start(session, ledger_id, date_from) if date_from else None
    conditions = [Line.ledger_id == ledger_id, Line.posted.is_(True)]
    if date_to:
        conditions.append(Line.date <= date_to)

    def total(column, condition):
        return func.coalesce(func.sum(case((condition, column), else_=0)), 0)

    before = Line.date < date_from if date_from else Line.date < date(1, 1, 1)
    in_year = and_(before, Line.date >= year_start) if year_start else before
    sums = (
        select(
            Line.account_id,
            total(Line.debit, before).label("before_debit"),
            total(Line.credit, before).label("before_credit"),
            total(Line.debit, in_year).label("year_debit"),
            total(Line.credit, in_year).label("year_credit"),
            total(Line.debit, ~before).label("period_debit"),
            total(Line.credit, ~before).label("period_credit"),
        )
        .where(*conditions)
        .group_by(Line.account_id)
        .subquery()
    )
    rows = session.execute(
        select(Account.id, Account.code, Account.label, Account.class_number, Account.kind, sums)
        .join(sums, sums.c.account_id == Account.id)
        .order_by(Account.code)
    ).all()

    result = TrialBalance(date_from, date_to)
    openings: dict[int, Decimal] = {}
    periods: dict[int, tuple[Decimal, Decimal]] = {}
    accounts: dict[int, tuple] = {}
    unclosed_result = ZERO  # earlier years' charges and produits not yet closed into class 1
    for row in rows:
        before = Decimal(row.before_debit) - Decimal(row.before_credit)
        if row.class_number in RESULT_CLASSES:
            this_year = Decimal(row.year_debit) - Decimal(row.year_credit)
            unclosed_result += before - this_year
            before = this_year
        openings[row.id] = before
        periods[row.id] = (Decimal(row.period_debit), Decimal(row.period_credit))
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
