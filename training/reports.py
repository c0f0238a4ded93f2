"""Read side of training: calendar, feeds, sheets and indicators."""


# --- calendar, feeds and sheets ------------------------------------------------------------------
# Read functions of the training pages, the iCalendar feed and the printed documents
# (training/views.py, training/pdf.py). Another section of this file holds the indicators.

import calendar as _calendar  # noqa: E402
from datetime import date as _date  # noqa: E402
from datetime import timedelta as _timedelta  # noqa: E402

from sqlalchemy import func as _func  # noqa: E402
from sqlalchemy import select as _select  # noqa: E402

from gie.security import scope as _scope  # noqa: E402
from training.models import Attendance as _Attendance  # noqa: E402
from training.models import Booking as _Booking  # noqa: E402
from training.models import Course as _Course  # noqa: E402
from training.models import TrainingSession as _TrainingSession  # noqa: E402

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
        _select(_Booking.session_id, _func.count(_Booking.id))
        .where(_Booking.session_id.in_(ids), _Booking.state == "confirmed")
        .group_by(_Booking.session_id)
    )
    return {session_id: count for session_id, count in rows}


def seats_left(training_session, confirmed: int) -> int:
    return max(training_session.capacity - confirmed, 0)


def month_bounds(year: int, month: int) -> tuple[_date, _date]:
    return _date(year, month, 1), _date(year, month, _calendar.monthrange(year, month)[1])


def month_sessions(db_session, year: int, month: int) -> list[tuple]:
    """The sessions running during a month, by start date, each with its seats left, grouped
    by the week (Monday) they start in: [(monday, [(session, seats_left), ...]), ...]."""
    first, last = month_bounds(year, month)
    sessions = db_session.scalars(
        _select(_TrainingSession)
        .where(_TrainingSession.start_on <= last, _TrainingSession.end_on >= first)
        .order_by(_TrainingSession.start_on, _TrainingSession.starts_at, _TrainingSession.id)
    ).all()
    counts = confirmed_counts(db_session, (s.id for s in sessions))
    weeks: dict[_date, list] = {}
    for item in sessions:
        start = max(item.start_on, first)
        monday = start - _timedelta(days=start.weekday())
        weeks.setdefault(monday, []).append((item, seats_left(item, counts.get(item.id, 0))))
    return sorted(weeks.items())


def session_seats_left(db_session, training_session) -> int:
    counts = confirmed_counts(db_session, [training_session.id])
    return seats_left(training_session, counts.get(training_session.id, 0))


def session_bookings(db_session, training_session, user) -> tuple[list, list]:
    """The confirmed and the waitlisted bookings of a session that `user` may see (a
    president sees only their own cooperative's participants)."""
    statement = _scope(
        _select(_Booking).where(
            _Booking.session_id == training_session.id,
            _Booking.state.in_(("confirmed", "waitlisted")),
        ),
        _Booking,
        user,
    )
    bookings = db_session.scalars(statement.order_by(_Booking.id)).all()
    confirmed = [b for b in bookings if b.state == "confirmed"]
    waitlisted = sorted(
        (b for b in bookings if b.state == "waitlisted"),
        key=lambda b: (b.waitlist_position is None, b.waitlist_position or 0, b.id),
    )
    return confirmed, waitlisted


def confirmed_participants(db_session, training_session) -> list:
    """Every confirmed booking of a session, by participant name (the attendance sheet)."""
    return db_session.scalars(
        _select(_Booking)
        .where(_Booking.session_id == training_session.id, _Booking.state == "confirmed")
        .order_by(_Booking.participant_name, _Booking.id)
    ).all()


def half_days(training_session) -> list[tuple[_date, str]]:
    """Each half-day of a session, morning then afternoon, from its first to its last day."""
    days = (training_session.end_on - training_session.start_on).days + 1
    return [
        (training_session.start_on + _timedelta(days=offset), half)
        for offset in range(days)
        for half in ("am", "pm")
    ]


def courses(db_session) -> list:
    return db_session.scalars(_select(_Course).order_by(_Course.active.desc(), _Course.code)).all()


def course_sessions(db_session, course_id: int) -> list[tuple]:
    """A course's sessions, latest first, with their seats left."""
    sessions = db_session.scalars(
        _select(_TrainingSession)
        .where(_TrainingSession.course_id == course_id)
        .order_by(_TrainingSession.start_on.desc(), _TrainingSession.id.desc())
    ).all()
    counts = confirmed_counts(db_session, (s.id for s in sessions))
    return [(s, seats_left(s, counts.get(s.id, 0))) for s in sessions]


def feed_sessions(db_session, today: _date) -> list[tuple]:
    """Sessions for the iCalendar feed: planned or open ones, ending today or later."""
    sessions = db_session.scalars(
        _select(_TrainingSession)
        .where(_TrainingSession.state.in_(FEED_STATES), _TrainingSession.end_on >= today)
        .order_by(_TrainingSession.start_on, _TrainingSession.id)
    ).all()
    counts = confirmed_counts(db_session, (s.id for s in sessions))
    return [(s, seats_left(s, counts.get(s.id, 0))) for s in sessions]


