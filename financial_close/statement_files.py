"""Reading bank statement files: a CSV in the layout of its bank, OFX (1.x SGML or 2.x XML),
SWIFT MT940 or ISO 20022 CAMT.053, into statements whose balances are checked and whose
lines' fingerprints recognise them on a second import. A file may hold several statements,
each with its account id and currency. Only the file is read here; saving it is the bank
module's import."""

import codecs
import csv
import hashlib
import html
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

import mt940
from flask_babel import lazy_gettext as _l

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
    account_id: str = ""  #: ACCTID, IBAN or :25: as the file writes it; empty in a CSV
    currency: str = ""  #: ISO 4217, empty when the file does not say
    name: str = ""  #: how messages name the statement within its file
    #: the file states the opening balance (MT940, CAMT) or running balances (some CSVs);
    #: an OFX file states only the closing one (LEDGERBAL)
    balances_optional: bool = False


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


# --- OFX -----------------------------------------------------------------------------------
#
# Banks' OFX files break the specification in many small ways (a BANKID of 11 characters,
# LANGUAGE FRE, a CHARSET the bytes do not follow, several BANKTRANLIST, a card statement
# without LEDGERBAL, an empty DTSTART). A strict library (ofxtools, used until now) validates
# each element against the specification and refuses such files, converts dates to UTC (a
# line of `20051004000000[+1:CET]` became the 3rd), and its tokenizer stops at lower-case or
# empty elements. What a statement needs is a dozen elements, so the file is read here by a small
# tolerant reader: it tokenizes SGML and XML alike and looks elements up by name.

#: an OFX tag, its closing slash, and the text up to the next tag
OFX_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9._]*)[^>]*>([^<]*)")
OFX_DATE = re.compile(r"\s*(\d{4})(\d{2})(\d{2})")
#: OFX 1 headers and the XML declaration name the characters; Python's name for them
DECLARED_CHARSETS = {"1252": "cp1252", "ISO-8859-1": "latin-1", "8859-1": "latin-1"}
STATEMENT_ELEMENTS = ("STMTRS", "CCSTMTRS")
NEVER_NESTED = (*STATEMENT_ELEMENTS, "STMTTRN")
#: responses that are no bank or card statement, and why they are refused
OTHER_RESPONSES = {
    "INVSTMTRS": _l("an investment statement"),
    "INVSTMTTRNRS": _l("an investment statement"),
    "LOANSTMTRS": _l("a loan statement"),
    "STMTENDRS": _l("a closing statement summary"),
}
MAX_AMOUNT = Decimal("999999999999.99")


def _declared_charset(head: bytes) -> str | None:
    text = head.decode("ascii", "replace")
    declared = re.search(r"encoding=[\"']([\w.-]+)", text)
    if declared:
        return declared.group(1)
    if re.search(r"ENCODING:\s*UTF-?8", text, re.IGNORECASE):
        return "utf-8"
    charset = re.search(r"CHARSET:\s*([\w-]+)", text, re.IGNORECASE)
    return DECLARED_CHARSETS.get(charset.group(1).upper()) if charset else None


def decode_declared(content: bytes, declared: str | None) -> str:
    """The text of a file whose declared charset may lie: the declared one, then UTF-8,
    then Windows-1252, the first the bytes follow. Raises ImportFailed."""
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    for encoding in (declared, "utf-8", "cp1252"):
        if not encoding:
            continue
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ImportFailed(
        _l("The file's characters cannot be read."),
        [(1, _l("neither its declared charset, UTF-8 nor Windows-1252"))],
    )


@dataclass
class Element:
    """An OFX element: its tag, its text (for a data element) and what it holds."""

    tag: str
    text: str = ""
    children: list["Element"] = field(default_factory=list)

    def iter(self, tag: str):
        """Every element of this name held at any depth, in the file's order (walked with a
        list, not recursion: a damaged file may nest thousands of elements)."""
        pending = list(reversed(self.children))
        while pending:
            element = pending.pop()
            if element.tag == tag:
                yield element
            pending.extend(reversed(element.children))

    def first(self, *path: str) -> "Element | None":
        element = self
        for tag in path:
            element = next(element.iter(tag), None)
            if element is None:
                return None
        return element

    def value(self, *path: str) -> str:
        element = self.first(*path)
        return element.text if element is not None else ""


