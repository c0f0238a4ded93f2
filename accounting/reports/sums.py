"""SQL pieces the reports sum posted lines with: Money arithmetic kept as Money, sums that
read 0 on no row, and the conditions that select a ledger's posted lines between two dates."""

from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, type_coerce

from accounting.models import Line
from gie.money import ZERO, Money


def posted_lines(ledger_id: int, start: date | None, end: date | None, *, end_inclusive: bool):
    """Conditions on Line for the ledger's posted lines dated from `start` (when given) to
    `end` (when given, included or not)."""
    conditions = [Line.ledger_id == ledger_id, Line.posted.is_(True)]
    if start:
        conditions.append(Line.date >= start)
    if end:
        conditions.append(Line.date <= end if end_inclusive else Line.date < end)
    return conditions


def as_money(expression):
    """Integer-centime arithmetic keeps its meaning: `debit - credit` is Money, not BigInteger."""
    return type_coerce(expression, Money)


def money_sum(expression, condition=None):
    """SUM of a Money expression (optionally only where `condition`), 0 when no row."""
    value = as_money(expression)
    if condition is not None:
        value = case((condition, value), else_=0)
    return as_money(func.coalesce(func.sum(as_money(value)), 0))


def as_decimal(value) -> Decimal:
    """A Money aggregate as read back: Decimal, 0.00 for NULL."""
    return ZERO if value is None else Decimal(value)
