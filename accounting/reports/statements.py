"""Financial statements: the trial balance, the income statement (CPC) and the balance sheet
(bilan). Every figure is a SQL aggregate over posted lines, read through the covering index
(ledger_id, posted, date, account_id, debit, credit)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from accounting.models import Account, FiscalYear, Line
from accounting.reports.periods import (
    RESULT_CLASSES,
    books_start,
    fiscal_year_start,
    opening_entry_ids,
)
from accounting.reports.sums import as_decimal, as_money, money_sum, posted_lines
from gie.money import ZERO


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


def _carried_by_account(
    session: Session, ledger_id: int, on: date
) -> dict[int, tuple[Decimal, Decimal]]:
    """Debit and credit per account of the opening entries dated `on`."""
    entry_ids = opening_entry_ids(session, ledger_id, on)
    if not entry_ids:
        return {}
    rows = session.execute(
        select(Line.account_id, func.sum(Line.debit), func.sum(Line.credit))
        .where(*posted_lines(ledger_id, on, on, end_inclusive=True), Line.entry_id.in_(entry_ids))
        .group_by(Line.account_id)
    )
    return {account_id: (debit, credit) for account_id, debit, credit in rows}


def _debit_credit_by_account(
    session: Session, ledger_id: int, start: date | None, end: date | None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Debit and credit per account of the posted lines dated start..end (both included)."""
    rows = session.execute(
        select(Line.account_id, func.sum(Line.debit), func.sum(Line.credit))
        .where(*posted_lines(ledger_id, start, end, end_inclusive=True))
        .group_by(Line.account_id)
    )
    return {account_id: (debit, credit) for account_id, debit, credit in rows}


def _net_by_account(
    session: Session, ledger_id: int, start: date | None, end: date
) -> dict[int, Decimal]:
    """Debit minus credit per account of the posted lines dated from `start` to before `end`."""
    rows = session.execute(
        select(Line.account_id, func.sum(Line.debit), func.sum(Line.credit))
        .where(*posted_lines(ledger_id, start, end, end_inclusive=False))
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
            coded.c.prefix, *(as_money(func.sum(coded.c[name])).label(name) for name in columns)
        ).group_by(coded.c.prefix)
    ).all()
    return {row.prefix: {name: as_decimal(getattr(row, name)) for name in columns} for row in rows}


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
            "current": money_sum(Line.credit - Line.debit, current),
            "previous": money_sum(Line.credit - Line.debit, previous),
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
    columns = {"balance": money_sum(Line.debit - Line.credit)}
    if year_start:
        columns["before"] = money_sum(Line.debit - Line.credit, Line.date < year_start)
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
