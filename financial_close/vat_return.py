"""Computing a VAT return (SIMPL-TVA): the VAT collected and deductible of a ledger's month or
quarter by rate, from the posted lines, and the return as the form numbers its lines (its
validation and settlement: vat_settlement).

Regime of collection (the default): the VAT of an invoice or a purchase with a customer or
supplier line is due, or deductible, as that line is settled by payments (the lettrage
matches, counted from the later of their two lines' dates); entries without such a line
(paid on the spot) count at their date, as every entry does in the debit regime.

A validated return never changes, so what it could not see, an entry posted or a payment
matched after its validation but dated in its period or before, is caught up in the next one.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Row,
    and_,
    false,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from accounting.matching import is_partner_account
from accounting.models import (
    Account,
    Entry,
    Journal,
    Ledger,
    Line,
    Match,
    VatRate,
)
from financial_close.models import VatReturn
from financial_close.vat_settings import VatAccounts
from gie.errors import NotFound
from gie.money import CENT, ZERO, D

KINDS = ("collected", "exempt", "deductible_fixed_assets", "deductible_expenses")
RATE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class RateAmounts:
    rate: Decimal
    base: Decimal
    tax: Decimal


@dataclass(frozen=True)
class EntryToCheck:
    entry_id: int
    number: str
    date: date
    label: str


@dataclass(frozen=True)
class EntryLink:
    entry_id: int
    number: str


@dataclass(frozen=True)
class CaughtUp:
    """VAT dated before the period that the previous return could not see: an entry posted,
    or an invoice settled by a match made, after that return was validated."""

    #: the entry that carries the VAT, then the payment that settled it, if any
    entries: tuple[EntryLink, ...]
    #: the entry's date, or the later date of the match's two lines
    date: date
    collected: Decimal
    deductible: Decimal


@dataclass(frozen=True)
class AccountRead:
    """The VAT a return read from one account: what its settlement clears from it (positive
    for VAT collected credited, or deductible debited, on the account)."""

    code: str
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class LeftOut:
    """A customer or supplier line of the period left open at its end, which a return in
    the regime of collection cannot count: an invoice unpaid, or a payment not matched."""

    entry_id: int
    number: str
    date: date
    account_code: str
    partner: str
    label: str
    #: what is left to match of the line at the period's end
    open_amount: Decimal
    #: an invoice's VAT on that part, not counted; zero for a payment
    vat: Decimal = ZERO


@dataclass
class VatReturnDraft:
    """A return as computed from the posted lines, nothing saved; the SIMPL-TVA line numbers
    are the properties named after them."""

    ledger_id: int
    period_start: date
    period_end: date
    regime: str
    #: per kind (KINDS), the amounts of each rate, lowest rate first
    by_rate: dict[str, list[RateAmounts]]
    previous_credit: Decimal
    to_check: list[EntryToCheck]
    #: what the figures include from earlier periods, oldest first
    caught_up: list[CaughtUp] = field(default_factory=list)
    #: per VAT account read, what the settlement clears from it, by kind then code
    accounts_read: list[AccountRead] = field(default_factory=list)
    #: regime of collection: invoices of the period unpaid at its end, and payments of the
    #: period not matched by its end, oldest first
    unpaid: list[LeftOut] = field(default_factory=list)
    unmatched: list[LeftOut] = field(default_factory=list)

    @property
    def left_out(self) -> bool:
        """Lines the return could not count: validating asks to confirm it leaves them out."""
        return bool(self.unpaid or self.unmatched)

    @property
    def unpaid_total(self) -> Decimal:
        return sum((item.open_amount for item in self.unpaid), ZERO)

    @property
    def unpaid_vat(self) -> Decimal:
        return sum((item.vat for item in self.unpaid), ZERO)

    @property
    def unmatched_total(self) -> Decimal:
        return sum((item.open_amount for item in self.unmatched), ZERO)

    def _total(self, kind: str, attribute: str) -> Decimal:
        return sum((getattr(amounts, attribute) for amounts in self.by_rate[kind]), ZERO)

    @property
    def line_30(self) -> Decimal:  #: exempt without right to deduction (art. 91)
        return self._total("exempt", "base")

    @property
    def line_60(self) -> Decimal:  #: taxable turnover
        return self._total("collected", "base")

    @property
    def line_10(self) -> Decimal:  #: total turnover
        return self.line_30 + self.line_60

    @property
    def line_130(self) -> Decimal:  #: VAT due
        return self._total("collected", "tax")

    @property
    def deductible_fixed_assets(self) -> Decimal:
        return self._total("deductible_fixed_assets", "tax")

    @property
    def deductible_expenses(self) -> Decimal:
        return self._total("deductible_expenses", "tax")

    @property
    def line_170(self) -> Decimal:  #: credit of the previous period
        return self.previous_credit

    @property
    def line_190(self) -> Decimal:  #: total deductible
        return self.deductible_fixed_assets + self.deductible_expenses + self.previous_credit

    @property
    def line_200(self) -> Decimal:  #: VAT payable
        return max(self.line_130 - self.line_190, ZERO)

    @property
    def line_201(self) -> Decimal:  #: credit carried forward
        return max(self.line_190 - self.line_130, ZERO)


@dataclass(frozen=True, slots=True)
class _Account:
    """What the return needs of an account, worked out once rather than for each line."""

    code: str
    class_number: int
    #: the class as the base lines of each kind name it (_BASE_CLASSES)
    line_class: str
    vat_kind: str | None
    #: its lines are customer or supplier lines: always (3421, 4411), when they name a
    #: partner (the other third-party accounts), or never (VAT accounts and the rest)
    partner_lines: str | None

    @classmethod
    def of(cls, code: str, class_number: int, vat_accounts: VatAccounts) -> "_Account":
        vat_kind = vat_accounts.kind(code)
        if vat_kind is not None:
            partner_lines = None
        elif code.startswith(("3421", "4411")):
            partner_lines = "always"
        elif is_partner_account(code):
            partner_lines = "named"
        else:
            partner_lines = None
        return cls(code, class_number, code[:1], vat_kind, partner_lines)


@dataclass(slots=True)
class _BookLine:
    account_id: int
    debit: Decimal
    credit: Decimal
    vat_rate: Decimal | None
    class_number: str
    vat_kind: str | None
    is_partner: bool


@dataclass
class _BookEntry:
    id: int
    number: str
    date: date
    label: str
    reversal_of_id: int | None
    lines: list[_BookLine] = field(default_factory=list)
    #: (kind, rate) -> (base, tax), full amounts; None when a rate cannot be told
    amounts: dict[tuple[str, Decimal], tuple[Decimal, Decimal]] | None = None
    #: the amount of its customer or supplier lines, once its lines are read
    partner_total: Decimal = ZERO

    @property
    def carries_vat(self) -> bool:
        return bool(self.amounts) or self.amounts is None


class _Rates:
    """The rate records, read once: which rates were in force on a date."""

    def __init__(self, session: Session):
        self.records = list(session.scalars(select(VatRate)))
        #: by date: a quarter's thousand entries fall on some ninety days
        self.by_date: dict[date, list[VatRate]] = {}
        self.taxed_by_date: dict[date, set[Decimal]] = {}

    def in_force(self, on: date) -> list[VatRate]:
        if on not in self.by_date:
            self.by_date[on] = [
                record
                for record in self.records
                if record.valid_from <= on and (record.valid_to is None or record.valid_to >= on)
            ]
        return self.by_date[on]

    def taxed(self, on: date) -> set[Decimal]:
        """The rates in force on a date that carry VAT."""
        if on not in self.taxed_by_date:
            self.taxed_by_date[on] = {
                record.rate for record in self.in_force(on) if not record.exempt and record.rate
            }
        return self.taxed_by_date[on]

    def is_exempt(self, rate: Decimal, on: date) -> bool:
        return rate == 0 and any(record.exempt for record in self.in_force(on))

    def snap(self, base: Decimal, tax: Decimal, lines: int, on: date) -> Decimal | None:
        """The rate in force whose tax on `base` is `tax` give or take a centime per line."""
        if base == 0 or tax == 0:
            return None
        tolerance = CENT * max(lines, 1)
        candidates = sorted(self.taxed(on), key=lambda rate: abs(base * rate / 100 - tax))
        for rate in candidates:
            if abs(base * rate / 100 - tax) <= tolerance:
                return rate.quantize(RATE_PLACES)
        return None


#: the classes of the base lines of each kind of VAT line, and +1 when VAT and base are
#: credits (sales), -1 when they are debits (purchases)
_BASE_CLASSES = {
    "collected": (("7",), 1),
    "deductible_fixed_assets": (("2",), -1),
    "deductible_expenses": (("6",), -1),
}


def _signed(line: _BookLine, sign: int) -> Decimal:
    return (line.credit - line.debit) * sign


def _entry_amounts(entry: _BookEntry, rates: _Rates):
    """The entry's base and tax by kind and rate: from the rates billing tagged, else inferred
    from VAT / base snapped to the rates in force; None when a rate cannot be told."""
    amounts: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    vat_lines = [line for line in entry.lines if line.vat_kind]
    kinds = {line.vat_kind for line in vat_lines}
    for kind in kinds:
        classes, sign = _BASE_CLASSES[kind]
        if kind != "collected" and len(kinds - {"collected"}) == 1:
            # One kind of deductible VAT: whatever was bought (fixed asset or expense) is its base.
            classes = ("2", "6")
        kind_lines = [line for line in vat_lines if line.vat_kind == kind]
        base_lines = [line for line in entry.lines if line.class_number in classes]
        if all(line.vat_rate is not None for line in kind_lines):
            tagged = {line.vat_rate.quantize(RATE_PLACES) for line in kind_lines}
            for line in kind_lines:
                amounts[kind, line.vat_rate.quantize(RATE_PLACES)][1] += _signed(line, sign)
            for line in base_lines:
                if line.vat_rate is not None and line.vat_rate.quantize(RATE_PLACES) in tagged:
                    amounts[kind, line.vat_rate.quantize(RATE_PLACES)][0] += _signed(line, sign)
            continue
        if any(line.vat_rate is not None for line in kind_lines):
            return None
        tax = sum((_signed(line, sign) for line in kind_lines), ZERO)
        base = sum((_signed(line, sign) for line in base_lines), ZERO)
        rate = rates.snap(base, tax, len(base_lines), entry.date)
        if rate is None:
            return None
        amounts[kind, rate][0] += base
        amounts[kind, rate][1] += tax
    for line in entry.lines:
        exempt = line.vat_rate is not None and rates.is_exempt(line.vat_rate, entry.date)
        if line.class_number == "7" and exempt:
            amounts["exempt", line.vat_rate.quantize(RATE_PLACES)][0] += _signed(line, 1)
    return {key: (base, tax) for key, (base, tax) in amounts.items()}


def _excluded_entries(session: Session, ledger_id: int) -> set[int]:
    """Entries that are neither sales, purchases nor payments for VAT: the openings (journal
    AN) and the returns' own settlements."""
    settlements = select(VatReturn.entry_id).where(
        VatReturn.ledger_id == ledger_id, VatReturn.entry_id.is_not(None)
    )
    # Through the (journal, ...) unique index rather than all of the ledger's entries.
    openings = select(Entry.id).where(
        Entry.journal_id.in_(
            select(Journal.id).where(Journal.ledger_id == ledger_id, Journal.code == "AN")
        )
    )
    return set(session.scalars(settlements.union(openings)))


