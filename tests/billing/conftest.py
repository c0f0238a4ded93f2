from datetime import date
from decimal import Decimal

import pytest

from accounting import services as accounting
from accounting import vat_rates
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers


@pytest.fixture
def gie_books(session):
    ledger = accounting.open_ledger(session, "GIE", first_year=2026)
    session.commit()
    return ledger


@pytest.fixture
def catalogue(session):
    vat_rates.ensure_vat_rates(session)
    bookkeeping = billing_catalogue.create_service(
        session,
        code="COMPTA",
        name="Tenue de comptabilité",
        category="bookkeeping",
        unit="month",
        public_price=Decimal("2000.00"),
        member_price=Decimal("1500.00"),
        valid_from=date(2026, 1, 1),
    )
    training = billing_catalogue.create_service(
        session,
        code="FORM-J",
        name="Journée de formation",
        category="training",
        unit="day",
        public_price=Decimal("1200.00"),
        member_price=Decimal("800.00"),
        valid_from=date(2026, 1, 1),
    )
    session.commit()
    return {"bookkeeping": bookkeeping, "training": training}


@pytest.fixture
def member(session, make_cooperative):
    """A member cooperative whose books the GIE keeps, and its customer record."""

    def make(with_books: bool = True):
        cooperative = make_cooperative()
        if with_books:
            accounting.open_ledger(session, cooperative.code, first_year=2026)
        customer = billing_customers.member_customer(session, cooperative.id)
        session.commit()
        return customer

    return make
