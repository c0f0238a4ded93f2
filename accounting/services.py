"""Operations on the books. Every rule of double entry lives here.

Posting serialises on the ledger row (SELECT ... FOR UPDATE), which makes both the gapless
numbering per journal and year and the ledger's hash chain safe under concurrent posting.
"""

import csv
import hashlib
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from accounting.models import (
    GIE_LEDGER_CODE,
    JOURNALS,
    Account,
    Entry,
    FiscalYear,
    Journal,
    Ledger,
    Line,
)
from gie.audit.services import actor_id_of
from gie.cooperatives.models import Cooperative
from gie.db import utcnow
from gie.errors import DomainError, NotFound, ValidationError
from gie.money import ZERO, D, to_cents
from gie.security import get_scoped, scope

CHART_TEMPLATE = Path(__file__).parent / "data" / "cgnc-accounts.csv"

#: the kind of an account a chart template does not name, by CGNC class (class 1 and 5
#: depend on the rubric: 14-17 are debts and provisions, 55 is bank overdraft)
CLASS_KINDS = {
    0: "equity",
    1: "equity",
    2: "asset",
    3: "asset",
    4: "liability",
    5: "asset",
    6: "expense",
    7: "income",
    8: "equity",
    9: "expense",
}


#: the journal of opening entries (à-nouveaux)
OPENING_JOURNAL = "AN"


class PostingRefused(DomainError):
    """An entry breaks a rule of double entry; nothing was posted."""


def _not_found():
    return NotFound(_l("This page does not exist."))


# --- ledgers -----------------------------------------------------------------------------


def _chart_template() -> list[dict]:
    with CHART_TEMPLATE.open(encoding="utf-8") as template:
        return list(csv.DictReader(template))


def open_ledger(session: Session, code: str, *, first_year: int) -> Ledger:
    """Open the books of a cooperative (by its code) or of the GIE (code GIE): the CGNC chart,
    the six journals and the first fiscal year (a calendar year). Raises ValidationError."""
    code = code.strip().upper()
    if session.scalar(select(Ledger.id).where(Ledger.code == code)):
        raise ValidationError(_l("The books of %(code)s are already open.", code=code))
    if code == GIE_LEDGER_CODE:
        cooperative, name = None, "GIE Tanger-Tétouan-Al Hoceïma"
    else:
        cooperative = session.scalar(select(Cooperative).where(Cooperative.code == code))
        if cooperative is None:
            raise ValidationError(_l("No cooperative has the code %(code)s.", code=code))
        name = cooperative.name
    if not 1990 <= first_year <= 2100:
        raise ValidationError(_l("Give a year between 1990 and 2100."))
    ledger = Ledger(code=code, name=name, cooperative_id=cooperative.id if cooperative else None)
    session.add(ledger)
    session.flush()
    session.add_all(
        Account(
            ledger_id=ledger.id,
            code=row["code"],
            label=row["label"],
            class_number=int(row["class"]),
            kind=row["type"],
        )
        for row in _chart_template()
    )
    session.add_all(
        Journal(ledger_id=ledger.id, code=journal, name=name) for journal, name in JOURNALS.items()
    )
    session.add(_fiscal_year(ledger.id, first_year))
    session.flush()
    return ledger


def _fiscal_year(ledger_id: int, year: int) -> FiscalYear:
    start = date(year, 1, 1)
    return FiscalYear(
        ledger_id=ledger_id,
        name=str(year),
        start_on=start,
        end_on=start + relativedelta(years=1, days=-1),
    )


def get_ledger(session: Session, ledger_id: int, *, actor) -> Ledger:
    """A ledger the actor may see (a president: only their cooperative's). Raises NotFound."""
    return get_scoped(session, Ledger, ledger_id, actor)


def ledger_by_code(session: Session, code: str) -> Ledger:
    """For commands: the ledger of a cooperative code, or GIE. Raises NotFound."""
    ledger = session.scalar(select(Ledger).where(Ledger.code == code.strip().upper()))
    if ledger is None:
        raise NotFound(_l("No books are open for %(code)s.", code=code))
    return ledger


def visible_ledgers(session: Session, actor) -> list[Ledger]:
    return list(session.scalars(scope(select(Ledger), Ledger, actor).order_by(Ledger.code)))