@dataclass(frozen=True)
class _CatchUp:
    """What the previous return could not see: dated up to the end of its period, posted or
    matched after its validation (and, to list what a validated return caught up, not after
    that return's own validation)."""

    through: date
    after: datetime
    until: datetime | None = None

    def late(self, known_at):
        """The condition on a timestamp column `known_at`: after the previous validation."""
        bounds = [known_at > self.after]
        if self.until is not None:
            bounds.append(known_at <= self.until)
        return and_(*bounds)


def _among(column, ids):
    """`column IN ids`, the ids written into the statement: a quarter's thousands of ids cost
    more to pass as parameters, or to render one by one, than the database takes to read
    them. Integers only, so nothing can be injected."""
    ids = [int(item) for item in ids]
    if not ids:
        return false()
    return column.op("IN")(literal_column(f"({','.join(map(str, ids))})"))


def _dated_entry_ids(
    session: Session,
    ledger_id: int,
    start: date,
    end: date,
    accounts: dict[int, _Account],
    catch_up: _CatchUp | None,
) -> set[int]:
    """Entries with lines on VAT accounts or exempt sales dated in the period, and with
    `catch_up`, earlier ones posted after the previous return."""
    vat_accounts = [
        account_id for account_id, account in accounts.items() if account.vat_kind is not None
    ]
    sales_accounts = [
        account_id for account_id, account in accounts.items() if account.class_number == 7
    ]
    counted = or_(
        Line.account_id.in_(vat_accounts),
        and_(Line.account_id.in_(sales_accounts), Line.vat_rate == 0),
    )
    # Read through the (account, posted, date) index: the period's lines of these accounts.
    entry_ids = set(
        session.scalars(
            select(Line.entry_id).where(
                Line.account_id.in_(vat_accounts + sales_accounts),
                Line.posted.is_(True),
                Line.date >= start,
                Line.date <= end,
                counted,
            )
        )
    )
    if catch_up is not None:
        # From the ledger's entries posted late, then their lines.
        late = select(Entry.id).where(
            Entry.ledger_id == ledger_id,
            Entry.state == "posted",
            Entry.date <= catch_up.through,
            catch_up.late(Entry.posted_at),
        )
        entry_ids |= set(
            session.scalars(
                select(Line.entry_id).where(Line.entry_id.in_(late), Line.posted.is_(True), counted)
            )
        )
    return entry_ids


