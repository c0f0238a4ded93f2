"""The observatory's figures of training (hours delivered, participants by sex, age band,
filière and province) and the participants' evaluations: SQL aggregates only."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import exists, func, select

from gie.cooperatives.models import Cooperative
from training.models import Attendance, Booking, Course, TrainingSession

YOUTH_AGE_BANDS = ("under_25", "25_34")  #: youth = under 35


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _done_in(year: int):
    first, last = year_bounds(year)
    return (
        TrainingSession.state == "done",
        TrainingSession.start_on >= first,
        TrainingSession.start_on <= last,
    )


def _attended_clause():
    return exists(
        select(Attendance.id).where(
            Attendance.booking_id == Booking.id, Attendance.present.is_(True)
        )
    )


@dataclass
class TrainingIndicators:
    """A year's training figures: sessions done that started in the year, and the
    participants of those sessions who attended at least one half-day."""

    year: int
    sessions_done: int = 0
    hours_delivered: int = 0  #: course hours x sessions done
    participants: int = 0
    women: int = 0
    youth: int = 0  #: under 35
    by_sex: dict = field(default_factory=dict)
    by_age_band: dict = field(default_factory=dict)
    by_sex_and_age_band: dict = field(default_factory=dict)  #: (sex, age band) -> count
    by_filiere: dict = field(default_factory=dict)  #: None for non-members
    by_province: dict = field(default_factory=dict)  #: None for non-members


def training_indicators(db_session, year: int) -> TrainingIndicators:
    indicators = TrainingIndicators(year=year)
    sessions, hours = db_session.execute(
        select(func.count(TrainingSession.id), func.coalesce(func.sum(Course.hours), 0))
        .join(Course, Course.id == TrainingSession.course_id)
        .where(*_done_in(year))
    ).one()
    indicators.sessions_done, indicators.hours_delivered = int(sessions), int(hours)

    attended_bookings = (
        select(Booking.id)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .where(*_done_in(year), Booking.state == "confirmed", _attended_clause())
    )
    rows = db_session.execute(
        select(
            Booking.sex,
            Booking.age_band,
            Cooperative.filiere,
            Cooperative.province,
            func.count(Booking.id),
        )
        .outerjoin(Cooperative, Cooperative.id == Booking.cooperative_id)
        .where(Booking.id.in_(attended_bookings))
        .group_by(Booking.sex, Booking.age_band, Cooperative.filiere, Cooperative.province)
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


@dataclass(frozen=True)
class EvaluationAverage:
    key: object  #: the course id, or the trainer's name
    label: str
    ratings: int
    average: Decimal  #: to 2 decimals


def _average(total, count) -> Decimal:
    return (Decimal(int(total)) / Decimal(int(count))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _rated(year: int | None):
    clauses = [Booking.rating.is_not(None), Booking.state == "confirmed"]
    if year is not None:
        first, last = year_bounds(year)
        clauses += [TrainingSession.start_on >= first, TrainingSession.start_on <= last]
    return clauses


def evaluation_by_course(db_session, *, year: int | None = None) -> list[EvaluationAverage]:
    """Average rating per course (courses with at least one rating), by course code."""
    rows = db_session.execute(
        select(
            Course.id,
            Course.code,
            Course.title,
            func.count(Booking.rating),
            func.sum(Booking.rating),
        )
        .join(TrainingSession, TrainingSession.course_id == Course.id)
        .join(Booking, Booking.session_id == TrainingSession.id)
        .where(*_rated(year))
        .group_by(Course.id, Course.code, Course.title)
        .order_by(Course.code)
    ).all()
    return [
        EvaluationAverage(
            key=course_id,
            label=f"{code} {title}",
            ratings=int(count),
            average=_average(total, count),
        )
        for course_id, code, title, count, total in rows
    ]


def evaluation_by_trainer(db_session, *, year: int | None = None) -> list[EvaluationAverage]:
    """Average rating per trainer (as named on the sessions), by name."""
    rows = db_session.execute(
        select(TrainingSession.trainer, func.count(Booking.rating), func.sum(Booking.rating))
        .join(Booking, Booking.session_id == TrainingSession.id)
        .where(*_rated(year))
        .group_by(TrainingSession.trainer)
        .order_by(TrainingSession.trainer)
    ).all()
    return [
        EvaluationAverage(
            key=trainer, label=trainer, ratings=int(count), average=_average(total, count)
        )
        for trainer, count, total in rows
    ]