def ofx_tree(body: str) -> Element:
    """The elements of an OFX body. A data element ends where its text does; an element
    opened without text holds what follows until its closing tag. A closing tag closes
    whatever was left open inside it, so an empty data element (`<DTSTART>` alone) only
    holds its neighbours, which name lookups still find. A statement or a transaction
    never holds another: one whose closing tag is missing ends where the next begins, so
    that no transaction is counted in two statements."""
    root = Element("")
    stack = [root]
    for closing, tag, text in OFX_TOKEN.findall(body):
        tag = tag.upper()
        ends_one = closing or tag in NEVER_NESTED
        if ends_one and any(element.tag == tag for element in stack[1:]):
            while stack.pop().tag != tag:
                pass
        if closing:
            continue
        element = Element(tag, html.unescape(text.strip()))
        stack[-1].children.append(element)
        if not element.text:
            stack.append(element)
    return root


def _not_a_statement(element: str, why) -> ImportFailed:
    return ImportFailed(
        _l("This is not an OFX bank or card statement."),
        [(1, _l("<%(element)s>: %(why)s", element=element, why=why))],
    )


def _ofx_date(text: str, element: str, where: int) -> date:
    """The calendar date written in the file, in its own offset: never moved to UTC."""
    match = OFX_DATE.match(text)
    try:
        return date(*(int(part) for part in match.groups()))
    except (AttributeError, ValueError):
        raise ImportFailed(
            _l("The file holds a date that cannot be read."),
            [(where, _l("<%(element)s> is not a date: %(text)s", element=element, text=text))],
        ) from None