def _matches_in(
    session: Session,
    ledger_id: int,
    start: date,
    end: date,
    accounts: dict[int, _Account],
    catch_up: _CatchUp | None,
) -> list[tuple[Decimal, Row, Row]]:
    """The matches that took effect in the period (the later of their two lines' dates falls
    in it) and, with `catch_up`, those made after the previous return that took effect before
    its end."""
    partner_accounts = [
        account_id for account_id, account in accounts.items() if is_partner_account(account.code)
    ]
    if not partner_accounts:
        return []
    # The ledger's matches of the period's partner lines (read from the account index; only
    # posted lines are matched), then the lines of these matches: in simple steps that no
    # planner turns into a scan of every match or line of the books.
    period_lines = select(Line.id).where(
        Line.account_id.in_(partner_accounts),
        Line.posted.is_(True),
        Line.date >= start,
        Line.date <= end,
    )
    columns = (Match.id, Match.amount, Match.debit_line_id, Match.credit_line_id)
    in_period = {
        row.id: row
        for row in session.execute(
            select(*columns).where(
                Match.ledger_id == ledger_id,
                or_(Match.debit_line_id.in_(period_lines), Match.credit_line_id.in_(period_lines)),
            )
        )
    }
    caught_up = {}
    if catch_up is not None:
        caught_up = {
            row.id: row
            for row in session.execute(
                select(*columns).where(
                    Match.ledger_id == ledger_id, catch_up.late(Match.created_at)
                )
            )
        }
    line_ids = {
        line_id
        for row in (*in_period.values(), *caught_up.values())
        for line_id in (row.debit_line_id, row.credit_line_id)
    }
    lines = {
        line.id: line
        for line in session.connection().execute(
            select(Line.id, Line.entry_id, Line.date).where(_among(Line.id, line_ids))
        )
    }
    matches = []
    for match_id, row in (in_period | caught_up).items():
        debit, credit = lines[row.debit_line_id], lines[row.credit_line_id]
        # One of the lines of a match found from the period is dated in it: the match takes
        # effect in the period unless the other line is dated after it.
        latest = max(debit.date, credit.date)
        if (match_id in in_period and latest <= end) or (
            match_id in caught_up and latest <= catch_up.through
        ):
            matches.append((D(row.amount), debit, credit))
    return matches


