from datetime import date
from decimal import Decimal

import pytest

from accounting import services
from accounting.services import LineInput


@pytest.fixture
def make_ledger(session, make_cooperative):
    """Books of a new cooperative, opened for `first_year` (committed, like other factories)."""

    def make(first_year: int = 2026, cooperative=None):
        cooperative = cooperative or make_cooperative()
        ledger = services.open_ledger(session, cooperative.code, first_year=first_year)
        session.commit()
        return ledger

    return make


@pytest.fixture
def ledger(make_ledger):
    return make_ledger()


def lines(*pairs) -> list[LineInput]:
    """lines(("5141", "100.00", ""), ("7124", "", "100.00")) as readable ledger text."""
    return [
        LineInput(code, debit=Decimal(debit or "0"), credit=Decimal(credit or "0"))
        for code, debit, credit in pairs
    ]


@pytest.fixture
def post(session):
    """Save and post an entry; returns it."""

    def post(ledger, pairs, *, on=date(2026, 3, 15), journal="OD", label="Test entry"):
        entry = services.save_draft(
            session,
            ledger.id,
            journal_code=journal,
            entry_date=on,
            label=label,
            lines=lines(*pairs),
        )
        services.post_entry(session, entry.id)
        session.commit()
        return entry

    return post
