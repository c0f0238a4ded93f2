"""Read side of the training pages, the iCalendar feed and the printed documents: the
calendar, sessions and their seats, bookings and attendance."""

import calendar
from datetime import date, timedelta

from sqlalchemy import func, select

from billing.models import Customer
from gie.cooperatives.models import Cooperative
from gie.security import is_scoped, scope
from training.models import Attendance, Booking, Course, TrainingSession

#: sessions a calendar subscriber is told about
FEED_STATES = ("planned", "open")


def course_title(course, language: str) -> str:
    """The course's title in `language`: the Arabic one when set, else the French one."""
    if language == "ar" and course.title_ar:
        return course.title_ar
    return course.title


def confirmed_counts(db_session, session_ids) -> dict[int, int]:
    """Confirmed bookings per training session."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = db_session.execute(
        select(Booking.session_id, func.count(Booking.id))
        .where(Booking.session_id.in_(ids), Booking.state == "confirmed")
        .group_by(Booking.session_id)
    )
    return {session_id: count for session_id, count in rows}


def seats_left(training_session, confirmed: int) -> int:
    return max(training_session.capacity - confirmed, 0)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def month_sessions(db_session, year: int, month: int) -> list[tuple]:
    """The sessions running during a month, by start date, each with its seats left, grouped
    by the week (Monday) they start in: [(monday, [(session, seats_left), ...]), ...]."""
    first, last = month_bounds(year, month)
    sessions = db_session.scalars(
        select(TrainingSession)
        .where(TrainingSession.start_on <= last, TrainingSession.end_on >= first)
        .order_by(TrainingSession.start_on, TrainingSession.starts_at, TrainingSession.id)
    ).all()
    counts = confirmed_counts(db_session, (s.id for s in sessions))
    weeks: dict[date, list] = {}
    for item in sessions:
        start = max(item.start_on, first)
        monday = start - timedelta(days=start.weekday())
        weeks.setdefault(monday, []).append((item, seats_left(item, counts.get(item.id, 0))))
    return sorted(weeks.items())


def session_seats_left(db_session, training_session) -> int:
    counts = confirmed_counts(db_session, [training_session.id])
    return seats_left(training_session, counts.get(training_session.id, 0))


def session_bookings(db_session, training_session, user) -> tuple[list, list]:
    """The confirmed and the waitlisted bookings of a session that `user` may see (a
    president sees only their own cooperative's participants)."""
    statement = scope(
        select(Booking).where(
            Booking.session_id == training_session.id,
            Booking.state.in_(("confirmed", "waitlisted")),
        ),
        Booking,
        user,
    )
    bookings = db_session.scalars(statement.order_by(Booking.id)).all()
    confirmed = [b for b in bookings if b.state == "confirmed"]
    waitlisted = sorted(
        (b for b in bookings if b.state == "waitlisted"),
        key=lambda b: (b.waitlist_position is None, b.waitlist_position or 0, b.id),
    )
    return confirmed, waitlisted


def confirmed_participants(db_session, training_session) -> list:
    """Every confirmed booking of a session, by participant name (the attendance sheet)."""
    return db_session.scalars(
        select(Booking)
        .where(Booking.session_id == training_session.id, Booking.state == "confirmed")
        .order_by(Booking.participant_name, Booking.id)
    ).all()


def half_days(training_session) -> list[tuple[date, str]]:
    """Each half-day of a session, morning then afternoon, from its first to its last day."""
    days = (training_session.end_on - training_session.start_on).days + 1
    return [
        (training_session.start_on + timedelta(days=offset), half)
        for offset in range(days)
        for half in ("am", "pm")
    ]


def courses(db_session) -> list:
    return db_session.scalars(select(Course).order_by(Course.active.desc(), Course.code)).all()


def course_sessions(db_session, course_id: int) -> list[tuple]:
    """A course's sessions, latest first, with their seats left."""
    sessions = db_session.scalars(
        select(TrainingSession)
        .where(TrainingSession.course_id == course_id)
        .order_by(TrainingSession.start_on.desc(), TrainingSession.id.desc())
    ).all()
    counts = confirmed_counts(db_session, (s.id for s in sessions))
    return [(s, seats_left(s, counts.get(s.id, 0))) for s in sessions]


def feed_sessions(db_session, today: date) -> list[tuple]:
    """Sessions for the iCalendar feed: planned or open ones, ending today or later."""
    sessions = db_session.scalars(
        select(TrainingSession)
        .where(TrainingSession.state.in_(FEED_STATES), TrainingSession.end_on >= today)
        .order_by(TrainingSession.start_on, TrainingSession.id)
    ).all()
    counts = confirmed_counts(db_session, (s.id for s in sessions))
    return [(s, seats_left(s, counts.get(s.id, 0))) for s in sessions]


def attended(db_session, booking_id: int) -> bool:
    """A participant attended when present at one half-day at least."""
    return (
        db_session.scalar(
            select(Attendance.id)
            .where(Attendance.booking_id == booking_id, Attendance.present.is_(True))
            .limit(1)
        )
        is not None
    )


def attended_ids(db_session, booking_ids) -> set[int]:
    """Which of these bookings attended (present at one half-day at least)."""
    ids = list(booking_ids)
    if not ids:
        return set()
    return set(
        db_session.scalars(
            select(Attendance.booking_id)
            .where(Attendance.booking_id.in_(ids), Attendance.present.is_(True))
            .distinct()
        )
    )


def booking_parties(db_session, user) -> tuple[list[Cooperative], list[Customer]]:
    """Whom the user may book a seat for: their own cooperative for a president; every
    cooperative, by name, and every billing customer, by code, for the staff."""
    if is_scoped(user):
        own = db_session.get(Cooperative, user.cooperative_id)
        return ([own] if own else []), []
    cooperatives = db_session.scalars(select(Cooperative).order_by(Cooperative.name)).all()
    customers = db_session.scalars(select(Customer).order_by(Customer.code)).all()
    return list(cooperatives), list(customers)


def present_half_days(db_session, booking_ids: list[int]) -> set[tuple[int, date, str]]:
    """(booking, day, half) of every half-day these bookings are marked present."""
    if not booking_ids:
        return set()
    rows = db_session.execute(
        select(Attendance.booking_id, Attendance.day, Attendance.half).where(
            Attendance.booking_id.in_(booking_ids), Attendance.present.is_(True)
        )
    )
    return {(booking_id, day, half) for booking_id, day, half in rows}