def _hundredths(stored: int) -> Decimal:
    """The Decimal that `Money` (centimes) and `Fixed(2)` (rates) read, with its two places,
    made here for the thousands of lines of a quarter: their column types cost more."""
    return ZERO if not stored else Decimal(stored).scaleb(-2)


def _load_entries(
    session: Session, entry_ids: set[int], accounts: dict[int, _Account], rates: _Rates
) -> dict[int, _BookEntry]:
    if not entry_ids:
        return {}
    # The entries, then their lines apart: each entry's columns are read once rather than
    # with each of its lines. Core rows: a quarter has thousands of lines.
    connection = session.connection()
    entries = {
        entry_id: _BookEntry(entry_id, number or "", on, label, reversal_of_id)
        for entry_id, number, on, label, reversal_of_id in connection.execute(
            select(Entry.id, Entry.number, Entry.date, Entry.label, Entry.reversal_of_id)
            .where(_among(Entry.id, entry_ids), Entry.state == "posted")
            .order_by(Entry.id)
        )
    }
    rows = connection.execute(
        select(
            Line.entry_id,
            type_coerce(Line.debit, BigInteger),
            type_coerce(Line.credit, BigInteger),
            Line.partner,
            type_coerce(Line.vat_rate, BigInteger),
            Line.account_id,
        )
        .where(_among(Line.entry_id, entries))
        .order_by(Line.entry_id, Line.position, Line.id)
    )
    for entry_id, debit, credit, partner, vat_rate, account_id in rows:
        account = accounts[account_id]
        entries[entry_id].lines.append(
            _BookLine(
                account_id,
                _hundredths(debit),
                _hundredths(credit),
                None if vat_rate is None else _hundredths(vat_rate),
                account.line_class,
                account.vat_kind,
                account.partner_lines == "always"
                or (account.partner_lines == "named" and bool(partner)),
            )
        )
    for entry in entries.values():
        entry.amounts = _entry_amounts(entry, rates)
        entry.partner_total = sum(
            (line.debit + line.credit for line in entry.lines if line.is_partner), ZERO
        )
    return entries


