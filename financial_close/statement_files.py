"""Reading bank statement files: a CSV in the layout of its bank, or OFX (1.x SGML or 2.x XML),
into lines whose balances are checked and whose fingerprints recognise them on a second
import. Only the file is read here; saving it is the bank module's import."""

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from ofxtools.Parser import OFXTree

from financial_close.models import BankFormat
from gie.csvfiles import decode
from gie.errors import ImportFailed
from gie.i18n import fold
from gie.money import ZERO, D, to_cents

#: lengths of the columns the values are stored in
MAX_LABEL = 300
MAX_REFERENCE = 80
DECIMAL_MARKS = (",", ".")


def normalise(text: str) -> str:
    """A label as compared: any case, without accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


@dataclass
class ReadLine:
    line: int  #: line number in the file, for error messages
    on: date
    label: str
    amount: Decimal
    reference: str = ""
    balance: Decimal | None = None


@dataclass
class ReadStatement:
    lines: list[ReadLine]
    opening: Decimal | None = None
    closing: Decimal | None = None
    start_on: date | None = None
    end_on: date | None = None


def parse_amount(text: str, decimal_mark: str) -> Decimal:
    """`1 234,56`, `-10,00`, `1.234,56` (decimal comma) or `1,234.56` (decimal point).
    Raises ValueError."""
    thousands = "." if decimal_mark == "," else ","
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", text).replace(thousands, "")
    cleaned = cleaned.replace(decimal_mark, ".")
    if cleaned.endswith("-"):
        cleaned = "-" + cleaned[:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite() or abs(value) > Decimal("999999999999.99"):
        raise ValueError(text)
    return D(value)


def _decode(content: bytes, encoding: str) -> str:
    if encoding == "auto":
        return decode(content)
    if content.startswith(codecs.BOM_UTF8):
        return content.decode("utf-8-sig")
    try:
        return content.decode(encoding or "utf-8")
    except (UnicodeDecodeError, LookupError):
        raise ImportFailed(
            _l("The file is not in the bank format's encoding (%(encoding)s).", encoding=encoding),
            [(1, _l("Choose the bank format that matches this file."))],
        ) from None


def read_csv(content: bytes, bank_format: BankFormat) -> ReadStatement:
    """Read a CSV statement as `bank_format` describes it. Raises ImportFailed, every
    unreadable line named."""
    text = _decode(content, bank_format.encoding)
    rows = text.splitlines()[bank_format.skip_lines :]
    reader = csv.reader(io.StringIO("\n".join(rows)), delimiter=bank_format.delimiter)
    header_line = bank_format.skip_lines + 1
    header = [normalise(name) for name in next(reader, [])]
    columns = {
        "date": bank_format.date_column,
        "label": bank_format.label_column,
        "amount": bank_format.amount_column,
        "debit": bank_format.debit_column,
        "credit": bank_format.credit_column,
        "balance": bank_format.balance_column,
        "reference": bank_format.reference_column,
    }
    positions, missing = {}, []
    for key, name in columns.items():
        if not name:
            continue
        if normalise(name) in header:
            positions[key] = header.index(normalise(name))
        else:
            missing.append(name)
    if missing:
        raise ImportFailed(
            _l("Columns missing from the file: %(names)s.", names=", ".join(missing)),
            [(header_line, _l("The header line names: %(names)s.", names=", ".join(header)))],
        )
    lines, errors = [], []
    for values in reader:
        number = reader.line_num + bank_format.skip_lines
        if not any(value.strip() for value in values):
            continue
        cell = {
            key: (values[position].strip() if position < len(values) else "")
            for key, position in positions.items()
        }
        problems = []
        try:
            on = datetime.strptime(cell["date"], bank_format.date_format).date()
        except ValueError:
            on = None
            problems.append(_l("not a date: %(text)s", text=cell["date"]))
        amount = ZERO
        try:
            if "amount" in cell:
                amount = parse_amount(cell["amount"], bank_format.decimal_mark)
            else:
                debit = cell["debit"] and parse_amount(cell["debit"], bank_format.decimal_mark)
                credit = cell["credit"] and parse_amount(cell["credit"], bank_format.decimal_mark)
                amount = abs(credit or ZERO) - abs(debit or ZERO)
        except ValueError as error:
            problems.append(_l("not an amount: %(text)s", text=str(error)))
        balance = None
        if "balance" in cell:
            try:
                balance = parse_amount(cell["balance"], bank_format.decimal_mark)
            except ValueError as error:
                problems.append(_l("not a balance: %(text)s", text=str(error)))
        if not cell["label"]:
            problems.append(_l("the label is empty"))
        elif amount == ZERO and not problems:
            problems.append(_l("the amount is zero"))
        if problems:
            errors.append((number, "; ".join(str(problem) for problem in problems)))
            continue
        lines.append(
            ReadLine(
                line=number,
                on=on,
                label=cell["label"][:MAX_LABEL],
                amount=amount,
                reference=cell.get("reference", "")[:MAX_REFERENCE],
                balance=balance,
            )
        )
    if errors:
        raise ImportFailed(_l("Some lines of the file cannot be read."), errors)
    if lines and lines[0].on > lines[-1].on:
        lines.reverse()  # newest first, as many banks print them: the balances read upwards
    return ReadStatement(lines)


def read_ofx(content: bytes) -> ReadStatement:
    """Read an OFX statement (1.x SGML or 2.x XML): its transactions and LEDGERBAL.
    Raises ImportFailed."""
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(content))
        statement = tree.convert().statements[0]
    except Exception:  # ofxtools raises many kinds of errors on a damaged file
        raise ImportFailed(
            _l("This is not an OFX bank statement."), [(1, _l("The file cannot be read as OFX."))]
        ) from None
    lines = []
    for number, transaction in enumerate(statement.transactions, start=1):
        label = " ".join(part for part in (transaction.name, transaction.memo) if part)
        lines.append(
            ReadLine(
                line=number,
                on=transaction.dtposted.date(),
                label=(label or transaction.trntype or "")[:MAX_LABEL],
                amount=D(transaction.trnamt),
                reference=(transaction.fitid or "")[:MAX_REFERENCE],
            )
        )
    lines.sort(key=lambda line: line.on)
    balance = statement.balance
    transactions = statement.banktranlist
    return ReadStatement(
        lines,
        closing=D(balance.balamt) if balance is not None else None,
        start_on=transactions.dtstart.date() if transactions and transactions.dtstart else None,
        end_on=transactions.dtend.date() if transactions and transactions.dtend else None,
    )


def check_balances(
    read: ReadStatement, *, opening: Decimal | None, closing: Decimal | None
) -> tuple[Decimal, Decimal]:
    """The statement's opening and closing balances, checked against its lines.

    With printed running balances, each one must follow from the one before; otherwise
    opening + the lines must make the closing (for OFX, the closing is LEDGERBAL and the
    opening follows from it). Raises ImportFailed naming the first line that does not add up.
    """
    lines = read.lines
    total = sum((line.amount for line in lines), ZERO)
    if lines and all(line.balance is not None for line in lines):
        running = lines[0].balance - lines[0].amount
        file_opening = running
        for line in lines:
            running += line.amount
            if running != line.balance:
                raise ImportFailed(
                    _l("The balances of the file do not add up."),
                    [
                        (
                            line.line,
                            _l(
                                "the balance should be %(expected)s after this line, the file"
                                " says %(printed)s",
                                expected=running,
                                printed=line.balance,
                            ),
                        )
                    ],
                )
        file_closing = lines[-1].balance
        given_balances = ((opening, file_opening, lines[0]), (closing, file_closing, lines[-1]))
        for given, found, line in given_balances:
            if given is not None and D(given) != found:
                raise ImportFailed(
                    _l("The balances of the file do not add up."),
                    [
                        (
                            line.line,
                            _l(
                                "the file's balance is %(found)s, not %(given)s",
                                found=found,
                                given=D(given),
                            ),
                        )
                    ],
                )
        return file_opening, file_closing
    if read.closing is not None:
        if closing is not None and D(closing) != read.closing:
            raise ImportFailed(
                _l(
                    "The file's closing balance is %(found)s, not %(given)s.",
                    found=read.closing,
                    given=D(closing),
                ),
                [],
            )
        closing = read.closing
        if opening is None:
            opening = closing - total
    if opening is None or closing is None:
        raise ImportFailed(
            _l("This file has no balances: give the opening and closing balances."),
            [],
        )
    opening, closing = D(opening), D(closing)
    if opening + total != closing:
        raise ImportFailed(
            _l(
                "Opening balance %(opening)s plus the lines (%(total)s) makes %(computed)s,"
                " not the closing balance %(closing)s.",
                opening=opening,
                total=total,
                computed=opening + total,
                closing=closing,
            ),
            [(lines[-1].line, _l("the last line of the file"))] if lines else [],
        )
    return opening, closing


def fingerprints(lines: list[ReadLine]) -> list[str]:
    """One SHA-256 per line over what identifies it, plus how many identical lines came
    before it in the file: two identical fees on one day stay two lines."""
    seen: Counter = Counter()
    result = []
    for line in lines:
        key = (line.on.isoformat(), str(to_cents(line.amount)), normalise(line.label))
        key += (normalise(line.reference),)
        seen[key] += 1
        result.append(hashlib.sha256("\x1f".join((*key, str(seen[key]))).encode()).hexdigest())
    return result
