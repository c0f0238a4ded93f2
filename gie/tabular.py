"""Simple tables out to CSV and XLSX: a title, column headers, rows of plain values
(str, Decimal, date, int, None) and an optional totals row. Reports build a `Table`; the
views choose the format.

CSV: header then rows then totals (no title line), ISO dates, UTF-8, in one of two dialects
(`write_csv` is the one place that writes them): French, `;` separated with a decimal comma
and a BOM, which a French-locale spreadsheet opens in columns; or international, `,` and `.`.
Our importers read both. A text cell a spreadsheet would run as a formula is written behind a
`'` (`guard_formula`); the importers take it off again (`unguard_formula`), so an export
imports back unchanged. XLSX is for people: title, header in bold, amounts as numbers
formatted `#,##0.00`, dates as dates, sized columns, the header frozen.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

Cell = str | Decimal | date | int | None

MONEY_FORMAT = "#,##0.00"
INTEGER_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
#: characters that make a spreadsheet read a text cell as a formula (CSV/formula injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: the mark that tells a spreadsheet "this is text", put before such a cell
FORMULA_GUARD = "'"
#: a negative amount as text (`-12.50`, `-12,50`): a spreadsheet reads it as the number it is
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")
MAX_WIDTH = 60


@dataclass(frozen=True)
class CsvDialect:
    code: str
    delimiter: str
    decimal_mark: str
    #: a UTF-8 byte order mark first: French-locale Excel reads the file as UTF-8 only then
    bom: bool


FRENCH = CsvDialect("fr", ";", ",", bom=True)
INTERNATIONAL = CsvDialect("intl", ",", ".", bom=False)
DIALECTS = {dialect.code: dialect for dialect in (FRENCH, INTERNATIONAL)}
#: the `--dialect` option of the commands that write CSV: international unless asked, as
#: scripts read their output
DIALECT_HELP = "CSV dialect: fr (; and decimal comma, BOM) or intl (, and .)."


@dataclass
class Table:
    title: str
    headers: Sequence[str]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    totals: Sequence[Cell] | None = None
    #: a line under the title: whose books, which period
    subtitle: str = ""
    #: indexes of rows to set in bold (section totals of a statement)
    strong: frozenset[int] = frozenset()
    #: indexes of rows that are headings (only their first text cells are filled)
    headings: frozenset[int] = frozenset()

    def numeric(self, column: int) -> bool:
        """Whether a column holds numbers (it is right-aligned)."""
        for row in [*self.rows, self.totals or ()]:
            if column < len(row) and row[column] is not None:
                value = row[column]
                if isinstance(value, Decimal | int) and not isinstance(value, bool):
                    return True
        return False


def _guarded(text: str) -> bool:
    # Quotes already in front are looked through, so that `unguard_formula` gives back a
    # text that itself began with a quote.
    return text.lstrip(FORMULA_GUARD).startswith(FORMULA_STARTS) and not (
        _NEGATIVE_NUMBER.fullmatch(text)
    )


def guard_formula(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (`=HYPERLINK(...)`, `+cmd|...`,
    `@SUM(...)`): the same text behind a `'`. Negative numbers stay numbers."""
    return FORMULA_GUARD + text if _guarded(text) else text


def unguard_formula(text: str) -> str:
    """The text `guard_formula` was given: what importers read from a cell."""
    if text.startswith(FORMULA_GUARD) and _guarded(text[1:]):
        return text[1:]
    return text


def _csv_value(value: Cell, dialect: CsvDialect) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", dialect.decimal_mark)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return guard_formula(str(value))


def write_csv(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], dialect: CsvDialect = INTERNATIONAL
) -> str:
    """CSV text in a dialect: its separator, its decimal mark on Decimal cells, its BOM.

    Amounts must be Decimal cells to take the dialect's decimal mark. Text cells that a
    spreadsheet would run as a formula are guarded (`guard_formula`), files made to be
    imported back included: the importers read them through `unguard_formula`.
    """
    out = io.StringIO()
    if dialect.bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow(guard_formula(str(name)) for name in header)
    for row in rows:
        writer.writerow(_csv_value(value, dialect) for value in row)
    return out.getvalue()


def to_csv(table: Table, dialect: CsvDialect = INTERNATIONAL) -> str:
    """The table as CSV text: header, rows, then the totals row if any."""
    rows = [*table.rows, table.totals] if table.totals is not None else table.rows
    return write_csv(table.headers, rows, dialect)


def _sheet_title(title: str) -> str:
    for forbidden in "[]:*?/\\":
        title = title.replace(forbidden, " ")
    return title.strip()[:31] or "Sheet"


def _display_length(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    if isinstance(value, date):
        return 10
    return max((len(part) for part in str(value).splitlines()), default=0)


def _xlsx_cell(sheet, value: Cell, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    if isinstance(value, Decimal):
        cell.value = value
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = INTEGER_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif value is not None:
        cell.value = str(value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if font is not None:
        cell.font = font
    return cell


def to_xlsx(table: Table, *, rtl: bool = False) -> bytes:
    """The table as an XLSX workbook of one sheet (written in openpyxl's streaming mode, so
    a long ledger takes seconds, not minutes). `rtl` lays the sheet out right to left
    (Arabic)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(str(table.title)))
    workbook.properties.title = str(table.title)
    sheet.sheet_view.rightToLeft = rtl
    bold = Font(bold=True)

    body = list(enumerate(table.rows))
    if table.totals is not None:
        body.append((-1, table.totals))
    for column in range(1, len(table.headers) + 1):
        lengths = [len(str(table.headers[column - 1]))]
        lengths += [
            _display_length(values[column - 1])
            for _index, values in body
            if column - 1 < len(values)
        ]
        width = min(MAX_WIDTH, max(lengths) + 2)
        sheet.column_dimensions[get_column_letter(column)].width = max(8, width)

    preamble = [[_xlsx_cell(sheet, str(table.title), font=Font(bold=True, size=13))]]
    if table.subtitle:
        preamble.append([_xlsx_cell(sheet, str(table.subtitle))])
    preamble.append([])
    header_row = len(preamble) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    for row in preamble:
        sheet.append(row)
    fill = PatternFill("solid", fgColor="EEF2F6")
    header = []
    for title in table.headers:
        cell = _xlsx_cell(sheet, str(title), font=bold)
        cell.fill = fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    for index, values in body:
        strong = index == -1 or index in table.strong or index in table.headings
        sheet.append([_xlsx_cell(sheet, value, font=bold if strong else None) for value in values])

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