@dataclass(frozen=True)
class _Share:
    """A fraction of an entry's VAT that counts on a date: all of it at its own date, or the
    part of its partner lines that a payment settled, at the later date of the match."""

    entry_id: int
    fraction: Decimal
    on: date
    payment_id: int | None = None


def _shares(dated, matches, entries, regime) -> list[_Share]:
    """How much of each entry's VAT falls in the return: all of it for entries dated in the
    period (debit regime, or paid on the spot), else the share of its partner lines settled by
    payments in the period; and the same for what is caught up from earlier periods."""
    shares = []
    for entry_id in dated:
        entry = entries.get(entry_id)
        if entry is None:
            continue
        if regime == "debit" or entry.partner_total == 0:
            shares.append(_Share(entry_id, Decimal(1), entry.date))
    for amount, debit_line, credit_line in matches:
        for settled, counterpart in ((debit_line, credit_line), (credit_line, debit_line)):
            entry = entries.get(settled.entry_id)
            payment = entries.get(counterpart.entry_id)
            if entry is None or not entry.carries_vat or entry.partner_total == 0:
                continue
            if payment is None or payment.carries_vat:
                # A credit note cancels VAT rather than collects it; the openings (left out
                # of `entries`) are no payments either.
                continue
            on = max(debit_line.date, credit_line.date)
            shares.append(_Share(entry.id, amount / entry.partner_total, on, payment.id))
    return shares