def add_fiscal_year(session: Session, ledger_id: int) -> FiscalYear:
    """Open the year after the ledger's last one."""
    last = session.scalar(
        select(FiscalYear)
        .where(FiscalYear.ledger_id == ledger_id)
        .order_by(FiscalYear.start_on.desc())
    )
    year = _fiscal_year(ledger_id, last.end_on.year + 1)
    session.add(year)
    session.flush()
    return year


def set_fiscal_year_closed(session: Session, fiscal_year_id: int, closed: bool) -> FiscalYear:
    year = session.get(FiscalYear, fiscal_year_id)
    if year is None:
        raise _not_found()
    year.closed = closed
    session.flush()
    return year


def set_lock_date(session: Session, ledger_id: int, lock_date: date | None) -> Ledger:
    """Nothing may be posted on or before the lock date."""
    ledger = session.get(Ledger, ledger_id)
    if ledger is None:
        raise _not_found()
    ledger.lock_date = lock_date
    session.flush()
    return ledger


# --- chart of accounts ---------------------------------------------------------------------


def _kind_for(session: Session, ledger_id: int, code: str) -> str:
    """The kind of the closest parent account, else the CGNC class's."""
    parents = session.scalars(
        select(Account).where(
            Account.ledger_id == ledger_id,
            Account.code.in_([code[:n] for n in range(len(code) - 1, 1, -1)]),
        )
    ).all()
    if parents:
        return max(parents, key=lambda a: len(a.code)).kind
    if code.startswith(("14", "15", "16", "17", "55")):
        return "liability"
    return CLASS_KINDS[int(code[0])]


def add_account(session: Session, ledger_id: int, code: str, label: str) -> Account:
    """Add an account (usually a sub-account such as 34211). Raises ValidationError."""
    code, label = code.strip(), label.strip()
    errors = {}
    if not code.isdigit() or not 2 <= len(code) <= 12:
        errors["code"] = [_l("An account code is 2 to 12 digits, e.g. 34211.")]
    elif session.scalar(
        select(Account.id).where(Account.ledger_id == ledger_id, Account.code == code)
    ):
        errors["code"] = [_l("This account already exists.")]
    if not label:
        errors["label"] = [_l("This field is required.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    account = Account(
        ledger_id=ledger_id,
        code=code,
        label=label,
        class_number=int(code[0]),
        kind=_kind_for(session, ledger_id, code),
    )
    session.add(account)
    session.flush()
    return account


def get_account(session: Session, account_id: int, *, actor) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise _not_found()
    get_ledger(session, account.ledger_id, actor=actor)
    return account


def update_account(
    session: Session, account_id: int, *, label: str, active: bool, actor
) -> Account:
    """Rename or (de)activate an account. Raises NotFound, ValidationError."""
    account = get_account(session, account_id, actor=actor)
    if not label.strip():
        raise ValidationError(
            _l("Please correct the highlighted fields."),
            field_errors={"label": [_l("This field is required.")]},
        )
    account.label = label.strip()
    account.active = active
    session.flush()
    return account


def account_is_used(session: Session, account_id: int) -> bool:
    return session.scalar(select(Line.id).where(Line.account_id == account_id).limit(1)) is not None


def delete_account(session: Session, account_id: int, *, actor) -> None:
    """Delete an account that no line uses; a used account can only be deactivated."""
    account = get_account(session, account_id, actor=actor)
    if account_is_used(session, account_id):
        raise DomainError(_l("Account %(code)s is used: deactivate it instead.", code=account.code))
    session.delete(account)
    session.flush()


# --- entries -----------------------------------------------------------------------------


@dataclass
class LineInput:
    account_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    label: str = ""
    partner: str = ""
    #: the VAT rate (percent) of a taxable base or VAT line, read by the VAT return
    vat_rate: Decimal | None = None


def get_entry(session: Session, entry_id: int, *, actor) -> Entry:
    entry = session.get(
        Entry, entry_id, options=[selectinload(Entry.lines).selectinload(Line.account)]
    )
    if entry is None:
        raise _not_found()
    get_ledger(session, entry.ledger_id, actor=actor)
    return entry


def save_draft(
    session: Session,
    ledger_id: int,
    *,
    journal_code: str,
    entry_date: date,
    label: str,
    lines: list[LineInput],
    reference: str = "",
    entry_id: int | None = None,
) -> Entry:
    """Create or replace a draft entry. A draft may be unbalanced; posting checks it.

    Raises ValidationError (unknown journal or account, bad amounts), NotFound.
    """
    journal = session.scalar(
        select(Journal).where(Journal.ledger_id == ledger_id, Journal.code == journal_code)
    )
    errors: dict[str, list] = {}
    if journal is None:
        errors["journal"] = [_l("Unknown journal.")]
    if not label.strip():
        errors["label"] = [_l("This field is required.")]
    accounts = _accounts_by_code(session, ledger_id, {line.account_code for line in lines})
    for number, line in enumerate(lines, start=1):
        if line.account_code not in accounts:
            errors.setdefault("lines", []).append(
                _l(
                    "Line %(n)d: account %(code)s does not exist in these books.",
                    n=number,
                    code=line.account_code,
                )
            )
        if line.debit < 0 or line.credit < 0 or (line.debit > 0) == (line.credit > 0):
            errors.setdefault("lines", []).append(
                _l("Line %(n)d: enter either a debit or a credit, positive.", n=number)
            )
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)

    if entry_id is None:
        entry = Entry(ledger_id=ledger_id)
        session.add(entry)
    else:
        entry = session.get(Entry, entry_id)
        if entry is None or entry.ledger_id != ledger_id:
            raise _not_found()
        if entry.posted:
            raise PostingRefused(
                _l("Entry %(number)s is posted: it cannot change.", number=entry.number)
            )
        entry.lines.clear()
    entry.journal_id = journal.id
    entry.date = entry_date
    entry.label = label.strip()
    entry.reference = reference.strip()
    entry.lines.extend(
        Line(
            ledger_id=ledger_id,
            account_id=accounts[line.account_code].id,
            position=position,
            date=entry_date,
            label=line.label.strip() or label.strip(),
            partner=line.partner.strip(),
            debit=D(line.debit),
            credit=D(line.credit),
            vat_rate=line.vat_rate,
        )
        for position, line in enumerate(lines)
    )
    session.flush()
    return entry


