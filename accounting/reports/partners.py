"""What partners owe and are owed: the aged balance of the customer and supplier accounts,
read from the matching (lettrage)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting import matching
from accounting.models import FiscalYear
from gie.cooperatives.models import Cooperative
from gie.money import ZERO

#: account code prefixes of each side's partner accounts
AGED_SIDES = {"customers": "342", "suppliers": "441"}
#: the buckets' upper bounds in days, the last one open
AGED_BUCKETS = (30, 60, 90)
BUCKET_LABELS = (_l("0-30 days"), _l("31-60 days"), _l("61-90 days"), _l("Over 90 days"))


@dataclass
class AgedRow:
    partner: str
    name: str  #: the cooperative's name when the partner is a cooperative code
    buckets: list[Decimal]  #: 0-30, 31-60, 61-90, over 90 days

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


@dataclass
class AgedBalance:
    on: date
    side: str
    rows: list[AgedRow]
    totals: AgedRow


def _age_limits(on: date) -> list[date]:
    """The oldest date of each age bucket before `on`, but the last (over 90 days)."""
    return [on - relativedelta(days=days) for days in AGED_BUCKETS]


def _age_bucket(line_date: date, limits: list[date]) -> int:
    """0-30, 31-60, 61-90 or over 90 days before `on` (its `_age_limits`): 0, 1, 2 or 3."""
    for index, limit in enumerate(limits):
        if line_date >= limit:
            return index
    return len(limits)


def aged_balance(
    session: Session, ledger_id: int, *, on: date, side: str = "customers"
) -> AgedBalance:
    """Per partner (Line.partner) of the customer accounts (342x) or the supplier accounts
    (441x): what is open on `on`, split by the age of each line (0-30, 31-60, 61-90, over 90
    days before `on`).

    What is open is read from the matching (lettrage): each posted line counts for what is
    not matched of it as of `on`, in the bucket of its own date. A payment not matched
    (a credit of a customer, a debit of a supplier) counts negative in the bucket of its
    date: a credit not allocated yet. The opening entries that closing a year posts are
    left out: their lines carry forward balances whose lines are already counted. One query
    reads the open lines. Amounts are what the customer owes us, or what we owe the
    supplier; partners with nothing open are left out.
    """
    if side not in AGED_SIDES:
        raise ValueError(side)
    opening_entries = select(FiscalYear.opening_entry_id).where(
        FiscalYear.ledger_id == ledger_id, FiscalYear.opening_entry_id.is_not(None)
    )
    sign = 1 if side == "customers" else -1
    limits = _age_limits(on)
    figures: dict[str, list[Decimal]] = {}
    for item in matching.open_items(
        session,
        ledger_id,
        account_prefix=AGED_SIDES[side],
        as_of=on,
        exclude_entry_ids=opening_entries,
    ):
        buckets = figures.setdefault(item.partner, [ZERO] * (len(AGED_BUCKETS) + 1))
        buckets[_age_bucket(item.date, limits)] += sign * item.open_amount

    names = (
        dict(
            session.execute(
                select(Cooperative.code, Cooperative.name).where(
                    Cooperative.code.in_(list(figures))
                )
            ).all()
        )
        if figures
        else {}
    )
    result = AgedBalance(on, side, [], AgedRow("", "", [ZERO] * 4))
    for partner in sorted(figures):
        buckets = figures[partner]
        result.rows.append(AgedRow(partner, names.get(partner, ""), buckets))
        result.totals.buckets = [a + b for a, b in zip(result.totals.buckets, buckets, strict=True)]
    return result
