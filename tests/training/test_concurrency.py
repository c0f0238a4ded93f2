"""Booking one session from many connections at once, on PostgreSQL (SQLite serialises all
writers)."""

import os
import threading
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gie.cooperatives.services import create_cooperative
from gie.db import make_engine
from gie.users import services as user_services
from gie.users.models import User
from tests.conftest import PASSWORD, migrate
from training import services
from training.models import Booking, TrainingSession

pytestmark = pytest.mark.skipif(
    os.environ.get("GIE_TEST_BACKEND") != "postgresql",
    reason="row locks are a PostgreSQL matter; this runs in the PostgreSQL pass of make test",
)

THREADS, CAPACITY = 50, 20


def test_fifty_bookings_at_once_fill_twenty_seats_and_waitlist_thirty_in_order(databases):
    url = databases.new()
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        cooperative = create_cooperative(
            session,
            {"code": "COOP-950", "name": "Concurrence", "filiere": "honey", "province": "MA-HOC"},
        )
        coordinator = user_services.create_user(
            session,
            email="coordinator@example.ma",
            name="Coordinator",
            role="training_coordinator",
            password=PASSWORD,
        )
        course = services.create_course(session, code="CONC-1", title="Concurrence", hours=6)
        training = services.create_session(
            session,
            course_id=course.id,
            start_on=date(2026, 6, 8),
            end_on=date(2026, 6, 8),
            town="Al Hoceima",
            capacity=CAPACITY,
        )
        services.open_for_booking(session, training.id)
        ids = (training.id, cooperative.id, coordinator.id)
        session.commit()
    session_id, cooperative_id, coordinator_id = ids

    start = threading.Barrier(THREADS)
    failures = []

    def book(n):
        with Session(engine) as session:
            actor = session.get(User, coordinator_id)
            session.commit()
            start.wait()
            try:
                services.book(
                    session,
                    session_id,
                    participant_name=f"Participant {n}",
                    sex="female",
                    age_band="under_25",
                    cooperative_id=cooperative_id,
                    actor=actor,
                )
                session.commit()
            except Exception as error:  # collected and reported below
                failures.append(error)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with Session(engine) as session:
        bookings = session.scalars(select(Booking).where(Booking.session_id == session_id)).all()
        confirmed = [b for b in bookings if b.state == "confirmed"]
        waitlisted = [b for b in bookings if b.state == "waitlisted"]
        assert len(confirmed) == CAPACITY
        assert sorted(b.waitlist_position for b in waitlisted) == list(
            range(1, THREADS - CAPACITY + 1)
        )
        assert session.get(TrainingSession, session_id).state == "full"
    engine.dispose()