def _caught_up(shares: list[_Share], entries, period_start: date) -> list[CaughtUp]:
    items = []
    for share in shares:
        entry = entries[share.entry_id]
        if share.on >= period_start or entry.amounts is None:
            continue
        taxes = {"collected": ZERO, "deductible": ZERO}
        for (kind, _rate), (_base, tax) in entry.amounts.items():
            if kind != "exempt":
                taxes["collected" if kind == "collected" else "deductible"] += tax
        linked = [entry] + ([entries[share.payment_id]] if share.payment_id else [])
        items.append(
            CaughtUp(
                entries=tuple(EntryLink(item.id, item.number) for item in linked),
                date=share.on,
                collected=D(taxes["collected"] * share.fraction),
                deductible=D(taxes["deductible"] * share.fraction),
            )
        )
    return sorted(items, key=lambda item: (item.date, item.entries[0].entry_id))


def _previous_return(session: Session, ledger_id: int, period_start: date) -> VatReturn | None:
    return session.scalar(
        select(VatReturn)
        .where(VatReturn.ledger_id == ledger_id, VatReturn.period_start < period_start)
        .order_by(VatReturn.period_start.desc())
        .limit(1)
    )


def compute_return(
    session: Session,
    ledger_id: int,
    period_start: date,
    period_end: date,
    *,
    known_until: datetime | None = None,
) -> VatReturnDraft:
    """The VAT of a period by kind and rate, from the posted lines, with what the previous
    validated return could not see; nothing is saved. `known_until` leaves out of that catch-up
    what was posted or matched after it (a validated return's own validation time)."""
    ledger = session.get(Ledger, ledger_id)
    if ledger is None:
        raise NotFound(_l("This page does not exist."))
    rates = _Rates(session)
    regime = ledger.vat_regime
    vat_accounts = VatAccounts.of(ledger)
    previous = _previous_return(session, ledger_id, period_start)
    # Before the ledger's first return nothing was validated: there is nothing to catch up.
    catch_up = (
        _CatchUp(previous.period_end, previous.validated_at, known_until) if previous else None
    )
    accounts = {
        account_id: _Account.of(code, class_number, vat_accounts)
        for account_id, code, class_number in session.execute(
            select(Account.id, Account.code, Account.class_number).where(
                Account.ledger_id == ledger_id
            )
        )
    }
    excluded_ids = _excluded_entries(session, ledger_id)
    dated = (
        _dated_entry_ids(session, ledger_id, period_start, period_end, accounts, catch_up)
        - excluded_ids
    )
    matches = (
        _matches_in(session, ledger_id, period_start, period_end, accounts, catch_up)
        if regime == "collection"
        else []
    )
    matched_ids = {line.entry_id for _, debit, credit in matches for line in (debit, credit)}
    entries = _load_entries(session, (dated | matched_ids) - excluded_ids, accounts, rates)
    shares = _shares(dated, matches, entries, regime)
    fractions: dict[int, Decimal] = defaultdict(Decimal)
    for share in shares:
        fractions[share.entry_id] += share.fraction
    totals: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 2)
    for entry_id, fraction in fractions.items():
        entry = entries[entry_id]
        if entry.amounts is None:
            continue
        for key, (base, tax) in entry.amounts.items():
            totals[key][0] += base * fraction
            totals[key][1] += tax * fraction
    by_rate: dict[str, list[RateAmounts]] = {kind: [] for kind in KINDS}
    for (kind, rate), (base, tax) in sorted(totals.items()):
        amounts = RateAmounts(rate, D(base), D(tax))
        if amounts.base or amounts.tax:
            by_rate[kind].append(amounts)
    draft = VatReturnDraft(
        ledger_id=ledger_id,
        period_start=period_start,
        period_end=period_end,
        regime=regime,
        by_rate=by_rate,
        previous_credit=previous.credit if previous else ZERO,
        to_check=_to_check(entries, dated, fractions),
        caught_up=_caught_up(shares, entries, period_start),
    )
    draft.accounts_read = _accounts_read(draft, entries, fractions, accounts)
    if regime == "collection":
        draft.unpaid, draft.unmatched = _left_out(
            session, period_start, period_end, accounts, matches, entries, excluded_ids
        )
    return draft


