"""Issuing invoices from many connections at once, on PostgreSQL."""

import os
import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting import services as accounting
from accounting import vat_rates
from accounting.models import Ledger
from billing.models import Invoice
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from gie.cooperatives.services import create_cooperative
from gie.db import make_engine
from tests.conftest import migrate

pytestmark = pytest.mark.skipif(
    os.environ.get("GIE_TEST_BACKEND") != "postgresql",
    reason="row locks are a PostgreSQL matter; this runs in the PostgreSQL pass of make test",
)

THREADS = 20


def test_twenty_invoices_issued_at_once_get_consecutive_numbers(databases):
    url = databases.new()
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        accounting.open_ledger(session, "GIE", first_year=2026)
        vat_rates.ensure_vat_rates(session)
        service = billing_catalogue.create_service(
            session,
            code="COMPTA",
            name="Tenue de comptabilité",
            category="bookkeeping",
            unit="month",
            public_price=Decimal("2000"),
            member_price=Decimal("1500"),
            valid_from=date(2026, 1, 1),
        )
        drafts = []
        for n in range(THREADS):
            cooperative = create_cooperative(
                session,
                {
                    "code": f"COOP-{n + 700}",
                    "name": f"Coop {n}",
                    "filiere": "honey",
                    "province": "MA-HOC",
                },
            )
            accounting.open_ledger(session, cooperative.code, first_year=2026)
            customer = billing_customers.member_customer(session, cooperative.id)
            drafts.append(
                billing_invoices.save_draft_invoice(
                    session,
                    customer.id,
                    [billing_invoices.DraftLine(service.id, Decimal("1"))],
                    on=date(2026, 4, 1),
                ).id
            )
        session.commit()

    start = threading.Barrier(THREADS)
    failures = []

    def issue(invoice_id):
        with Session(engine) as session:
            start.wait()
            try:
                billing_invoices.issue_invoice(session, invoice_id, on=date(2026, 4, 30))
                session.commit()
            except Exception as error:  # collected and reported below
                failures.append(error)

    threads = [threading.Thread(target=issue, args=(invoice_id,)) for invoice_id in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with Session(engine) as session:
        numbers = session.scalars(select(Invoice.number)).all()
        assert sorted(numbers) == [f"FA-2026-{n:05d}" for n in range(1, THREADS + 1)]
        for ledger in session.scalars(select(Ledger)):
            assert accounting.verify_ledger(session, ledger.id).ok
    engine.dispose()
