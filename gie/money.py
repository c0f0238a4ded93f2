"""Money: one way to make a Decimal, and one column type that stores it as integer centimes.

SQLite has no decimal type and sums NUMERIC columns as floats; integer centimes sum exactly
on SQLite and PostgreSQL alike, so every amount goes through `Money`.
"""

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")  #: what a percentage is of
CENT = Decimal("0.01")
#: the largest amount a `Money` column holds (centimes in a BIGINT): beyond it, the database
#: would fail rather than refuse
MAX_AMOUNT = Decimal(2**63 - 1) / 100


def D(value: str | int | Decimal) -> Decimal:
    """Make a money Decimal rounded half-up to the centime; refuses floats."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    return int(D(value) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


class Money(TypeDecorator):
    """MAD amount: `Decimal` in Python, integer centimes in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_cents(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_cents(int(value))


class Fixed(TypeDecorator):
    """A non-money decimal with fixed places (quantities, percentages), stored as an integer
    for the same reason as `Money`: SQLite has no decimal type."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int):
        super().__init__()
        self.places = places
        self.scale = 10**places
        self.quantum = Decimal(1).scaleb(-places)

    def __repr__(self) -> str:
        return f"Fixed(places={self.places})"

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("never a float")
        return int(Decimal(value).quantize(self.quantum, rounding=ROUND_HALF_UP) * self.scale)

    def process_result_value(self, value, dialect):
        return None if value is None else (Decimal(int(value)) / self.scale).quantize(self.quantum)
