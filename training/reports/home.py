"""What the home pages show of training: coming sessions, a cooperative's bookings, hours
by filière."""

from datetime import date

from sqlalchemy import case, func, select

from gie.cooperatives.models import Cooperative
from gie.security import scope
from training.models import Booking, Course, TrainingSession
from training.reports.indicators import year_bounds


def upcoming_sessions(db_session, *, date_from: date, date_to: date) -> list[tuple]:
    """Sessions starting between two dates and not cancelled, by start: (session, confirmed,
    waitlisted)."""
    counted = (
        select(
            Booking.session_id.label("session_id"),
            func.sum(case((Booking.state == "confirmed", 1), else_=0)).label("confirmed"),
            func.sum(case((Booking.state == "waitlisted", 1), else_=0)).label("waitlisted"),
        )
        .group_by(Booking.session_id)
        .subquery()
    )
    rows = db_session.execute(
        select(TrainingSession, counted.c.confirmed, counted.c.waitlisted)
        .outerjoin(counted, counted.c.session_id == TrainingSession.id)
        .where(
            TrainingSession.start_on >= date_from,
            TrainingSession.start_on <= date_to,
            TrainingSession.state != "cancelled",
        )
        .order_by(TrainingSession.start_on, TrainingSession.starts_at, TrainingSession.id)
    ).all()
    return [
        (item, int(confirmed or 0), int(waitlisted or 0)) for item, confirmed, waitlisted in rows
    ]


def booked_sessions(db_session, user, *, date_from: date) -> list[tuple]:
    """Sessions ending on or after `date_from` on which the user's cooperative has bookings,
    by start: (session, confirmed, waitlisted) counting that cooperative's participants
    only."""
    confirmed = func.sum(case((Booking.state == "confirmed", 1), else_=0))
    waitlisted = func.sum(case((Booking.state == "waitlisted", 1), else_=0))
    statement = scope(
        select(TrainingSession, confirmed, waitlisted)
        .join(Booking, Booking.session_id == TrainingSession.id)
        .where(
            TrainingSession.end_on >= date_from,
            TrainingSession.state != "cancelled",
            Booking.state.in_(("confirmed", "waitlisted")),
        ),
        Booking,
        user,
    )
    rows = db_session.execute(
        statement.group_by(TrainingSession.id).order_by(
            TrainingSession.start_on, TrainingSession.id
        )
    ).all()
    return [(item, int(booked), int(waiting)) for item, booked, waiting in rows]


def hours_by_filiere(db_session, year: int) -> dict:
    """Participant hours (course hours for each confirmed seat) of the year's sessions that
    are not cancelled, per filière of the participant's cooperative (None: non-members)."""
    first, last = year_bounds(year)
    rows = db_session.execute(
        select(Cooperative.filiere, func.coalesce(func.sum(Course.hours), 0))
        .select_from(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .outerjoin(Cooperative, Cooperative.id == Booking.cooperative_id)
        .where(
            Booking.state == "confirmed",
            TrainingSession.state != "cancelled",
            TrainingSession.start_on >= first,
            TrainingSession.start_on <= last,
        )
        .group_by(Cooperative.filiere)
    ).all()
    return {filiere: int(hours) for filiere, hours in rows}
