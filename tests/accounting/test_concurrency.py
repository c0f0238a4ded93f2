"""Posting from many connections at once, on PostgreSQL (SQLite serialises all writers)."""

import os
import threading
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting import services
from accounting.models import Entry
from gie.cooperatives.services import create_cooperative
from gie.db import make_engine
from tests.accounting.conftest import lines
from tests.conftest import migrate

pytestmark = pytest.mark.skipif(
    os.environ.get("GIE_TEST_BACKEND") != "postgresql",
    reason="row locks are a PostgreSQL matter; this runs in the PostgreSQL pass of make test",
)

THREADS = 20


def test_twenty_threads_posting_into_one_journal_get_numbers_1_to_20(databases):
    url = databases.new()
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        create_cooperative(
            session,
            {"code": "COOP-900", "name": "Concurrence", "filiere": "honey", "province": "MA-HOC"},
        )
        ledger = services.open_ledger(session, "COOP-900", first_year=2026)
        drafts = [
            services.save_draft(
                session,
                ledger.id,
                journal_code="VT",
                entry_date=date(2026, 5, 1 + n % 28),
                label=f"Facture {n}",
                lines=lines(("3421", "120", ""), ("7124", "", "100"), ("4455", "", "20")),
            ).id
            for n in range(THREADS)
        ]
        ledger_id = ledger.id
        session.commit()

    start = threading.Barrier(THREADS)
    failures = []

    def post(entry_id):
        with Session(engine) as session:
            start.wait()
            try:
                services.post_entry(session, entry_id)
                session.commit()
            except Exception as error:  # collected and reported below
                failures.append(error)

    threads = [threading.Thread(target=post, args=(entry_id,)) for entry_id in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with Session(engine) as session:
        numbers = session.scalars(select(Entry.number).where(Entry.ledger_id == ledger_id)).all()
        assert sorted(numbers) == [f"VT-2026-{n:05d}" for n in range(1, THREADS + 1)]
        assert services.verify_ledger(session, ledger_id).ok
    engine.dispose()