def _file_amount(text: str, element: str, where: int) -> Decimal:
    """An amount as a bank file writes it: `-35.00`, some banks `-35,00`."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise ImportFailed(
            _l("The file holds an amount that cannot be read."),
            [(where, _l("<%(element)s> is not an amount: %(text)s", element=element, text=text))],
        )
    return D(amount)


def _ofx_statement(response: Element, number: int) -> ReadStatement:
    account = response.first("BANKACCTFROM") or response.first("CCACCTFROM")
    account_id = account.value("ACCTID") if account is not None else ""
    lines = []
    for position, transaction in enumerate(response.iter("STMTTRN"), start=1):
        fitid = transaction.value("FITID")
        label = " ".join(
            part for part in (transaction.value("NAME"), transaction.value("MEMO")) if part
        )
        lines.append(
            ReadLine(
                line=position,
                on=_ofx_date(transaction.value("DTPOSTED"), "DTPOSTED", position),
                label=(label or transaction.value("TRNTYPE") or fitid)[:MAX_LABEL],
                amount=_file_amount(transaction.value("TRNAMT"), "TRNAMT", position),
                reference=fitid[:MAX_REFERENCE],
            )
        )
    lines.sort(key=lambda line: line.on)
    starts = [
        _ofx_date(element.text, "DTSTART", 1)
        for element in response.iter("DTSTART")
        if element.text
    ]
    ends = [
        _ofx_date(element.text, "DTEND", 1) for element in response.iter("DTEND") if element.text
    ]
    ledger_balance = response.value("LEDGERBAL", "BALAMT")
    return ReadStatement(
        lines,
        closing=_file_amount(ledger_balance, "BALAMT", 1) if ledger_balance else None,
        start_on=min(starts) if starts else None,
        end_on=max(ends) if ends else None,
        account_id=account_id,
        currency=response.value("CURDEF").upper(),
        name=_l("statement %(number)d (%(element)s)", number=number, element=response.tag),
        balances_optional=True,
    )


def read_ofx(content: bytes) -> list[ReadStatement]:
    """Every bank (STMTRS) and card (CCSTMTRS) statement of an OFX file, 1.x SGML or 2.x
    XML: transactions of all their lists, CURDEF, ACCTID, LEDGERBAL as the closing balance.
    Raises ImportFailed naming the element when the file is no such statement."""
    start = content.upper().find(b"<OFX")
    if start < 0:
        raise ImportFailed(
            _l("This is not an OFX bank statement."), [(1, _l("The file has no <OFX> element."))]
        )
    body = decode_declared(content, _declared_charset(content[:start]))
    root = ofx_tree(body[body.upper().find("<OFX") :])
    for tag, why in OTHER_RESPONSES.items():
        if root.first(tag) is not None:
            raise _not_a_statement(tag, why)
    responses = [element for tag in STATEMENT_ELEMENTS for element in root.iter(tag)]
    if not responses:
        raise _not_a_statement("OFX", _l("it holds no STMTRS nor CCSTMTRS"))
    statements = [_ofx_statement(response, number) for number, response in enumerate(responses, 1)]
    if not any(statement.lines for statement in statements):
        raise _not_a_statement(responses[0].tag, _l("balances only, no transaction (STMTTRN)"))
    return statements


# --- MT940 ---------------------------------------------------------------------------------

#: a statement of an MT940 file begins with its reference, field :20:
MT940_STATEMENT_START = re.compile(r"^:20:", re.MULTILINE)


def _mt940_statement(text: str, number: int) -> ReadStatement:
    reference = text[4:].split("\n", 1)[0].strip()
    name = _l("statement %(number)d (:20: %(reference)s)", number=number, reference=reference)
    transactions = mt940.models.Transactions()
    try:
        transactions.parse(text)
        data = transactions.data
        opening = data.get("final_opening_balance") or data.get("intermediate_opening_balance")
        closing = data.get("final_closing_balance") or data.get("intermediate_closing_balance")
        found = [transaction.data for transaction in transactions]
    except Exception:  # the mt-940 package raises many kinds of errors on a damaged file
        raise ImportFailed(
            _l("This is not an MT940 statement."),
            [(number, _l("%(statement)s cannot be read as MT940", statement=name))],
        ) from None
    if opening is None or closing is None:
        raise ImportFailed(
            _l("This MT940 statement has no balances."),
            [(number, _l("%(statement)s lacks :60F: or :62F:", statement=name))],
        )
    lines = []
    for position, transaction in enumerate(found, start=1):
        on = transaction.get("guessed_entry_date") or transaction["date"]
        references = (transaction.get("bank_reference"), transaction.get("customer_reference"))
        reference = next((ref for ref in references if ref and ref != "NONREF"), "")
        label = (transaction.get("transaction_details") or "").replace("\n", " ").strip()
        lines.append(
            ReadLine(
                line=position,
                on=date(on.year, on.month, on.day),
                label=(label or transaction.get("extra_details") or transaction["id"] or "")[
                    :MAX_LABEL
                ],
                amount=_file_amount(str(transaction["amount"].amount), ":61:", position),
                reference=reference[:MAX_REFERENCE],
            )
        )
    return ReadStatement(
        lines,
        opening=_file_amount(str(opening.amount.amount), ":60F:", number),
        closing=_file_amount(str(closing.amount.amount), ":62F:", number),
        start_on=date(opening.date.year, opening.date.month, opening.date.day),
        end_on=date(closing.date.year, closing.date.month, closing.date.day),
        account_id=data.get("account_identification") or "",
        currency=closing.amount.currency or "",
        name=name,
    )


def read_mt940(content: bytes) -> list[ReadStatement]:
    """Every statement of a SWIFT MT940 file (one per :20:), with :60F: and :62F:. Raises
    ImportFailed."""
    text = decode_declared(content, None).replace("\r\n", "\n")
    starts = [match.start() for match in MT940_STATEMENT_START.finditer(text)]
    if not starts:
        raise ImportFailed(
            _l("This is not an MT940 statement."), [(1, _l("The file has no field :20:."))]
        )
    ends = [*starts[1:], len(text)]
    return [
        _mt940_statement(text[start:end], number)
        for number, (start, end) in enumerate(zip(starts, ends, strict=True), start=1)
    ]


# --- CAMT.053 ------------------------------------------------------------------------------

CAMT_NAMESPACES = tuple(f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.0{n}" for n in range(2, 9))
OPENING_CODES = ("OPBD", "PRCD")
CLOSING_CODE = "CLBD"


def _camt_date(element, where: int) -> date | None:
    """The calendar date written in `Dt` or `DtTm`, in the file's own offset."""
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ImportFailed(
            _l("The file holds a date that cannot be read."),
            [(where, _l("<%(element)s> is not a date: %(text)s", element="Dt", text=text))],
        ) from None


