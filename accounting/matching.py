"""Lettrage: the debit and credit lines of a customer or supplier account matched with each
other (an invoice with its payments or credit notes), fully or partially.

A `Match` row says that `amount` of a debit line is settled by a credit line; what is left
of a line is its amount minus its matches. Matching runs under the ledger's row lock, so two
people matching the same invoice cannot settle it twice.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, union_all
from sqlalchemy.orm import Session

from accounting.models import Account, Entry, Ledger, Line, Match
from accounting.services import lock_ledger
from gie.errors import DomainError, NotFound
from gie.money import ZERO, D

#: CGNC customer (342x...) and supplier (441x...) accounts, and the other third-party ones
PARTNER_ACCOUNT_PREFIXES = ("34", "44")
#: how pages and links name the lines without a partner, matched by account (a partner code
#: is never this sign alone)
WITHOUT_PARTNER = "~"


class MatchingRefused(DomainError):
    """Lines that cannot be matched together; nothing was matched."""


def is_partner_account(code: str) -> bool:
    return code.startswith(PARTNER_ACCOUNT_PREFIXES)


def matched_amounts(session: Session, line_ids) -> dict[int, Decimal]:
    """How much of each line is matched already, on either side."""
    line_ids = list(line_ids)
    if not line_ids:
        return {}
    totals: dict[int, Decimal] = dict.fromkeys(line_ids, ZERO)
    for column in (Match.debit_line_id, Match.credit_line_id):
        rows = session.execute(
            select(column, func.sum(Match.amount)).where(column.in_(line_ids)).group_by(column)
        )
        for line_id, amount in rows:
            totals[line_id] += D(amount)
    return totals


def remaining(line: Line, matched: Decimal) -> Decimal:
    return (line.debit or line.credit) - matched


def _lines(session: Session, ledger_id: int, line_ids) -> list[Line]:
    lines = list(
        session.scalars(
            select(Line).where(Line.id.in_(list(line_ids)), Line.ledger_id == ledger_id)
        )
    )
    if len(lines) != len(set(line_ids)):
        raise NotFound(_l("Line not found."))
    return lines


def _check(session: Session, lines: list[Line]) -> None:
    if any(not line.posted for line in lines):
        raise MatchingRefused(_l("Only posted lines can be matched."))
    if len({line.account_id for line in lines}) != 1:
        raise MatchingRefused(_l("Lines of different accounts cannot be matched."))
    if len({line.partner for line in lines}) != 1:
        raise MatchingRefused(_l("Lines of different partners cannot be matched."))
    account = session.get(Account, lines[0].account_id)
    if not is_partner_account(account.code):
        raise MatchingRefused(
            _l("Account %(code)s is not a customer or supplier account.", code=account.code)
        )


def match_lines(session: Session, ledger_id: int, line_ids, *, actor=None) -> list[Match]:
    """Match the chosen posted lines of one partner account: debits against credits, oldest
    first, as far as the smaller side goes (the rest stays open: a partial match).

    Raises MatchingRefused (mixed accounts or partners, drafts, one side only, nothing left
    to match), NotFound.
    """
    lock_ledger(session, ledger_id)
    lines = _lines(session, ledger_id, line_ids)
    _check(session, lines)
    left = {
        line.id: remaining(line, matched)
        for line, matched in zip(
            lines, matched_amounts(session, [line.id for line in lines]).values(), strict=True
        )
    }
    order = sorted(lines, key=lambda line: (line.date, line.id))
    debits = [line for line in order if line.debit > 0 and left[line.id] > 0]
    credits = [line for line in order if line.credit > 0 and left[line.id] > 0]
    if not debits or not credits:
        raise MatchingRefused(
            _l("Choose at least one open debit line and one open credit line to match.")
        )
    matches = []
    for debit in debits:
        for credit in credits:
            amount = min(left[debit.id], left[credit.id])
            if amount <= 0:
                continue
            matches.append(_add(session, debit, credit, amount, actor))
            left[debit.id] -= amount
            left[credit.id] -= amount
            if left[debit.id] == 0:
                break
    session.flush()
    return matches


def match_pair(
    session: Session, debit_line_id: int, credit_line_id: int, amount: Decimal, *, actor=None
) -> Match:
    """Match `amount` of one debit line with one credit line (what billing does when a
    payment or a credit note settles an invoice).

    Raises MatchingRefused (more than what is left of either line), NotFound.
    """
    debit = session.get(Line, debit_line_id)
    if debit is None:
        raise NotFound(_l("Line not found."))
    lock_ledger(session, debit.ledger_id)
    debit, credit = _lines(session, debit.ledger_id, [debit_line_id, credit_line_id])
    if debit.id != debit_line_id:
        debit, credit = credit, debit
    _check(session, [debit, credit])
    if debit.debit <= 0 or credit.credit <= 0:
        raise MatchingRefused(_l("A match pairs a debit line with a credit line."))
    matched = matched_amounts(session, [debit.id, credit.id])
    amount = D(amount)
    if amount <= 0 or amount > min(
        remaining(debit, matched[debit.id]), remaining(credit, matched[credit.id])
    ):
        raise MatchingRefused(_l("The amount is more than what is left to match."))
    match = _add(session, debit, credit, amount, actor)
    session.flush()
    return match


def _add(session: Session, debit: Line, credit: Line, amount: Decimal, actor) -> Match:
    match = Match(
        ledger_id=debit.ledger_id,
        account_id=debit.account_id,
        debit_line_id=debit.id,
        credit_line_id=credit.id,
        amount=amount,
        created_by_id=getattr(actor, "id", None),
    )
    session.add(match)
    return match


def unmatch(session: Session, ledger_id: int, line_id: int) -> int:
    """Undo every match of a line; returns how many were removed."""
    lock_ledger(session, ledger_id)
    (line,) = _lines(session, ledger_id, [line_id])
    matches = session.scalars(
        select(Match).where(or_(Match.debit_line_id == line.id, Match.credit_line_id == line.id))
    ).all()
    for match in matches:
        session.delete(match)
    session.flush()
    return len(matches)


@dataclass(frozen=True)
class OpenItem:
    line_id: int
    entry_id: int
    date: date
    label: str
    partner: str
    account_code: str
    #: positive for what the partner owes (debit), negative for what is owed to them
    amount: Decimal
    open_amount: Decimal


def open_items(
    session: Session,
    ledger_id: int,
    *,
    account_prefix: str,
    partner: str | None = None,
    as_of: date | None = None,
    exclude_entry_ids=None,
) -> list[OpenItem]:
    """Posted lines of the partner accounts under `account_prefix` with something left to
    match; `as_of` ignores lines and matches dated after it (a match counts from the later
    of its two lines' dates). `exclude_entry_ids`: entry ids, or a SELECT of them, whose
    lines are left out.

    One query: the matched sums come from one grouped subquery joined to the lines."""
    codes = dict(
        session.execute(
            select(Account.id, Account.code).where(
                Account.ledger_id == ledger_id, Account.code.startswith(account_prefix)
            )
        ).all()
    )
    if not codes:
        return []
    late_lines = (
        select(Line.id).where(
            Line.account_id.in_(list(codes)), Line.posted.is_(True), Line.date > as_of
        )
        if as_of is not None
        else None
    )

    def side(column, other_column):
        statement = select(column.label("line_id"), Match.amount.label("amount")).where(
            Match.ledger_id == ledger_id, Match.account_id.in_(list(codes))
        )
        if late_lines is not None:
            # The line itself is dated on or before `as_of` (filtered below): the match counts
            # unless its other line, on the same account, is dated after. The lines dated after
            # are read once from the account index, rather than the date of every match's
            # other line from the table.
            statement = statement.where(other_column.not_in(late_lines))
        return statement

    sides = union_all(
        side(Match.debit_line_id, Match.credit_line_id),
        side(Match.credit_line_id, Match.debit_line_id),
    ).subquery()
    matched = (
        select(sides.c.line_id, func.sum(sides.c.amount).label("amount"))
        .group_by(sides.c.line_id)
        .subquery()
    )
    # Settled lines left out in SQL, before the columns that only the table holds are read;
    # plain columns rather than Line objects.
    statement = (
        select(
            Line.id,
            Line.entry_id,
            Line.date,
            Line.label,
            Line.partner,
            Line.account_id,
            Line.debit,
            Line.credit,
            func.coalesce(matched.c.amount, 0).label("matched"),
        )
        .outerjoin(matched, matched.c.line_id == Line.id)
        .where(
            Line.account_id.in_(list(codes)),
            Line.posted.is_(True),
            func.coalesce(matched.c.amount, 0) != Line.debit + Line.credit,
        )
        .order_by(Line.partner, Line.date, Line.id)
    )
    if partner is not None:
        statement = statement.where(Line.partner == partner)
    if as_of is not None:
        statement = statement.where(Line.date <= as_of)
    if exclude_entry_ids is not None:
        statement = statement.where(Line.entry_id.not_in(exclude_entry_ids))
    items = []
    for line in session.execute(statement):
        signed = line.debit - line.credit
        left = remaining(line, D(line.matched))
        items.append(
            OpenItem(
                line_id=line.id,
                entry_id=line.entry_id,
                date=line.date,
                label=line.label,
                partner=line.partner,
                account_code=codes[line.account_id],
                amount=signed,
                open_amount=left if signed > 0 else -left,
            )
        )
    return items


# --- what the matching pages read ------------------------------------------------------------


def _vat_read_codes(session: Session, ledger_id: int) -> tuple[str, ...]:
    """The VAT accounts the returns read (third-party accounts too): the returns settle
    them, there is nothing to match on them."""
    ledger = session.get(Ledger, ledger_id)
    return (
        ledger.vat_collected_account,
        ledger.vat_deductible_account,
        ledger.vat_fixed_assets_account,
    )


def partner_accounts(session: Session, ledger_id: int) -> list[Account]:
    """The ledger's third-party accounts with posted lines, with or without a partner (those
    without are matched by account), but the VAT accounts the returns read."""
    posted = select(Line.account_id).where(Line.ledger_id == ledger_id, Line.posted.is_(True))
    vat_codes = _vat_read_codes(session, ledger_id)
    return list(
        session.scalars(
            select(Account)
            .where(
                Account.ledger_id == ledger_id,
                or_(*(Account.code.startswith(prefix) for prefix in PARTNER_ACCOUNT_PREFIXES)),
                *(~Account.code.startswith(code) for code in vat_codes),
                Account.id.in_(posted),
            )
            .order_by(Account.code)
        )
    )


def partners(session: Session, account_id: int) -> list[str]:
    """The partners that have posted lines on the account; "" first when some lines have
    none."""
    return list(
        session.scalars(
            select(Line.partner)
            .where(Line.account_id == account_id, Line.posted.is_(True))
            .distinct()
            .order_by(Line.partner)
        )
    )


@dataclass(frozen=True)
class PartnerBalance:
    account_code: str
    partner: str
    open_lines: int
    #: positive for what the partner owes, negative for what is owed to them
    balance: Decimal


def open_balances(session: Session, ledger_id: int) -> list[PartnerBalance]:
    """Per partner account and partner with something left to match: how many lines are
    open and their open balance; lines without a partner under their account, partner "".
    The VAT accounts the returns read are left out."""
    totals: dict[tuple[str, str], tuple[int, Decimal]] = {}
    vat_codes = _vat_read_codes(session, ledger_id)
    for prefix in PARTNER_ACCOUNT_PREFIXES:
        for item in open_items(session, ledger_id, account_prefix=prefix):
            if item.account_code.startswith(vat_codes):
                continue
            count, balance = totals.get((item.account_code, item.partner), (0, ZERO))
            totals[item.account_code, item.partner] = (count + 1, balance + item.open_amount)
    return [
        PartnerBalance(code, partner, count, balance)
        for (code, partner), (count, balance) in sorted(totals.items())
    ]


@dataclass(frozen=True)
class PartnerLine:
    line_id: int
    entry_id: int
    entry_number: str
    date: date
    label: str
    debit: Decimal
    credit: Decimal
    matched: Decimal
    #: the group of lines matched together: upper case once nothing is left open in it,
    #: lower case while it is partial; empty for a line never matched
    letter: str

    @property
    def open_amount(self) -> Decimal:
        return (self.debit or self.credit) - self.matched


def _letter(index: int) -> str:
    """A, B, ... Z, AA, AB, ...: like spreadsheet columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def partner_lines(session: Session, account_id: int, partner: str) -> list[PartnerLine]:
    """Every posted line of a partner on an account, oldest first, with what is matched of
    it and the letter of its group: lines connected through their matches share a letter,
    given in the order of each group's oldest line so that it does not change with a filter."""
    rows = session.execute(
        select(Line, Entry.number)
        .join(Entry, Entry.id == Line.entry_id)
        .where(Line.account_id == account_id, Line.partner == partner, Line.posted.is_(True))
        .order_by(Line.date, Line.id)
    ).all()
    partner_line_ids = select(Line.id).where(Line.account_id == account_id, Line.partner == partner)
    matches = session.execute(
        select(Match.debit_line_id, Match.credit_line_id, Match.amount).where(
            Match.account_id == account_id, Match.debit_line_id.in_(partner_line_ids)
        )
    ).all()
    parent = {line.id: line.id for line, _ in rows}
    matched = dict.fromkeys(parent, ZERO)

    def root(line_id: int) -> int:
        while parent[line_id] != line_id:
            parent[line_id] = parent[parent[line_id]]
            line_id = parent[line_id]
        return line_id

    for debit_id, credit_id, amount in matches:
        matched[debit_id] += amount
        matched[credit_id] += amount
        parent[root(debit_id)] = root(credit_id)
    group_open: dict[int, bool] = {}
    for line, _ in rows:
        if matched[line.id]:
            still_open = remaining(line, matched[line.id]) != 0
            group_open[root(line.id)] = group_open.get(root(line.id), False) or still_open
    letters = {
        group: _letter(index)
        for index, group in enumerate(
            dict.fromkeys(root(line.id) for line, _ in rows if matched[line.id])
        )
    }
    return [
        PartnerLine(
            line_id=line.id,
            entry_id=line.entry_id,
            entry_number=number or "",
            date=line.date,
            label=line.label,
            debit=line.debit,
            credit=line.credit,
            matched=matched[line.id],
            letter=(
                ""
                if not matched[line.id]
                else letters[root(line.id)].lower()
                if group_open[root(line.id)]
                else letters[root(line.id)]
            ),
        )
        for line, number in rows
    ]


@dataclass(frozen=True)
class MatchResult:
    matched: Decimal
    #: (entry number, amount) of the chosen lines that still have something open
    left_open: list[tuple[str, Decimal]]


def match_selection(session: Session, ledger_id: int, line_ids, *, actor=None) -> MatchResult:
    """Match the lines a user chose (see match_lines) and say what was matched and what is
    left open on which entry. Raises MatchingRefused, NotFound."""
    line_ids = list(line_ids)
    matches = match_lines(session, ledger_id, line_ids, actor=actor)
    lines = session.execute(
        select(Line, Entry.number)
        .join(Entry, Entry.id == Line.entry_id)
        .where(Line.id.in_(line_ids))
        .order_by(Line.date, Line.id)
    ).all()
    after = matched_amounts(session, line_ids)
    return MatchResult(
        matched=sum((match.amount for match in matches), ZERO),
        left_open=[
            (number or "", remaining(line, after[line.id]))
            for line, number in lines
            if remaining(line, after[line.id]) > 0
        ],
    )