def _accounts_read(draft: VatReturnDraft, entries, fractions, accounts) -> list[AccountRead]:
    """The VAT read from each account: the counted share of its lines. Where a share is a
    fraction (a partial payment), each account's amount is rounded and the rounding left over
    goes to the largest, so that the accounts of a kind add up to the return's total."""
    exact: dict[int, Decimal] = defaultdict(Decimal)
    for entry_id, fraction in fractions.items():
        entry = entries[entry_id]
        if entry.amounts is None:
            continue
        for line in entry.lines:
            if line.vat_kind is not None:
                sign = 1 if line.vat_kind == "collected" else -1
                exact[line.account_id] += _signed(line, sign) * fraction
    totals = {
        "collected": draft.line_130,
        "deductible_fixed_assets": draft.deductible_fixed_assets,
        "deductible_expenses": draft.deductible_expenses,
    }
    read = []
    for kind, total in totals.items():
        amounts = {
            accounts[account_id].code: D(amount)
            for account_id, amount in exact.items()
            if accounts[account_id].vat_kind == kind
        }
        if not amounts:
            continue
        largest = max(amounts, key=lambda code: (abs(amounts[code]), code))
        amounts[largest] += total - sum(amounts.values(), ZERO)
        read += [
            AccountRead(code, kind, amounts[code]) for code in sorted(amounts) if amounts[code]
        ]
    return read


def _left_out(
    session: Session,
    start: date,
    end: date,
    accounts: dict[int, "_Account"],
    matches,
    entries,
    excluded_ids: set[int],
) -> tuple[list[LeftOut], list[LeftOut]]:
    """The period's customer and supplier lines with something left to match at its end
    (matches count once both their lines are dated): those of invoices, with the VAT of what
    is unpaid, and those of payments and receipts."""
    partner_accounts = [
        account_id for account_id, account in accounts.items() if account.partner_lines
    ]
    if not partner_accounts:
        return [], []
    matched: dict[int, Decimal] = defaultdict(Decimal)
    for amount, debit_line, credit_line in matches:
        matched[debit_line.id] += amount
        matched[credit_line.id] += amount
    rows = session.execute(
        select(
            Line.id,
            Line.entry_id,
            Line.date,
            Line.account_id,
            Line.partner,
            Line.label,
            Line.debit,
            Line.credit,
        )
        .where(
            Line.account_id.in_(partner_accounts),
            Line.posted.is_(True),
            Line.date >= start,
            Line.date <= end,
        )
        .order_by(Line.date, Line.id)
    ).all()
    open_rows = []
    for row in rows:
        account = accounts[row.account_id]
        if row.entry_id in excluded_ids or (account.partner_lines == "named" and not row.partner):
            continue
        left = row.debit + row.credit - matched[row.id]
        if left > 0:
            open_rows.append((row, left))
    open_entry_ids = {row.entry_id for row, _left in open_rows}
    numbers = dict(
        session.execute(
            select(Entry.id, Entry.number).where(_among(Entry.id, open_entry_ids))
        ).all()
    )
    treasury = [account_id for account_id, account in accounts.items() if account.class_number == 5]
    # A payment or a receipt moves a treasury account (class 5): the other open lines, sales
    # or purchases without VAT, have nothing the return could count.
    payments = set(
        session.scalars(
            select(Line.entry_id).where(
                _among(Line.entry_id, open_entry_ids), Line.account_id.in_(treasury)
            )
        )
    )
    unpaid, unmatched = [], []
    for row, left in open_rows:
        entry = entries.get(row.entry_id)
        carries_vat = entry is not None and any(line.vat_kind for line in entry.lines)
        if not carries_vat and row.entry_id not in payments:
            continue
        item = LeftOut(
            entry_id=row.entry_id,
            number=numbers.get(row.entry_id) or "",
            date=row.date,
            account_code=accounts[row.account_id].code,
            partner=row.partner,
            label=row.label,
            open_amount=left,
        )
        if not carries_vat:
            unmatched.append(item)
            continue
        vat = ZERO
        if entry.amounts and entry.partner_total:
            tax = sum((amounts[1] for amounts in entry.amounts.values()), ZERO)
            vat = D(tax * left / entry.partner_total)
        unpaid.append(replace(item, vat=vat))
    return unpaid, unmatched