def _camt_amount(element, ns: dict, where: int) -> tuple[Decimal, str]:
    """The signed amount of an entry or balance (CdtDbtInd DBIT makes it negative), and its
    currency."""
    amount = element.find("c:Amt", ns)
    if amount is None:
        raise ImportFailed(
            _l("The file holds an amount that cannot be read."),
            [(where, _l("<%(element)s> is missing", element="Amt"))],
        )
    value = _file_amount(amount.text or "", "Amt", where)
    if element.findtext("c:CdtDbtInd", "", ns).strip() == "DBIT":
        value = -value
    return value, amount.get("Ccy", "")


def _camt_balance(statement, ns: dict, codes: tuple[str, ...], where: int):
    for balance in statement.findall("c:Bal", ns):
        code = balance.findtext("c:Tp/c:CdOrPrtry/c:Cd", "", ns).strip()
        if code in codes:
            amount, currency = _camt_amount(balance, ns, where)
            return amount, currency, _camt_date(balance.find("c:Dt/*", ns), where)
    return None, "", None


def _camt_statement(statement, ns: dict, number: int) -> ReadStatement:
    identifier = statement.findtext("c:Id", "", ns).strip()
    name = _l("statement %(number)d (Id %(reference)s)", number=number, reference=identifier)
    opening, currency, start_on = _camt_balance(statement, ns, OPENING_CODES, number)
    closing, closing_currency, end_on = _camt_balance(statement, ns, (CLOSING_CODE,), number)
    if opening is None or closing is None:
        raise ImportFailed(
            _l("This CAMT.053 statement has no opening or closing balance."),
            [(number, _l("%(statement)s lacks a Bal of type OPBD/PRCD or CLBD", statement=name))],
        )
    lines = []
    for position, entry in enumerate(statement.findall("c:Ntry", ns), start=1):
        # a pending entry is not in the booked balances
        if entry.findtext("c:Sts", "", ns).strip() == "PDNG" or (
            entry.findtext("c:Sts/c:Cd", "", ns).strip() == "PDNG"
        ):
            continue
        amount, _currency = _camt_amount(entry, ns, position)
        on = _camt_date(entry.find("c:BookgDt/*", ns), position) or _camt_date(
            entry.find("c:ValDt/*", ns), position
        )
        if on is None:
            raise ImportFailed(
                _l("The file holds a date that cannot be read."),
                [(position, _l("<%(element)s> is missing", element="BookgDt"))],
            )
        texts = [
            " ".join(text.split())
            for path in ("c:NtryDtls//c:RmtInf/c:Ustrd", "c:AddtlNtryInf")
            for text in (element.text or "" for element in entry.findall(path, ns))
            if text.strip()
        ]
        reference = entry.findtext("c:AcctSvcrRef", "", ns) or entry.findtext("c:NtryRef", "", ns)
        lines.append(
            ReadLine(
                line=position,
                on=on,
                label=(" ".join(texts) or entry.findtext("c:BkTxCd//c:Cd", "", ns) or "-")[
                    :MAX_LABEL
                ],
                amount=amount,
                reference=reference.strip()[:MAX_REFERENCE],
            )
        )
    lines.sort(key=lambda line: line.on)
    account = statement.find("c:Acct", ns)
    account_id = ""
    if account is not None:
        account_id = account.findtext("c:Id/c:IBAN", "", ns) or account.findtext(
            "c:Id/c:Othr/c:Id", "", ns
        )
    return ReadStatement(
        lines,
        opening=opening,
        closing=closing,
        start_on=start_on,
        end_on=end_on,
        account_id=account_id.strip(),
        currency=(
            (account.findtext("c:Ccy", "", ns) if account is not None else "")
            or closing_currency
            or currency
        ).strip(),
        name=name,
    )


