"""Bank statements and their reconciliation with the books.

A statement read from its file (statement_files: CSV in the bank's remembered format, or OFX)
is imported whole or not at all; lines already imported are recognised by their fingerprint
and skipped. Each bank line is then reconciled with posted lines of the bank account in the
books (suggested by amount, date and reference), or gets its own entry.
"""

import codecs
import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from accounting import services as accounting
from accounting.models import Account, Entry, Line
from accounting.services import LineInput
from financial_close import statement_files
from financial_close.models import (
    BankAccount,
    BankFormat,
    BankLine,
    BankRule,
    BankStatement,
    Reconciliation,
)
from gie.db import utcnow
from gie.errors import DomainError, ImportFailed, NotFound, ValidationError
from gie.money import ZERO

#: how far apart (days) a bank line and a book line may be dated to be suggested together
SUGGESTION_DAYS = 10
#: fingerprints looked up per query (the IN list of one SELECT)
FINGERPRINT_CHUNK = 500


class ReconciliationRefused(DomainError):
    """A reconciliation broke a rule (locked line, amounts that differ); nothing changed."""


def _not_found():
    return NotFound(_l("This page does not exist."))


# --- bank formats ------------------------------------------------------------------------

FORMAT_FIELDS = (
    "name",
    "delimiter",
    "decimal_mark",
    "date_format",
    "encoding",
    "skip_lines",
    "date_column",
    "label_column",
    "amount_column",
    "debit_column",
    "credit_column",
    "balance_column",
    "reference_column",
)


def bank_formats(session: Session) -> list[BankFormat]:
    return list(session.scalars(select(BankFormat).order_by(BankFormat.name)))


def get_bank_format(session: Session, bank_format_id: int) -> BankFormat:
    bank_format = session.get(BankFormat, bank_format_id)
    if bank_format is None:
        raise _not_found()
    return bank_format