def _accounts_by_code(session: Session, ledger_id: int, codes: set[str]) -> dict[str, Account]:
    if not codes:
        return {}
    rows = session.scalars(
        select(Account).where(Account.ledger_id == ledger_id, Account.code.in_(codes))
    )
    return {account.code: account for account in rows}


def delete_draft(session: Session, entry_id: int, *, actor) -> None:
    entry = get_entry(session, entry_id, actor=actor)
    if entry.posted:
        raise PostingRefused(
            _l("Entry %(number)s is posted: reverse it instead.", number=entry.number)
        )
    session.delete(entry)
    session.flush()


def _posting_errors(
    session: Session, entry: Entry, ledger: Ledger, *, closing_opening: bool = False
) -> list:
    errors = []
    if len(entry.lines) < 2:
        errors.append(_l("An entry needs at least two lines."))
    debit, credit = entry.total_debit, entry.total_credit
    if debit != credit:
        errors.append(
            _l(
                "The entry is unbalanced: debit %(debit)s, credit %(credit)s.",
                debit=debit,
                credit=credit,
            )
        )
    for line in entry.lines:
        if line.account.ledger_id != ledger.id:
            errors.append(_l("Account %(code)s belongs to other books.", code=line.account.code))
        elif not line.account.active:
            errors.append(_l("Account %(code)s is deactivated.", code=line.account.code))
    errors += period_errors(ledger, _fiscal_year_of(session, ledger.id, entry.date), entry.date)
    if entry.journal.code == OPENING_JOURNAL and not closing_opening:
        reverses_an_opening = (
            entry.reversal_of is not None and entry.reversal_of.journal.code == OPENING_JOURNAL
        )
        if not reverses_an_opening:
            errors += opening_errors(first_day(session, ledger.id), entry.date)
    return errors


def first_day(session: Session, ledger_id: int) -> date | None:
    """The first day of the ledger's first fiscal year."""
    return session.scalar(
        select(func.min(FiscalYear.start_on)).where(FiscalYear.ledger_id == ledger_id)
    )


def opening_errors(books_first_day: date | None, on: date) -> list:
    """Why an entry dated `on` may not go in journal AN: it holds opening entries only,
    those of the year-end closing and the opening balances of the ledger's first fiscal
    year, dated its first day. Shared by every posting path."""
    if on == books_first_day:
        return []
    return [
        _l(
            "Journal AN holds opening entries only: those of the year-end closing, and the "
            "opening balances of the books' first fiscal year, dated %(date)s.",
            date=books_first_day.isoformat() if books_first_day else "",
        )
    ]


