"""Reading the CSV files people export from spreadsheets (French-locale ones included)."""

import codecs
import csv
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from dateutil import parser as date_parser
from flask_babel import lazy_gettext as _l

from gie.errors import ImportFailed
from gie.money import MAX_AMOUNT
from gie.tabular import unguard_formula

#: the encodings an import page or command offers; "auto" tells them apart by itself
ENCODINGS = ("auto", "utf-8", "cp1252")


def decode(data: bytes, encoding: str = "auto") -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM) or Windows-1252.

    "auto" tries strict UTF-8 first, then Windows-1252, with no dependency and no guessing.
    Windows-1252 text is valid UTF-8 only when each accented byte is followed by the exact
    continuation bytes UTF-8 expects (é is the single byte E9, which UTF-8 wants followed by
    two bytes from 80-BF): labels such as "Facture réglée" never are. A statistical guesser
    such as charset-normalizer may take a short French file for another Latin code page.
    Raises ImportFailed naming the encoding tried.
    """
    if encoding in ("auto", "utf-8") or data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            if encoding == "utf-8":
                raise ImportFailed(
                    _l("The file is not UTF-8 text."),
                    [(1, _l("Choose Windows-1252, or save the file as CSV UTF-8."))],
                ) from None
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFailed(
            _l("The file is neither UTF-8 nor Windows-1252 text."),
            [(1, _l("Save it as CSV UTF-8."))],
        ) from None


def read_rows(
    data: bytes, *, encoding: str = "auto"
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Decode a CSV upload (see `decode`; `,` or `;` separated; LF or CRLF line ends).

    Returns the lower-cased header and (line number, row) pairs, the header being line 1.
    Cells lose the `'` our exports put before text a spreadsheet would run as a formula.
    Raises ImportFailed when the file cannot be read at all.
    """
    text = decode(data, encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if not any(header):
        raise ImportFailed(_l("The file is empty."), [(1, _l("A header line is required."))])
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        cells = (unguard_formula(v.strip()) for v in values)
        rows.append((reader.line_num, dict(zip(header, cells, strict=False))))
    return header, rows


def parse_decimal(text: str) -> Decimal:
    """`1234.5`, `1234,5`, `1 234,50`: the decimal mark may be `.` or `,`. Raises ValueError,
    also for an amount no `Money` column holds (`1e400`)."""
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(".", "").replace(",", ".")
            if cleaned.rfind(",") > cleaned.rfind(".")
            else cleaned.replace(",", "")
        )
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise ValueError(text)
    return value


#: the numeric forms books use: year first is always year-month-day (2026-03-31, 2026/03/31),
#: otherwise day first (31/03/2026, 31.03.2026, 31-03-2026)
_NUMERIC_DATE = re.compile(
    r"(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})"
    r"|(?P<dd>\d{1,2})[/.-](?P<mm>\d{1,2})[/.-](?P<yy>\d{4})"
)


def parse_date(text: str, *, strict: bool = False) -> date:
    """ISO dates (2026-03-31) or day-first dates as French spreadsheets write them (31/03/2026).

    The numeric forms are read directly (fast: an import reads 100,000 of them). Anything else
    goes to dateutil, unless `strict`, which accepts only those numeric forms: books refuse a
    date that dateutil would complete from today's (`12`, `March 2026`). Raises ValueError.
    """
    text = text.strip()
    match = _NUMERIC_DATE.fullmatch(text)
    if match:
        year, month, day = (
            match.group("y", "m", "d") if match.group("y") else match.group("yy", "mm", "dd")
        )
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            if strict:
                raise
    elif strict:
        raise ValueError(text)
    iso = len(text) == 10 and text[4] == "-"
    return date_parser.parse(text, dayfirst=not iso, yearfirst=iso).date()