def attended(db_session, booking_id: int) -> bool:
    """A participant attended when present at one half-day at least."""
    return (
        db_session.scalar(
            _select(_Attendance.id)
            .where(_Attendance.booking_id == booking_id, _Attendance.present.is_(True))
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
            _select(_Attendance.booking_id)
            .where(_Attendance.booking_id.in_(ids), _Attendance.present.is_(True))
            .distinct()
        )
    )


# --- indicators and evaluations --------------------------------------------------------------
# The observatory's figures (hours delivered, participants by sex, age band, filière and
# province) and the participants' evaluations. SQL aggregates only; owned by training/services'
# author. The calendar, feeds and sheets are in the section above.

from dataclasses import dataclass as _ind_dataclass  # noqa: E402
from dataclasses import field as _ind_field  # noqa: E402
from decimal import ROUND_HALF_UP as _IND_HALF_UP  # noqa: E402
from decimal import Decimal as _IndDecimal  # noqa: E402

from sqlalchemy import exists as _ind_exists  # noqa: E402

from gie.cooperatives.models import Cooperative as _IndCooperative  # noqa: E402

YOUTH_AGE_BANDS = ("under_25", "25_34")  #: youth = under 35


def _ind_year_bounds(year: int) -> tuple[_date, _date]:
    return _date(year, 1, 1), _date(year, 12, 31)


def _ind_done_in(year: int):
    first, last = _ind_year_bounds(year)
    return (
        _TrainingSession.state == "done",
        _TrainingSession.start_on >= first,
        _TrainingSession.start_on <= last,
    )


def _ind_attended_clause():
    return _ind_exists(
        _select(_Attendance.id).where(
            _Attendance.booking_id == _Booking.id, _Attendance.present.is_(True)
        )
    )


@_ind_dataclass
class TrainingIndicators:
    """A year's training figures: sessions done that started in the year, and the
    participants of those sessions who attended at least one half-day."""

    year: int
    sessions_done: int = 0
    hours_delivered: int = 0  #: course hours x sessions done
    participants: int = 0
    women: int = 0
    youth: int = 0  #: under 35
    by_sex: dict = _ind_field(default_factory=dict)
    by_age_band: dict = _ind_field(default_factory=dict)
    by_sex_and_age_band: dict = _ind_field(default_factory=dict)  #: (sex, age band) -> count
    by_filiere: dict = _ind_field(default_factory=dict)  #: None for non-members
    by_province: dict = _ind_field(default_factory=dict)  #: None for non-members


def training_indicators(db_session, year: int) -> TrainingIndicators:
    indicators = TrainingIndicators(year=year)
    sessions, hours = db_session.execute(
        _select(_func.count(_TrainingSession.id), _func.coalesce(_func.sum(_Course.hours), 0))
        .join(_Course, _Course.id == _TrainingSession.course_id)
        .where(*_ind_done_in(year))
    ).one()
    indicators.sessions_done, indicators.hours_delivered = int(sessions), int(hours)

    attended_bookings = (
        _select(_Booking.id)
        .join(_TrainingSession, _TrainingSession.id == _Booking.session_id)
        .where(*_ind_done_in(year), _Booking.state == "confirmed", _ind_attended_clause())
    )
    rows = db_session.execute(
        _select(
            _Booking.sex,
            _Booking.age_band,
            _IndCooperative.filiere,
            _IndCooperative.province,
            _func.count(_Booking.id),
        )
        .outerjoin(_IndCooperative, _IndCooperative.id == _Booking.cooperative_id)
        .where(_Booking.id.in_(attended_bookings))
        .group_by(
            _Booking.sex, _Booking.age_band, _IndCooperative.filiere, _IndCooperative.province
        )
    ).all()
    for sex, age_band, filiere, province, count in rows:
        count = int(count)
        indicators.participants += count
        for table, key in (
            (indicators.by_sex, sex),
            (indicators.by_age_band, age_band),
            (indicators.by_sex_and_age_band, (sex, age_band)),
            (indicators.by_filiere, filiere),
            (indicators.by_province, province),
        ):
            table[key] = table.get(key, 0) + count
    indicators.women = indicators.by_sex.get("female", 0)
    indicators.youth = sum(indicators.by_age_band.get(band, 0) for band in YOUTH_AGE_BANDS)
    return indicators


@_ind_dataclass(frozen=True)
class EvaluationAverage:
    key: object  #: the course id, or the trainer's name
    label: str
    ratings: int
    average: _IndDecimal  #: to 2 decimals


def _ind_average(total, count) -> _IndDecimal:
    return (_IndDecimal(int(total)) / _IndDecimal(int(count))).quantize(
        _IndDecimal("0.01"), rounding=_IND_HALF_UP
    )


def _ind_rated(year: int | None):
    clauses = [_Booking.rating.is_not(None), _Booking.state == "confirmed"]
    if year is not None:
        first, last = _ind_year_bounds(year)
        clauses += [_TrainingSession.start_on >= first, _TrainingSession.start_on <= last]
    return clauses