def period_errors(ledger: Ledger, year: FiscalYear | None, on: date) -> list:
    """Why nothing may be posted on `on`: the lock date, and the fiscal year (`year`, the
    one that covers `on`, if any) missing or closed. Shared by every posting path."""
    errors = []
    if ledger.lock_date and on <= ledger.lock_date:
        errors.append(_l("The books are locked up to %(date)s.", date=ledger.lock_date.isoformat()))
    if year is None:
        errors.append(_l("No fiscal year covers %(date)s.", date=on.isoformat()))
    elif year.closed:
        errors.append(_l("Fiscal year %(year)s is closed.", year=year.name))
    return errors


def _fiscal_year_of(session: Session, ledger_id: int, on: date) -> FiscalYear | None:
    return session.scalar(
        select(FiscalYear).where(
            FiscalYear.ledger_id == ledger_id, FiscalYear.start_on <= on, FiscalYear.end_on >= on
        )
    )


def lock_ledger(session: Session, ledger_id: int) -> Ledger:
    """Take the ledger's row lock for the rest of the transaction (PostgreSQL); on SQLite the
    database-wide write lock plays that part."""
    return session.scalars(
        select(Ledger)
        .where(Ledger.id == ledger_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


@dataclass(frozen=True)
class DigestLine:
    account_code: str
    partner: str
    debit: Decimal
    credit: Decimal
    label: str


def digest(
    previous_hash: str,
    ledger_code: str,
    *,
    number: str,
    on: date,
    journal_code: str,
    label: str,
    reference: str,
    lines: list[DigestLine],
) -> str:
    """SHA-256 over the previous posted entry's hash and everything a posted entry says.

    Plain values in, so that bulk paths (the CSV import) chain exactly as `post_entry` does.
    """
    parts = [previous_hash, ledger_code, number, on.isoformat(), journal_code, label, reference]
    parts += [
        f"{line.account_code}:{line.partner}:{to_cents(line.debit)}:{to_cents(line.credit)}:{line.label}"
        for line in lines
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def entry_digest(previous_hash: str, ledger_code: str, entry: Entry) -> str:
    ordered = sorted(entry.lines, key=lambda line: (line.position, line.id))
    return digest(
        previous_hash,
        ledger_code,
        number=entry.number or "",
        on=entry.date,
        journal_code=entry.journal.code,
        label=entry.label,
        reference=entry.reference,
        lines=[
            DigestLine(line.account.code, line.partner, line.debit, line.credit, line.label)
            for line in ordered
        ],
    )


def post_entry(
    session: Session, entry_id: int, *, actor=None, closing_opening: bool = False
) -> Entry:
    """Post a draft entry: check balance, accounts, period and journal, number it, chain its
    hash. `closing_opening`: the opening entry a year-end closing posts in journal AN.

    Raises PostingRefused (with every reason), NotFound.
    """
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise _not_found()
    if actor is not None:
        get_ledger(session, entry.ledger_id, actor=actor)
    ledger = lock_ledger(session, entry.ledger_id)
    session.refresh(entry)
    if entry.posted:
        raise PostingRefused(_l("Entry %(number)s is already posted.", number=entry.number))
    errors = _posting_errors(session, entry, ledger, closing_opening=closing_opening)
    if errors:
        raise PostingRefused(errors[0], field_errors={"entry": errors})
    year = _fiscal_year_of(session, ledger.id, entry.date)
    sequence = 1 + (
        session.scalar(
            select(func.max(Entry.sequence)).where(
                Entry.journal_id == entry.journal_id, Entry.fiscal_year_id == year.id
            )
        )
        or 0
    )
    entry.fiscal_year_id = year.id
    entry.sequence = sequence
    entry.number = f"{entry.journal.code}-{year.name}-{sequence:05d}"
    entry.state = "posted"
    entry.posted_at = utcnow()
    entry.posted_by_id = actor_id_of(actor)
    entry.chain_index = ledger.chain_length + 1
    entry.hash = entry_digest(ledger.chain_head, ledger.code, entry)
    for line in entry.lines:
        line.posted = True
        line.date = entry.date
    ledger.chain_length = entry.chain_index
    ledger.chain_head = entry.hash
    session.flush()
    return entry


def record_entry(
    session: Session,
    ledger_id: int,
    *,
    journal_code: str,
    entry_date: date,
    label: str,
    lines: list[LineInput],
    reference: str = "",
    actor=None,
    closing_opening: bool = False,
) -> Entry:
    """Save and post an entry in one go (what other packages' postings do);
    `closing_opening` as for post_entry.

    Raises ValidationError, PostingRefused.
    """
    entry = save_draft(
        session,
        ledger_id,
        journal_code=journal_code,
        entry_date=entry_date,
        label=label,
        reference=reference,
        lines=lines,
    )
    return post_entry(session, entry.id, actor=actor, closing_opening=closing_opening)


def reverse_entry(session: Session, entry_id: int, *, on: date, actor=None) -> Entry:
    """Post the mirror of a posted entry (debits and credits swapped), linked to it.

    Raises PostingRefused (not posted, already reversed, or the date is refused), NotFound.
    """
    original = session.get(Entry, entry_id)
    if original is None:
        raise _not_found()
    if actor is not None:
        get_ledger(session, original.ledger_id, actor=actor)
    if not original.posted:
        raise PostingRefused(_l("Only a posted entry can be reversed; delete the draft instead."))
    reversed_by = select(Entry.id).where(
        Entry.reversal_of_id == original.id, Entry.state == "posted"
    )
    if session.scalar(reversed_by):
        raise PostingRefused(_l("Entry %(number)s is already reversed.", number=original.number))
    reversal = save_draft(
        session,
        original.ledger_id,
        journal_code=original.journal.code,
        entry_date=on,
        label=str(_l("Reversal of %(number)s", number=original.number)),
        reference=original.number,
        lines=[
            LineInput(
                line.account.code,
                debit=line.credit,
                credit=line.debit,
                label=line.label,
                partner=line.partner,
            )
            for line in original.lines
        ],
    )
    reversal.reversal_of_id = original.id
    return post_entry(session, reversal.id, actor=actor)


def default_reversal_date(session: Session, entry: Entry) -> date | None:
    """The date a reversal form proposes: the original's own date while its period is open,
    else the first day after the lock date that an open fiscal year covers (None if none)."""
    ledger = entry.ledger
    if not period_errors(ledger, _fiscal_year_of(session, ledger.id, entry.date), entry.date):
        return entry.date
    after_lock = ledger.lock_date + relativedelta(days=1) if ledger.lock_date else None
    year = session.scalar(
        select(FiscalYear)
        .where(
            FiscalYear.ledger_id == ledger.id,
            FiscalYear.closed.is_(False),
            FiscalYear.end_on >= (after_lock or date.min),
        )
        .order_by(FiscalYear.start_on)
        .limit(1)
    )
    if year is None:
        return None
    return max(year.start_on, after_lock) if after_lock else year.start_on


# --- integrity ---------------------------------------------------------------------------


@dataclass
class Verification:
    entries_checked: int
    broken_entry: str | None = None  #: number of the first entry that fails
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_entry is None


def verify_ledger(session: Session, ledger_id: int) -> Verification:
    """Recompute the hash chain and the balance of every posted entry, in posting order."""
    ledger = session.get(Ledger, ledger_id)
    entries = session.scalars(
        select(Entry)
        .where(Entry.ledger_id == ledger_id, Entry.state == "posted")
        .order_by(Entry.chain_index)
        .options(selectinload(Entry.lines).selectinload(Line.account), selectinload(Entry.journal))
        .execution_options(yield_per=500)
    )
    with closing(entries):
        return _walk_chain(ledger, entries)


def _walk_chain(ledger: Ledger, entries) -> Verification:
    previous = ""
    checked = 0
    for expected_index, entry in enumerate(entries, start=1):
        checked += 1
        if entry.chain_index != expected_index:
            return Verification(checked, entry.number, "the chain skips or repeats a position")
        if entry.total_debit != entry.total_credit or len(entry.lines) < 2:
            return Verification(checked, entry.number, "debit and credit differ")
        if entry_digest(previous, ledger.code, entry) != entry.hash:
            return Verification(checked, entry.number, "the hash does not match the content")
        previous = entry.hash
    if previous != ledger.chain_head or checked != ledger.chain_length:
        return Verification(
            checked, "(end of chain)", "entries are missing at the end of the chain"
        )
    return Verification(checked)
