"""The reports as simple tables (gie.tabular.Table) for the CSV, XLSX and PDF downloads.

Each function takes a report computed by accounting.reports and returns its table with
translated headers (call them inside a request, in the reader's language). Amounts stay
Decimal and dates stay dates: the exporters format them.
"""

from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l

from accounting.models import Ledger
from accounting.reports.books import GeneralLedger, JournalReport
from accounting.reports.partners import BUCKET_LABELS, AgedBalance
from accounting.reports.statements import BalanceSheet, IncomeStatement, TrialBalance
from gie import i18n
from gie.tabular import Cell, Table


def cell_text(value: Cell) -> str:
    """A cell as printed in the PDF, in the reader's locale: amounts with two decimals and
    no currency sign (the document says the amounts are in MAD)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.00", locale=i18n.FORMAT_LOCALES[i18n.language()])
    if isinstance(value, date):
        return i18n.short_date(value)
    if isinstance(value, int):
        return i18n.number(value)
    return str(value)


def _period(date_from: date | None, date_to: date | None) -> str:
    if date_from and date_to:
        return str(
            _l(
                "From %(start)s to %(end)s",
                start=i18n.short_date(date_from),
                end=i18n.short_date(date_to),
            )
        )
    if date_to:
        return str(_l("Up to %(end)s", end=i18n.short_date(date_to)))
    if date_from:
        return str(_l("From %(start)s", start=i18n.short_date(date_from)))
    return ""


def _subtitle(ledger: Ledger, *parts: str) -> str:
    return " · ".join([f"{ledger.code} {ledger.name}", *(part for part in parts if part)])


def _in_mad() -> str:
    return str(_l("Amounts in MAD"))


def _blank_zero(amount: Decimal) -> Decimal | None:
    return amount or None


def trial_balance_table(ledger: Ledger, balance: TrialBalance) -> Table:
    rows = [
        [
            row.code,
            row.label,
            row.opening_debit,
            row.opening_credit,
            row.period_debit,
            row.period_credit,
            row.closing_debit,
            row.closing_credit,
        ]
        for row in balance.rows
    ]
    totals = balance.totals
    return Table(
        title=str(_l("Trial balance")),
        subtitle=_subtitle(ledger, _period(balance.date_from, balance.date_to), _in_mad()),
        headers=[
            str(_l("Account")),
            str(_l("Label")),
            str(_l("Opening debit")),
            str(_l("Opening credit")),
            str(_l("Period debit")),
            str(_l("Period credit")),
            str(_l("Closing debit")),
            str(_l("Closing credit")),
        ],
        rows=rows,
        totals=[
            str(_l("Total")),
            "",
            totals.opening_debit,
            totals.opening_credit,
            totals.period_debit,
            totals.period_credit,
            totals.closing_debit,
            totals.closing_credit,
        ],
    )


def general_ledger_table(ledger: Ledger, report: GeneralLedger) -> Table:
    """Every line of `report` (fetch it with a page size that holds the whole period),
    after an opening balance row; balances are debit positive."""
    rows: list[list[Cell]] = [
        [report.date_from, "", "", str(_l("Opening balance")), "", None, None, report.opening]
    ]
    rows += [
        [
            line.date,
            line.number,
            line.reference,
            line.label,
            line.partner,
            _blank_zero(line.debit),
            _blank_zero(line.credit),
            line.balance,
        ]
        for line in report.lines
    ]
    return Table(
        title=str(_l("General ledger %(code)s %(label)s", code=report.code, label=report.label)),
        subtitle=_subtitle(
            ledger,
            _period(report.date_from, report.date_to),
            _in_mad(),
            str(_l("Balances: debit positive, credit negative")),
        ),
        headers=[
            str(_l("Date")),
            str(_l("Entry")),
            str(_l("Reference")),
            str(_l("Label")),
            str(_l("Partner")),
            str(_l("Debit")),
            str(_l("Credit")),
            str(_l("Balance")),
        ],
        rows=rows,
        totals=[
            report.date_to,
            "",
            "",
            str(_l("Period total and closing balance")),
            "",
            report.period_debit,
            report.period_credit,
            report.closing,
        ],
        strong=frozenset({0}),
    )


def journal_table(ledger: Ledger, report: JournalReport) -> Table:
    """One row per line, the entry's number, date and reference repeated on each (so the
    CSV sorts and filters well); fetch the report with a page size that holds the period."""
    rows = [
        [
            entry.date,
            entry.number,
            entry.journal_code,
            entry.reference,
            line.label or entry.label,
            line.account_code,
            line.account_label,
            line.partner,
            _blank_zero(line.debit),
            _blank_zero(line.credit),
        ]
        for entry in report.entries
        for line in entry.lines
    ]
    journal = str(_l("Journal %(code)s", code=report.journal_code)) if report.journal_code else ""
    return Table(
        title=str(_l("Journal")),
        subtitle=_subtitle(ledger, journal, _period(report.date_from, report.date_to), _in_mad()),
        headers=[
            str(_l("Date")),
            str(_l("Entry")),
            str(_l("Journal")),
            str(_l("Reference")),
            str(_l("Label")),
            str(_l("Account")),
            str(_l("Account label")),
            str(_l("Partner")),
            str(_l("Debit")),
            str(_l("Credit")),
        ],
        rows=rows,
        totals=[
            str(_l("Total")),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            report.total_debit,
            report.total_credit,
        ],
    )


def income_statement_table(ledger: Ledger, statement: IncomeStatement) -> Table:
    rows, strong, headings = [], set(), set()
    for index, row in enumerate(statement.rows):
        rows.append([row.ref, str(row.label), row.current, row.previous])
        if row.level == "heading":
            headings.add(index)
        elif row.level in ("total", "result"):
            strong.add(index)
    return Table(
        title=str(_l("Income statement (CPC)")),
        subtitle=_subtitle(ledger, _period(statement.date_from, statement.date_to), _in_mad()),
        headers=[
            "",
            str(_l("Heading")),
            str(_l("Year N")),
            str(
                _l(
                    "Year N-1 (%(start)s to %(end)s)",
                    start=i18n.short_date(statement.previous_from),
                    end=i18n.short_date(statement.previous_to),
                )
            ),
        ],
        rows=rows,
        strong=frozenset(strong),
        headings=frozenset(headings),
    )


def balance_sheet_table(ledger: Ledger, sheet: BalanceSheet) -> Table:
    """Assets (gross, amortisation and provisions, net), then liabilities (net)."""
    rows: list[list[Cell]] = []
    strong, headings = set(), set()
    for side, side_rows in ((_l("Assets"), sheet.assets), (_l("Liabilities"), sheet.liabilities)):
        headings.add(len(rows))
        rows.append(["", str(side).upper(), None, None, None])
        for row in side_rows:
            if row.level == "heading":
                headings.add(len(rows))
            elif row.level in ("total", "grand_total"):
                strong.add(len(rows))
            rows.append([row.ref, str(row.label), row.gross, row.less, row.net])
    return Table(
        title=str(_l("Balance sheet (bilan)")),
        subtitle=_subtitle(
            ledger, str(_l("On %(date)s", date=i18n.short_date(sheet.on))), _in_mad()
        ),
        headers=[
            "",
            str(_l("Heading")),
            str(_l("Gross")),
            str(_l("Amortisation and provisions")),
            str(_l("Net")),
        ],
        rows=rows,
        strong=frozenset(strong),
        headings=frozenset(headings),
    )


def aged_balance_table(ledger: Ledger, aged: AgedBalance) -> Table:
    title = (
        _l("Aged balance of customers")
        if aged.side == "customers"
        else _l("Aged balance of suppliers")
    )
    return Table(
        title=str(title),
        subtitle=_subtitle(
            ledger, str(_l("On %(date)s", date=i18n.short_date(aged.on))), _in_mad()
        ),
        headers=[
            str(_l("Partner")),
            str(_l("Name")),
            *(str(label) for label in BUCKET_LABELS),
            str(_l("Total")),
        ],
        rows=[[row.partner, row.name, *row.buckets, row.total] for row in aged.rows],
        totals=[str(_l("Total")), "", *aged.totals.buckets, aged.totals.total],
    )