def save_bank_format(
    session: Session, data: dict, *, bank_format_id: int | None = None
) -> BankFormat:
    """Create or change how one bank writes its CSV statements. Raises ValidationError."""
    values = {
        name: (data.get(name) or "").strip() for name in FORMAT_FIELDS if name != "skip_lines"
    }
    # a tab cannot be typed in a form field: "\t" or "tab" stand for it
    delimiter = data.get("delimiter") or ""
    values["delimiter"] = "\t" if delimiter in ("\\t", "tab") else delimiter
    values["skip_lines"] = data.get("skip_lines") or 0
    errors: dict[str, list] = {}
    for name in ("name", "date_column", "label_column", "date_format"):
        if not values[name]:
            errors[name] = [_l("This field is required.")]
    if not values["delimiter"] or len(values["delimiter"]) != 1:
        errors["delimiter"] = [_l("One character, e.g. ; or ,")]
    if values["decimal_mark"] not in statement_files.DECIMAL_MARKS:
        errors["decimal_mark"] = [_l("A comma or a full stop.")]
    try:
        if values["encoding"] != "auto":
            codecs.lookup(values["encoding"] or "")
    except LookupError:
        errors["encoding"] = [_l("Unknown encoding, e.g. utf-8 or cp1252.")]
    if values["date_format"] and "%" not in values["date_format"]:
        errors["date_format"] = [_l("A date format such as %d/%m/%Y.")]
    if not values["amount_column"] and not (values["debit_column"] and values["credit_column"]):
        errors["amount_column"] = [_l("Give an amount column, or a debit and a credit column.")]
    if not 0 <= values["skip_lines"] <= 50:
        errors["skip_lines"] = [_l("Between 0 and 50.")]
    same_name = select(BankFormat.id).where(func.lower(BankFormat.name) == values["name"].lower())
    if bank_format_id is not None:
        same_name = same_name.where(BankFormat.id != bank_format_id)
    if values["name"] and session.scalar(same_name):
        errors["name"] = [_l("A bank format already has this name.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    if bank_format_id is None:
        bank_format = BankFormat()
        session.add(bank_format)
    else:
        bank_format = get_bank_format(session, bank_format_id)
    for name, value in values.items():
        setattr(bank_format, name, value)
    session.flush()
    return bank_format


# --- bank accounts -----------------------------------------------------------------------


def bank_accounts(session: Session, ledger_id: int) -> list[BankAccount]:
    return list(
        session.scalars(
            select(BankAccount)
            .where(BankAccount.ledger_id == ledger_id)
            .options(selectinload(BankAccount.account), selectinload(BankAccount.bank_format))
            .order_by(BankAccount.name)
        )
    )


def bank_account_choices(session: Session, ledger_id: int) -> list[Account]:
    """The ledger's bank accounts in the books (51xx), those a bank account may follow."""
    return list(
        session.scalars(
            select(Account)
            .where(Account.ledger_id == ledger_id, Account.code.like("51%"), Account.active)
            .order_by(Account.code)
        )
    )


def add_bank_account(
    session: Session,
    ledger_id: int,
    *,
    name: str,
    account_code: str,
    bank_format_id: int | None = None,
) -> BankAccount:
    """Follow an account of the books (class 5) at a bank. Raises ValidationError."""
    name, account_code = (name or "").strip(), (account_code or "").strip()
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [_l("This field is required.")]
    account = session.scalar(
        select(Account).where(Account.ledger_id == ledger_id, Account.code == account_code)
    )
    if account is None:
        errors["account_code"] = [
            _l("Account %(code)s does not exist in these books.", code=account_code)
        ]
    elif account.class_number != 5:
        errors["account_code"] = [_l("A bank account is an account of class 5 (e.g. 5141).")]
    elif session.scalar(
        select(BankAccount.id).where(
            BankAccount.ledger_id == ledger_id, BankAccount.account_id == account.id
        )
    ):
        errors["account_code"] = [_l("This account already has a bank account.")]
    if bank_format_id is not None and session.get(BankFormat, bank_format_id) is None:
        errors["bank_format_id"] = [_l("Unknown bank format.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    bank_account = BankAccount(
        ledger_id=ledger_id, account_id=account.id, name=name, bank_format_id=bank_format_id
    )
    session.add(bank_account)
    session.flush()
    return bank_account


def bank_account_of_code(session: Session, ledger_id: int, account_code: str) -> BankAccount:
    """The ledger's bank account on the books' account `account_code`, made a bank account,
    named after it, on first use. Raises ValidationError."""
    found = session.scalar(
        select(BankAccount)
        .join(Account, Account.id == BankAccount.account_id)
        .where(BankAccount.ledger_id == ledger_id, Account.code == account_code)
    )
    if found is not None:
        return found
    account = session.scalar(
        select(Account).where(Account.ledger_id == ledger_id, Account.code == account_code)
    )
    name = account.label[:120] if account is not None else account_code
    return add_bank_account(session, ledger_id, name=name, account_code=account_code)


def _in_visible_ledger(session: Session, model, record_id: int, actor):
    """A bank record (account, statement, line) of a ledger the actor may see: another
    cooperative's is not found, like its ledger. Raises NotFound."""
    record = session.get(model, record_id)
    if record is None:
        raise _not_found()
    accounting.get_ledger(session, record.ledger_id, actor=actor)
    return record


def get_bank_account(session: Session, bank_account_id: int, *, actor) -> BankAccount:
    """A bank account of a ledger the actor may see. Raises NotFound."""
    return _in_visible_ledger(session, BankAccount, bank_account_id, actor)


def statements(session: Session, bank_account_id: int) -> list[BankStatement]:
    return list(
        session.scalars(
            select(BankStatement)
            .where(BankStatement.bank_account_id == bank_account_id)
            .order_by(BankStatement.end_on.desc(), BankStatement.id.desc())
        )
    )


def get_statement(session: Session, statement_id: int, *, actor) -> BankStatement:
    return _in_visible_ledger(session, BankStatement, statement_id, actor)


def statement_lines(
    session: Session, statement_id: int, *, reconciled: bool | None = None
) -> list[BankLine]:
    query = (
        select(BankLine)
        .where(BankLine.statement_id == statement_id)
        .options(selectinload(BankLine.reconciliations))
        .order_by(BankLine.date, BankLine.id)
    )
    if reconciled is not None:
        query = query.where(
            BankLine.reconciled_at.is_not(None) if reconciled else BankLine.reconciled_at.is_(None)
        )
    return list(session.scalars(query))


def get_bank_line(session: Session, bank_line_id: int, *, actor) -> BankLine:
    return _in_visible_ledger(session, BankLine, bank_line_id, actor)


@dataclass
class ImportResult:
    """What became of one statement of a file."""

    read: statement_files.ReadStatement
    bank_account: BankAccount
    statement: BankStatement | None  #: None when every line was already imported
    lines_added: int = 0
    lines_skipped: int = 0
    balances_checked: bool = True


@dataclass
class FileImport:
    """What became of every statement of a file."""

    results: list[ImportResult]

    @property
    def statement(self) -> BankStatement | None:
        """The first statement saved."""
        return next((result.statement for result in self.results if result.statement), None)

    @property
    def lines_added(self) -> int:
        return sum(result.lines_added for result in self.results)

    @property
    def lines_skipped(self) -> int:
        return sum(result.lines_skipped for result in self.results)

    @property
    def already_imported(self) -> bool:
        return self.statement is None


class StatementsWithoutAccount(ImportFailed):
    """Statements of a file match no bank account of the ledger; `account_ids` lists them
    for the user to pick an account for each."""

    def __init__(self, message, line_errors, account_ids: list[str]):
        super().__init__(message, line_errors)
        self.account_ids = account_ids


def _known_fingerprints(session: Session, bank_account_id: int, candidates: list[str]) -> set:
    known = set()
    for start in range(0, len(candidates), FINGERPRINT_CHUNK):
        known.update(
            session.scalars(
                select(BankLine.fingerprint).where(
                    BankLine.bank_account_id == bank_account_id,
                    BankLine.fingerprint.in_(candidates[start : start + FINGERPRINT_CHUNK]),
                )
            )
        )
    return known


def account_key(identifier: str) -> str:
    """An account id as compared: without spaces or dashes, in capitals."""
    return re.sub(r"[\s-]", "", identifier or "").upper()


def same_account(recorded: str, in_file: str) -> bool:
    """Whether a statement's account id names the bank account: the same id, or an IBAN
    and the national account number it carries after its four first characters (one bank
    writes the IBAN in CAMT.053 and the RIB in OFX or MT940)."""
    recorded, in_file = account_key(recorded), account_key(in_file)
    return recorded == in_file or recorded[4:] == in_file or in_file[4:] == recorded


def describe(read: statement_files.ReadStatement) -> str:
    """A statement as listed to the user: its account id, currency, period and lines."""
    period = "{} – {}".format(
        (read.start_on or (read.lines[0].on if read.lines else None) or "?"),
        (read.end_on or (read.lines[-1].on if read.lines else None) or "?"),
    )
    return _l(
        "%(statement)s: account %(account)s, %(currency)s, %(period)s, %(count)d lines",
        statement=read.name or _l("the statement"),
        account=read.account_id or "-",
        currency=read.currency or "-",
        period=period,
        count=len(read.lines),
    )


def _accounts_of_statements(
    session: Session,
    bank_account: BankAccount,
    reads: list[statement_files.ReadStatement],
    accounts_for: dict[str, int],
) -> list[BankAccount]:
    """The bank account each statement goes into: the chosen one when the file's statements
    are all of one account (one statement, or an MT940 file of several days); otherwise the
    one the user picked for its account id, or the ledger's bank account that carries this
    id. Raises StatementsWithoutAccount naming the others."""
    if len({account_key(read.account_id) for read in reads}) == 1:
        return [bank_account] * len(reads)
    ledger_accounts = bank_accounts(session, bank_account.ledger_id)
    by_id = {account.id: account for account in ledger_accounts}
    picked = {account_key(key): value for key, value in accounts_for.items()}
    found, missing = [], []
    for number, read in enumerate(reads, start=1):
        account = by_id.get(picked.get(account_key(read.account_id)))
        if account is None and read.account_id:
            account = next(
                (
                    candidate
                    for candidate in ledger_accounts
                    if candidate.account_identifier
                    and same_account(candidate.account_identifier, read.account_id)
                ),
                None,
            )
        if account is None:
            missing.append((number, read))
        found.append(account)
    if missing:
        raise StatementsWithoutAccount(
            _l(
                "The file holds %(count)d statements; some match no bank account of these"
                " books: choose the bank account of each.",
                count=len(reads),
            ),
            [(number, describe(read)) for number, read in missing],
            [read.account_id for _number, read in missing],
        )
    return found


def _check_account(bank_account: BankAccount, read: statement_files.ReadStatement) -> None:
    """Refuse a statement of another currency or another account; record the account id of
    the first statement. Raises ImportFailed saying both values."""
    if read.currency and read.currency != bank_account.currency:
        raise ImportFailed(
            _l(
                "%(statement)s is in %(found)s; the bank account %(name)s is in %(expected)s.",
                statement=read.name or _l("The statement"),
                found=read.currency,
                name=bank_account.name,
                expected=bank_account.currency,
            ),
            [],
        )
    if not read.account_id:
        return
    if bank_account.account_identifier and not same_account(
        bank_account.account_identifier, read.account_id
    ):
        raise ImportFailed(
            _l(
                "%(statement)s is for account %(found)s; the bank account %(name)s is"
                " %(expected)s.",
                statement=read.name or _l("The statement"),
                found=read.account_id,
                name=bank_account.name,
                expected=bank_account.account_identifier,
            ),
            [],
        )
    if not bank_account.account_identifier:
        bank_account.account_identifier = read.account_id.strip()[:35]


def _last_closing(session: Session, bank_account_id: int) -> Decimal:
    last = session.scalar(
        select(BankStatement.closing_balance)
        .where(BankStatement.bank_account_id == bank_account_id)
        .order_by(BankStatement.end_on.desc(), BankStatement.id.desc())
        .limit(1)
    )
    return ZERO if last is None else last


def import_statement(
    session: Session,
    bank_account_id: int,
    content: bytes,
    filename: str,
    *,
    source: str = "csv",
    opening_balance: Decimal | None = None,
    closing_balance: Decimal | None = None,
    bank_format_id: int | None = None,
    accounts_for: dict[str, int] | None = None,
    actor=None,
) -> FileImport:
    """Import a bank statement file (CSV, OFX, MT940 or CAMT.053, `source` "auto" to tell by
    its content): every statement and every line, or nothing.

    A file of one statement goes into the bank account `bank_account_id`; each statement of
    a file of several goes into the ledger's bank account whose account id it carries, or
    the one `accounts_for` picks for its account id. A statement's currency and account id
    must be its bank account's (the first import records the account id). CSV files are
    read with the bank account's format, or with `bank_format_id`, which the account then
    remembers. Lines already imported for an account are skipped; a statement whose every
    line is known adds nothing (its result has no statement). Raises ImportFailed
    (unreadable file or lines, balances that do not add up, another currency or account,
    StatementsWithoutAccount), NotFound.
    """
    bank_account = session.get(BankAccount, bank_account_id)
    if bank_account is None:
        raise _not_found()
    if source == "auto":
        source = statement_files.detect_source(content)
    if source == "csv" and bank_format_id is not None:
        bank_account.bank_format = get_bank_format(session, bank_format_id)
    reads = statement_files.read_statements(content, source, bank_account.bank_format)
    if not any(read.lines for read in reads):
        raise ImportFailed(_l("The file holds no statement line."), [])
    if len(reads) > 1 and (opening_balance is not None or closing_balance is not None):
        raise ImportFailed(
            _l("Balances can be given only for a file of one statement."),
            [(number, describe(read)) for number, read in enumerate(reads, start=1)],
        )
    targets = _accounts_of_statements(session, bank_account, reads, accounts_for or {})
    # every statement is read and checked before any is saved: a refusal leaves nothing
    checked = []
    for read, target in zip(reads, targets, strict=True):
        _check_account(target, read)
        if not read.lines:
            checked.append((read, target, None))
            continue
        balances = statement_files.check_balances(
            read,
            opening=opening_balance,
            closing=closing_balance,
            previous_closing=_last_closing(session, target.id),
        )
        checked.append((read, target, balances))
    digest = hashlib.sha256(content).hexdigest()
    return FileImport(
        [
            _save_statement(session, read, target, balances, source, filename, digest, actor)
            for read, target, balances in checked
        ]
    )


def _save_statement(
    session: Session,
    read: statement_files.ReadStatement,
    bank_account: BankAccount,
    balances: statement_files.Balances | None,
    source: str,
    filename: str,
    digest: str,
    actor,
) -> ImportResult:
    """Save the lines of one checked statement that the account does not have yet."""
    if balances is None:  # a statement of the file with balances and no line
        return ImportResult(read, bank_account, None)
    prints = statement_files.fingerprints(read.lines)
    known = _known_fingerprints(session, bank_account.id, prints)
    new = [(line, print_) for line, print_ in zip(read.lines, prints, strict=True)]
    new = [(line, print_) for line, print_ in new if print_ not in known]
    if not new:
        return ImportResult(
            read,
            bank_account,
            None,
            lines_skipped=len(read.lines),
            balances_checked=balances.checked,
        )
    statement = BankStatement(
        ledger_id=bank_account.ledger_id,
        bank_account_id=bank_account.id,
        source=source,
        filename=(filename or "")[:255],
        file_sha256=digest,
        start_on=min(read.start_on or read.lines[0].on, read.lines[0].on),
        end_on=max(read.end_on or read.lines[-1].on, read.lines[-1].on),
        opening_balance=balances.opening,
        closing_balance=balances.closing,
        balances_checked=balances.checked,
        lines_added=len(new),
        lines_skipped=len(read.lines) - len(new),
        imported_by_id=getattr(actor, "id", None),
    )
    session.add(statement)
    session.flush()
    session.add_all(
        BankLine(
            ledger_id=bank_account.ledger_id,
            bank_account_id=bank_account.id,
            statement_id=statement.id,
            date=line.on,
            label=line.label,
            reference=line.reference,
            amount=line.amount,
            balance=line.balance,
            fingerprint=print_,
        )
        for line, print_ in new
    )
    session.flush()
    return ImportResult(
        read,
        bank_account,
        statement,
        lines_added=len(new),
        lines_skipped=statement.lines_skipped,
        balances_checked=balances.checked,
    )


# --- reconciliation ----------------------------------------------------------------------


@dataclass
class Suggestion:
    line: Line
    score: int
    days: int  #: how far apart the bank line and the book line are dated
    reference_found: bool


def _open_book_lines(session: Session, bank_account: BankAccount):
    """Posted lines of the bank account in the books that no bank line has taken yet."""
    return (
        select(Line)
        .join(Entry, Entry.id == Line.entry_id)
        .where(
            Line.ledger_id == bank_account.ledger_id,
            Line.account_id == bank_account.account_id,
            Line.posted,
            ~select(Reconciliation.id).where(Reconciliation.line_id == Line.id).exists(),
        )
        .options(selectinload(Line.entry))
    )


def _tokens(text: str) -> set[str]:
    """The words of a bank label that can name a document: numbers and references
    (`CHQ 0012345`, `FA-2026-00012`), not `VIR` or `DE`."""
    return {
        token
        for token in re.split(r"[\s/:;,()]+", statement_files.normalise(text))
        if len(token) >= 4 and any(character.isdigit() for character in token)
    }


def suggestions(session: Session, bank_line_id: int, limit: int = 5) -> list[Suggestion]:
    """Open book lines of the same amount within SUGGESTION_DAYS days of the bank line, best
    first: a reference of the bank label found in the entry, then the closest date."""
    bank_line = session.get(BankLine, bank_line_id)
    if bank_line is None:
        raise _not_found()
    amount = bank_line.amount
    window = timedelta(days=SUGGESTION_DAYS)
    query = _open_book_lines(session, bank_line.bank_account).where(
        Line.date >= bank_line.date - window,
        Line.date <= bank_line.date + window,
        Line.debit == (amount if amount > 0 else ZERO),
        Line.credit == (-amount if amount < 0 else ZERO),
    )
    tokens = _tokens(f"{bank_line.label} {bank_line.reference}")
    found = []
    for line in session.scalars(query):
        days = abs((line.date - bank_line.date).days)
        haystack = statement_files.normalise(
            " ".join((line.entry.number or "", line.entry.reference, line.entry.label, line.label))
        )
        reference_found = any(token in haystack for token in tokens)
        score = 100 - days * 5 + (50 if reference_found else 0)
        found.append(Suggestion(line, score, days, reference_found))
    found.sort(key=lambda suggestion: (-suggestion.score, suggestion.line.id))
    return found[:limit]


def candidate_lines(session: Session, bank_line_id: int, *, limit: int = 50) -> list[Line]:
    """Open book lines of the same direction as the bank line, closest dates first: what the
    accountant picks from to gather several lines (a deposit of several cheques)."""
    bank_line = session.get(BankLine, bank_line_id)
    if bank_line is None:
        raise _not_found()
    side = Line.debit > 0 if bank_line.amount > 0 else Line.credit > 0
    lines = session.scalars(_open_book_lines(session, bank_line.bank_account).where(side)).all()
    lines = sorted(lines, key=lambda line: (abs((line.date - bank_line.date).days), line.id))
    return lines[:limit]


def reconcile(session: Session, bank_line_id: int, line_ids: list[int], *, actor) -> BankLine:
    """Reconcile a bank line with posted lines of its bank account whose debit − credit add up
    to its amount; the bank line is then locked. Raises ReconciliationRefused, NotFound."""
    bank_line = get_bank_line(session, bank_line_id, actor=actor)
    if bank_line.reconciled:
        raise ReconciliationRefused(
            _l("This bank line is already reconciled: undo the reconciliation first.")
        )
    line_ids = sorted(set(line_ids))
    if not line_ids:
        raise ReconciliationRefused(_l("Choose the lines of the books to reconcile with."))
    lines = session.scalars(
        _open_book_lines(session, bank_line.bank_account).where(Line.id.in_(line_ids))
    ).all()
    if len(lines) != len(line_ids):
        raise ReconciliationRefused(
            _l("A chosen line is not an open line of this bank account in the books.")
        )
    total = sum((line.debit - line.credit for line in lines), ZERO)
    if total != bank_line.amount:
        raise ReconciliationRefused(
            _l(
                "The chosen lines add up to %(total)s, the bank line is %(amount)s.",
                total=total,
                amount=bank_line.amount,
            )
        )
    bank_line.reconciliations.extend(
        Reconciliation(ledger_id=bank_line.ledger_id, line_id=line.id) for line in lines
    )
    bank_line.reconciled_at = utcnow()
    bank_line.reconciled_by_id = getattr(actor, "id", None)
    session.flush()
    return bank_line


def undo_reconciliation(session: Session, bank_line_id: int, *, actor) -> BankLine:
    """Reopen a reconciled bank line: its book lines are open again. Raises
    ReconciliationRefused, NotFound."""
    bank_line = get_bank_line(session, bank_line_id, actor=actor)
    if not bank_line.reconciled:
        raise ReconciliationRefused(_l("This bank line is not reconciled."))
    for reconciliation in session.scalars(
        select(Reconciliation).where(Reconciliation.bank_line_id == bank_line.id)
    ):
        session.delete(reconciliation)
    session.expire(bank_line, ["reconciliations"])
    bank_line.reconciled_at = None
    bank_line.reconciled_by_id = None
    session.flush()
    return bank_line


def reconciled_lines(session: Session, bank_line_id: int) -> list[Line]:
    return list(
        session.scalars(
            select(Line)
            .join(Reconciliation, Reconciliation.line_id == Line.id)
            .where(Reconciliation.bank_line_id == bank_line_id)
            .options(selectinload(Line.entry))
            .order_by(Line.date, Line.id)
        )
    )


# --- entries from bank lines and their rules ---------------------------------------------


def _rule_scope(ledger_id: int | None):
    """The rules ordered together: a ledger's own, or the global ones."""
    return BankRule.ledger_id.is_(None) if ledger_id is None else BankRule.ledger_id == ledger_id


def rules(session: Session, ledger_id: int, *, with_inactive: bool = False) -> list[BankRule]:
    """The rules that apply to a ledger (the active ones unless `with_inactive`), in the
    order they are tried: the ledger's own before the global ones, then by position."""
    query = select(BankRule).where(
        or_(BankRule.ledger_id == ledger_id, BankRule.ledger_id.is_(None))
    )
    if not with_inactive:
        query = query.where(BankRule.active)
    return list(
        session.scalars(
            query.order_by(BankRule.ledger_id.is_(None), BankRule.position, BankRule.id)
        )
    )


def rule_for(session: Session, bank_line: BankLine) -> BankRule | None:
    label = statement_files.normalise(f"{bank_line.label} {bank_line.reference}")
    for rule in rules(session, bank_line.ledger_id):
        if statement_files.normalise(rule.pattern) in label:
            return rule
    return None


def get_rule(session: Session, rule_id: int, *, ledger_id: int) -> BankRule:
    """A rule that applies to the ledger: its own or a global one. Raises NotFound (a rule
    of another ledger is not found, so scoping the ledger scopes its rules)."""
    rule = session.get(BankRule, rule_id)
    if rule is None or rule.ledger_id not in (ledger_id, None):
        raise _not_found()
    return rule


def _rule_values(
    session: Session, *, ledger_id: int | None, pattern: str, account_code: str, check_chart: bool
) -> tuple[str, str]:
    """The pattern and account code as kept. Raises ValidationError."""
    pattern, account_code = (pattern or "").strip(), (account_code or "").strip()
    errors: dict[str, list] = {}
    if len(statement_files.normalise(pattern)) < 2:
        errors["pattern"] = [_l("Give at least two characters of the label.")]
    if not (account_code.isdigit() and 2 <= len(account_code) <= 12):
        errors["account_code"] = [_l("An account code is 2 to 12 digits, e.g. 34211.")]
    elif (
        check_chart
        and ledger_id is not None
        and not session.scalar(
            select(Account.id).where(Account.ledger_id == ledger_id, Account.code == account_code)
        )
    ):
        errors["account_code"] = [
            _l("Account %(code)s does not exist in these books.", code=account_code)
        ]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    return pattern[:80], account_code


def save_rule(
    session: Session,
    *,
    ledger_id: int | None,
    pattern: str,
    account_code: str,
    label: str = "",
    check_chart: bool = False,
) -> BankRule:
    """Remember "label contains PATTERN -> account", last of its ledger's rules (or of the
    global ones when `ledger_id` is None). With `check_chart`, a ledger rule's account must
    be in the ledger's chart. Raises ValidationError."""
    pattern, account_code = _rule_values(
        session,
        ledger_id=ledger_id,
        pattern=pattern,
        account_code=account_code,
        check_chart=check_chart,
    )
    position = 1 + (
        session.scalar(select(func.max(BankRule.position)).where(_rule_scope(ledger_id))) or 0
    )
    rule = BankRule(
        ledger_id=ledger_id,
        pattern=pattern,
        account_code=account_code,
        label=(label or "").strip()[:200],
        position=position,
    )
    session.add(rule)
    session.flush()
    return rule


def update_rule(
    session: Session, rule_id: int, *, ledger_id: int, pattern: str, account_code: str, label: str
) -> BankRule:
    """Change a rule's pattern, account and entry label; a ledger rule's account must be in
    the ledger's chart. Raises ValidationError, NotFound."""
    rule = get_rule(session, rule_id, ledger_id=ledger_id)
    rule.pattern, rule.account_code = _rule_values(
        session,
        ledger_id=rule.ledger_id,
        pattern=pattern,
        account_code=account_code,
        check_chart=True,
    )
    rule.label = (label or "").strip()[:200]
    session.flush()
    return rule


def set_rule_active(session: Session, rule_id: int, *, ledger_id: int, active: bool) -> BankRule:
    """An inactive rule is kept but never proposes its account. Raises NotFound."""
    rule = get_rule(session, rule_id, ledger_id=ledger_id)
    rule.active = active
    session.flush()
    return rule


def move_rule(session: Session, rule_id: int, *, ledger_id: int, up: bool) -> BankRule:
    """Try a rule one place earlier (`up`) or later among the rules of its scope (the
    ledger's own, or the global ones); at either end nothing moves. Raises NotFound."""
    rule = get_rule(session, rule_id, ledger_id=ledger_id)
    ordered = list(
        session.scalars(
            select(BankRule)
            .where(_rule_scope(rule.ledger_id))
            .order_by(BankRule.position, BankRule.id)
            .with_for_update()
        )
    )
    index = ordered.index(rule)
    other = index - 1 if up else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    # positions renumbered from 1: rules created side by side may share one
    for position, each in enumerate(ordered, start=1):
        each.position = position
    session.flush()
    return rule


def delete_rule(session: Session, rule_id: int, *, ledger_id: int) -> None:
    """Forget a rule; entries it proposed stay as they are. Raises NotFound."""
    session.delete(get_rule(session, rule_id, ledger_id=ledger_id))
    session.flush()


def entry_from_line(
    session: Session,
    bank_line_id: int,
    *,
    account_code: str,
    label: str | None = None,
    remember_as: str | None = None,
    actor,
) -> Entry:
    """Post what the books do not have yet (bank fees, a transfer) from a bank line, in
    journal BQ on its date, and reconcile the line with it; with `remember_as` (a pattern, or
    "" for the line's label), remember the account as the ledger's rule for the next lines.
    Raises ReconciliationRefused, ValidationError, PostingRefused (closed year, lock date);
    nothing changes then."""
    bank_line = get_bank_line(session, bank_line_id, actor=actor)
    if bank_line.reconciled:
        raise ReconciliationRefused(
            _l("This bank line is already reconciled: undo the reconciliation first.")
        )
    account_code = (account_code or "").strip()
    bank_code = bank_line.bank_account.account.code
    if account_code == bank_code:
        raise ValidationError(
            _l("Choose the counterpart account, not the bank's."),
            field_errors={"account_code": [_l("Choose the counterpart account, not the bank's.")]},
        )
    amount = abs(bank_line.amount)
    if bank_line.amount > 0:
        lines = [LineInput(bank_code, debit=amount), LineInput(account_code, credit=amount)]
    else:
        lines = [LineInput(account_code, debit=amount), LineInput(bank_code, credit=amount)]
    with session.begin_nested():
        try:
            entry = accounting.record_entry(
                session,
                bank_line.ledger_id,
                journal_code="BQ",
                entry_date=bank_line.date,
                label=((label or "").strip() or bank_line.label)[:200],
                reference=bank_line.reference[:60],
                lines=lines,
                actor=actor,
            )
        except ValidationError as error:
            messages = [str(m) for values in error.field_errors.values() for m in values]
            raise ValidationError(
                messages[0] if messages else error.message,
                field_errors={"account_code": messages},
            ) from None
        bank_side = next(line for line in entry.lines if line.account.code == bank_code)
        reconcile(session, bank_line.id, [bank_side.id], actor=actor)
    if remember_as is not None:
        given_label = (label or "").strip()
        save_rule(
            session,
            ledger_id=bank_line.ledger_id,
            pattern=remember_as,
            account_code=account_code,
            label=given_label if given_label != bank_line.label else "",
        )
    return entry


# --- the reconciliation statement --------------------------------------------------------


@dataclass
class ReconciliationView:
    on: date
    opening: Decimal  #: the first statement's opening balance
    bank_balance: Decimal  #: the statement's balance at `on`
    book_balance: Decimal
    reconciled_balance: Decimal
    #: the books' lines dated before the first statement and not on it, less its opening
    #: balance: zero when the books and the bank agreed when statements began
    opening_gap: Decimal
    bank_lines: list[BankLine]  #: on the statement, not yet in the books
    book_lines: list[Line]  #: in the books, not yet on the statement
    statement: BankStatement | None  #: the last statement ending on or before `on`

    @property
    def bank_lines_total(self) -> Decimal:
        return sum((line.amount for line in self.bank_lines), ZERO)

    @property
    def book_lines_total(self) -> Decimal:
        return sum((line.debit - line.credit for line in self.book_lines), ZERO)

    @property
    def explained_balance(self) -> Decimal:
        return self.book_balance - self.book_lines_total + self.bank_lines_total - self.opening_gap

    @property
    def explained(self) -> bool:
        return self.explained_balance == self.bank_balance


def _book_sum(session: Session, bank_account: BankAccount, *conditions) -> Decimal:
    """Debit − credit of the account's posted lines (summed as Money, exact on both
    databases)."""
    debit, credit = session.execute(
        select(func.sum(Line.debit), func.sum(Line.credit)).where(
            Line.ledger_id == bank_account.ledger_id,
            Line.account_id == bank_account.account_id,
            Line.posted,
            *conditions,
        )
    ).one()
    return (debit or ZERO) - (credit or ZERO)


def reconciliation_view(
    session: Session, bank_account_id: int, *, on: date | None = None
) -> ReconciliationView:
    """The bank's balance against the books' at `on` (default: the last statement's end),
    the difference explained by the lines either side has and the other has not yet."""
    bank_account = session.get(BankAccount, bank_account_id)
    if bank_account is None:
        raise _not_found()
    first = session.scalar(
        select(BankStatement)
        .where(BankStatement.bank_account_id == bank_account.id)
        .order_by(BankStatement.start_on, BankStatement.id)
        .limit(1)
    )
    if on is None:
        on = (
            session.scalar(
                select(func.max(BankStatement.end_on)).where(
                    BankStatement.bank_account_id == bank_account.id
                )
            )
            or date.today()
        )
    last = session.scalar(
        select(BankStatement)
        .where(BankStatement.bank_account_id == bank_account.id, BankStatement.end_on <= on)
        .order_by(BankStatement.end_on.desc(), BankStatement.id.desc())
        .limit(1)
    )
    opening = first.opening_balance if first is not None else ZERO
    start = first.start_on if first is not None else None
    bank_total = session.scalar(
        select(func.sum(BankLine.amount)).where(
            BankLine.bank_account_id == bank_account.id, BankLine.date <= on
        )
    )
    bank_balance = opening + (bank_total or ZERO)
    reconciled_here = (
        select(Reconciliation.line_id)
        .join(BankLine, BankLine.id == Reconciliation.bank_line_id)
        .where(BankLine.bank_account_id == bank_account.id, BankLine.date <= on)
    )
    reconciled = _book_sum(session, bank_account, Line.id.in_(reconciled_here))
    book_balance = _book_sum(session, bank_account, Line.date <= on)
    before_statements = (
        _book_sum(session, bank_account, Line.date < start, Line.id.not_in(reconciled_here))
        if start is not None
        else opening
    )
    book_lines = []
    if start is not None:
        book_lines = session.scalars(
            select(Line)
            .where(
                Line.ledger_id == bank_account.ledger_id,
                Line.account_id == bank_account.account_id,
                Line.posted,
                Line.date >= start,
                Line.date <= on,
                Line.id.not_in(reconciled_here),
            )
            .options(selectinload(Line.entry))
            .order_by(Line.date, Line.id)
        ).all()
    bank_lines = session.scalars(
        select(BankLine)
        .where(
            BankLine.bank_account_id == bank_account.id,
            BankLine.date <= on,
            BankLine.reconciled_at.is_(None),
        )
        .order_by(BankLine.date, BankLine.id)
    ).all()
    return ReconciliationView(
        on=on,
        opening=opening,
        bank_balance=bank_balance,
        book_balance=book_balance,
        reconciled_balance=opening + reconciled,
        opening_gap=before_statements - opening,
        bank_lines=list(bank_lines),
        book_lines=list(book_lines),
        statement=last,
    )