def read_camt053(content: bytes) -> list[ReadStatement]:
    """Every statement (Stmt) of an ISO 20022 camt.053 file, versions 001.02 to 001.08:
    entries (Ntry) and the opening (OPBD or PRCD) and closing (CLBD) balances. Raises
    ImportFailed."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as error:
        raise ImportFailed(
            _l("This is not a CAMT.053 statement."),
            [(error.position[0], _l("The file is not well-formed XML."))],
        ) from None
    except (LookupError, ValueError):  # an encoding declaration no codec knows
        raise ImportFailed(
            _l("This is not a CAMT.053 statement."),
            [(1, _l("The file is not well-formed XML."))],
        ) from None
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if namespace not in CAMT_NAMESPACES:
        raise ImportFailed(
            _l("This is not a CAMT.053 statement."),
            [(1, _l("Unknown XML namespace: %(namespace)s", namespace=namespace or "-"))],
        )
    ns = {"c": namespace}
    found = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not found:
        raise ImportFailed(
            _l("This is not a CAMT.053 statement."), [(1, _l("The file has no Stmt element."))]
        )
    return [_camt_statement(statement, ns, number) for number, statement in enumerate(found, 1)]


@dataclass
class Balances:
    opening: Decimal
    closing: Decimal
    #: False when the file and the user gave too few balances to check the lines against
    checked: bool = True


def check_balances(
    read: ReadStatement,
    *,
    opening: Decimal | None,
    closing: Decimal | None,
    previous_closing: Decimal = ZERO,
) -> Balances:
    """The statement's opening and closing balances, checked against its lines.

    With printed running balances, each one must follow from the one before; otherwise
    opening + the lines must make the closing, each balance given by the file or the user
    (an OFX file gives only the closing, LEDGERBAL; MT940 and CAMT.053 give both). An OFX
    statement short of a balance is not checked: the missing balance follows from the
    other, or from `previous_closing` (the account's last statement) when neither is known.
    Raises ImportFailed naming the statement or the first line that does not add up.
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
        return Balances(file_opening, file_closing)
    for given, found, message in (
        (opening, read.opening, _l("The file's opening balance is %(found)s, not %(given)s.")),
        (closing, read.closing, _l("The file's closing balance is %(found)s, not %(given)s.")),
    ):
        if given is not None and found is not None and D(given) != found:
            raise ImportFailed(message % {"found": found, "given": D(given)}, [])
    opening = D(opening) if opening is not None else read.opening
    closing = D(closing) if closing is not None else read.closing
    if opening is None or closing is None:
        if not read.balances_optional:
            raise ImportFailed(
                _l("This file has no balances: give the opening and closing balances."),
                [],
            )
        if closing is not None:
            return Balances(closing - total, closing, checked=False)
        opening = previous_closing if opening is None else opening
        return Balances(opening, opening + total, checked=False)
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
            [(lines[-1].line if lines else 1, read.name or _l("the last line of the file"))],
        )
    return Balances(opening, closing)


#: the kinds of statement file read here
SOURCES = ("csv", "ofx", "mt940", "camt053")


def detect_source(content: bytes) -> str:
    """The kind of a statement file by its first bytes: OFX, CAMT.053 (XML), MT940 (SWIFT
    fields, maybe in a SWIFT envelope), else CSV."""
    head = content[:4096].lstrip(codecs.BOM_UTF8 + b" \t\r\n")
    if head.startswith(b"OFXHEADER") or b"<OFX" in head.upper():
        return "ofx"
    if head.startswith(b"<") and b"camt.053" in head:
        return "camt053"
    if head.startswith((b":20:", b"{1:", b":940:")) or re.search(rb"^:20:", head, re.MULTILINE):
        return "mt940"
    return "csv"


def read_statements(
    content: bytes, source: str, bank_format: BankFormat | None
) -> list[ReadStatement]:
    """The statements of a file of the given kind (a CSV holds one, read with
    `bank_format`). Raises ImportFailed."""
    if source == "csv":
        if bank_format is None:
            raise ImportFailed(_l("Choose the bank's format to read this file."), [])
        return [read_csv(content, bank_format)]
    readers = {"ofx": read_ofx, "mt940": read_mt940, "camt053": read_camt053}
    if source not in readers:
        raise ImportFailed(_l("Unknown file kind."), [])
    return readers[source](content)


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