def _to_check(entries, dated, fractions) -> list[EntryToCheck]:
    """Entries of the period whose rate cannot be told, but for an entry and its reversal
    that cancel each other in the period."""
    unknown = {
        entry.id: entry
        for entry in entries.values()
        if entry.amounts is None and (entry.id in dated or fractions.get(entry.id))
    }
    for entry in list(unknown.values()):
        original = unknown.get(entry.reversal_of_id)
        if original is not None and fractions.get(entry.id) == fractions.get(original.id):
            del unknown[entry.id], unknown[original.id]
    return [
        EntryToCheck(entry.id, entry.number, entry.date, entry.label)
        for entry in sorted(unknown.values(), key=lambda entry: (entry.date, entry.id))
    ]


def get_return(session: Session, ledger_id: int, period_start: date) -> VatReturn | None:
    return session.scalar(
        select(VatReturn).where(
            VatReturn.ledger_id == ledger_id, VatReturn.period_start == period_start
        )
    )


def saved_draft(session: Session, vat_return: VatReturn) -> VatReturnDraft:
    """A validated return as it was computed then (the books may have moved since), with what
    it caught up from earlier periods, as known at its validation."""
    caught_up = compute_return(
        session,
        vat_return.ledger_id,
        vat_return.period_start,
        vat_return.period_end,
        known_until=vat_return.validated_at,
    ).caught_up
    by_rate: dict[str, list[RateAmounts]] = {kind: [] for kind in KINDS}
    for line in vat_return.lines:
        by_rate[line.kind].append(RateAmounts(line.rate, line.base, line.tax))
    return VatReturnDraft(
        ledger_id=vat_return.ledger_id,
        period_start=vat_return.period_start,
        period_end=vat_return.period_end,
        regime=vat_return.regime,
        by_rate=by_rate,
        previous_credit=vat_return.previous_credit,
        to_check=[],
        caught_up=caught_up,
    )


@dataclass(frozen=True)
class FormLine:
    """A line of the SIMPL-TVA form: its number (none for a rate's detail), base and tax."""

    number: str
    label: str
    rate: Decimal | None = None
    base: Decimal | None = None
    tax: Decimal | None = None


def form_lines(draft: VatReturnDraft) -> list[FormLine]:
    """The return as the SIMPL-TVA form numbers its lines, rate by rate."""

    def detail(kind: str, label) -> list[FormLine]:
        return [
            FormLine("", label, amounts.rate, amounts.base, amounts.tax)
            for amounts in draft.by_rate[kind]
        ]

    return [
        FormLine("10", _l("Total turnover, excluding VAT"), base=draft.line_10),
        FormLine("30", _l("Exempt without right to deduction (art. 91)"), base=draft.line_30),
        FormLine("60", _l("Taxable turnover"), base=draft.line_60),
        *detail("collected", _l("VAT due")),
        FormLine("130", _l("Total VAT due"), tax=draft.line_130),
        *detail("deductible_fixed_assets", _l("Deductible VAT on fixed assets")),
        *detail("deductible_expenses", _l("Deductible VAT on other purchases and expenses")),
        FormLine("170", _l("Credit of the previous period"), tax=draft.line_170),
        FormLine("190", _l("Total deductible VAT"), tax=draft.line_190),
        FormLine("200", _l("VAT payable"), tax=draft.line_200),
        FormLine("201", _l("Credit to carry forward"), tax=draft.line_201),
    ]