def evaluation_by_course(db_session, *, year: int | None = None) -> list[EvaluationAverage]:
    """Average rating per course (courses with at least one rating), by course code."""
    rows = db_session.execute(
        _select(
            _Course.id,
            _Course.code,
            _Course.title,
            _func.count(_Booking.rating),
            _func.sum(_Booking.rating),
        )
        .join(_TrainingSession, _TrainingSession.course_id == _Course.id)
        .join(_Booking, _Booking.session_id == _TrainingSession.id)
        .where(*_ind_rated(year))
        .group_by(_Course.id, _Course.code, _Course.title)
        .order_by(_Course.code)
    ).all()
    return [
        EvaluationAverage(
            key=course_id,
            label=f"{code} {title}",
            ratings=int(count),
            average=_ind_average(total, count),
        )
        for course_id, code, title, count, total in rows
    ]


def evaluation_by_trainer(db_session, *, year: int | None = None) -> list[EvaluationAverage]:
    """Average rating per trainer (as named on the sessions), by name."""
    rows = db_session.execute(
        _select(_TrainingSession.trainer, _func.count(_Booking.rating), _func.sum(_Booking.rating))
        .join(_Booking, _Booking.session_id == _TrainingSession.id)
        .where(*_ind_rated(year))
        .group_by(_TrainingSession.trainer)
        .order_by(_TrainingSession.trainer)
    ).all()
    return [
        EvaluationAverage(
            key=trainer, label=trainer, ratings=int(count), average=_ind_average(total, count)
        )
        for trainer, count, total in rows
    ]


# --- home pages ----------------------------------------------------------------------------------

from sqlalchemy import case as _case  # noqa: E402


def upcoming_sessions(db_session, *, date_from: _date, date_to: _date) -> list[tuple]:
    """Sessions starting between two dates and not cancelled, by start: (session, confirmed,
    waitlisted)."""
    counted = (
        _select(
            _Booking.session_id.label("session_id"),
            _func.sum(_case((_Booking.state == "confirmed", 1), else_=0)).label("confirmed"),
            _func.sum(_case((_Booking.state == "waitlisted", 1), else_=0)).label("waitlisted"),
        )
        .group_by(_Booking.session_id)
        .subquery()
    )
    rows = db_session.execute(
        _select(_TrainingSession, counted.c.confirmed, counted.c.waitlisted)
        .outerjoin(counted, counted.c.session_id == _TrainingSession.id)
        .where(
            _TrainingSession.start_on >= date_from,
            _TrainingSession.start_on <= date_to,
            _TrainingSession.state != "cancelled",
        )
        .order_by(_TrainingSession.start_on, _TrainingSession.starts_at, _TrainingSession.id)
    ).all()
    return [
        (item, int(confirmed or 0), int(waitlisted or 0)) for item, confirmed, waitlisted in rows
    ]


def booked_sessions(db_session, user, *, date_from: _date) -> list[tuple]:
    """Sessions ending on or after `date_from` on which the user's cooperative has bookings,
    by start: (session, confirmed, waitlisted) counting that cooperative's participants
    only."""
    confirmed = _func.sum(_case((_Booking.state == "confirmed", 1), else_=0))
    waitlisted = _func.sum(_case((_Booking.state == "waitlisted", 1), else_=0))
    statement = _scope(
        _select(_TrainingSession, confirmed, waitlisted)
        .join(_Booking, _Booking.session_id == _TrainingSession.id)
        .where(
            _TrainingSession.end_on >= date_from,
            _TrainingSession.state != "cancelled",
            _Booking.state.in_(("confirmed", "waitlisted")),
        ),
        _Booking,
        user,
    )
    rows = db_session.execute(
        statement.group_by(_TrainingSession.id).order_by(
            _TrainingSession.start_on, _TrainingSession.id
        )
    ).all()
    return [(item, int(booked), int(waiting)) for item, booked, waiting in rows]


def hours_by_filiere(db_session, year: int) -> dict:
    """Participant hours (course hours for each confirmed seat) of the year's sessions that
    are not cancelled, per filière of the participant's cooperative (None: non-members)."""
    first, last = _ind_year_bounds(year)
    rows = db_session.execute(
        _select(_IndCooperative.filiere, _func.coalesce(_func.sum(_Course.hours), 0))
        .select_from(_Booking)
        .join(_TrainingSession, _TrainingSession.id == _Booking.session_id)
        .join(_Course, _Course.id == _TrainingSession.course_id)
        .outerjoin(_IndCooperative, _IndCooperative.id == _Booking.cooperative_id)
        .where(
            _Booking.state == "confirmed",
            _TrainingSession.state != "cancelled",
            _TrainingSession.start_on >= first,
            _TrainingSession.start_on <= last,
        )
        .group_by(_IndCooperative.filiere)
    ).all()
    return {filiere: int(hours) for filiere, hours in rows}
