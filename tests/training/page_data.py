"""Training records for the page and document tests, made with the models directly (the
services are tested on their own): a course, a session and bookings, with attendance."""

import itertools
from datetime import date, time, timedelta

from training.models import Attendance, Booking, Course, TrainingSession

_codes = itertools.count(1)


def make_course(session, **overrides) -> Course:
    data = {
        "code": f"PAGE-{next(_codes):03d}",
        "title": "Tenue de la comptabilité coopérative",
        "title_ar": "مسك محاسبة التعاونية",
        "category": "bookkeeping",
        "hours": 12,
    }
    data.update(overrides)
    course = Course(**data)
    session.add(course)
    session.flush()
    return course


def make_session(session, course=None, **overrides) -> TrainingSession:
    start = date.today() + timedelta(days=10)
    data = {
        "course_id": (course or make_course(session)).id,
        "start_on": start,
        "end_on": start + timedelta(days=1),
        "starts_at": time(9, 0),
        "ends_at": time(16, 30),
        "town": "Tétouan",
        "place": "Maison de l'artisan",
        "trainer": "Samira Bennani",
        "capacity": 12,
        "state": "open",
    }
    data.update(overrides)
    training_session = TrainingSession(**data)
    session.add(training_session)
    session.flush()
    return training_session


def make_booking(session, training_session, cooperative=None, *, attended=False, **overrides):
    data = {
        "session_id": training_session.id,
        "cooperative_id": cooperative.id if cooperative else None,
        "participant_name": "Fatima Zahra El Idrissi",
        "sex": "female",
        "age_band": "25_34",
        "state": "confirmed",
    }
    data.update(overrides)
    booking = Booking(**data)
    session.add(booking)
    session.flush()
    if attended:
        session.add(Attendance(booking_id=booking.id, day=training_session.start_on, half="am"))
        session.flush()
    return booking
