"""Training: every rule about courses, sessions, bookings, the waitlist and attendance."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from billing.models import Customer, Service
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from gie.cooperatives.models import Cooperative
from gie.db import utcnow
from gie.errors import DomainError, NotFound, PermissionDenied, ValidationError
from gie.security import PERMISSIONS, get_scoped, is_scoped
from training.models import (
    AGE_BANDS,
    CATEGORIES,
    SESSION_STATES,
    SEXES,
    Attendance,
    Booking,
    Course,
    TrainingSession,
)

HALVES = ("am", "pm")

#: state -> the states a session may move to by hand
TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"open", "cancelled"}),
    "open": frozenset({"full", "done", "cancelled"}),
    "full": frozenset({"open", "done", "cancelled"}),
    "done": frozenset(),
    "cancelled": frozenset(),
}
BOOKABLE_STATES = ("open", "full")


class TrainingRefused(DomainError):
    """A training rule refused the operation; nothing changed."""


def _not_found():
    return NotFound(_l("This page does not exist."))


def _invalid(errors: dict[str, list]):
    return ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)


def _required(errors: dict[str, list], name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = [_l("This field is required.")]
    return value


def get_course(session: Session, course_id: int) -> Course:
    """A course: the catalogue of training is the same for everyone who may read it."""
    course = session.get(Course, course_id)
    if course is None:
        raise _not_found()
    return course


def get_session(session: Session, session_id: int) -> TrainingSession:
    """A training session, whoever may read the calendar. Raises NotFound."""
    training = session.get(TrainingSession, session_id)
    if training is None:
        raise _not_found()
    return training


# --- courses ---------------------------------------------------------------------------------


def _course_fields(
    session: Session,
    *,
    course_id: int | None,
    code: str,
    title: str,
    category: str,
    hours: int,
    service_id: int | None,
) -> tuple[str, str]:
    errors: dict[str, list] = {}
    code = _required(errors, "code", code).upper()
    if code and session.scalar(
        select(Course.id).where(Course.code == code, Course.id != course_id)
    ):
        errors["code"] = [_l("Another course already has this code.")]
    title = _required(errors, "title", title)
    if category not in CATEGORIES:
        errors["category"] = [_l("Choose a category.")]
    if not isinstance(hours, int) or hours <= 0:
        errors["hours"] = [_l("The duration must be a positive number of hours.")]
    if service_id is not None and session.get(Service, service_id) is None:
        errors["service_id"] = [_l("Unknown service.")]
    if errors:
        raise _invalid(errors)
    return code, title


def create_course(
    session: Session,
    *,
    code: str,
    title: str,
    hours: int,
    category: str = "other",
    title_ar: str = "",
    objectives: str = "",
    objectives_ar: str = "",
    prerequisites: str = "",
    service_id: int | None = None,
    bill_booked_seats: bool = False,
) -> Course:
    code, title = _course_fields(
        session,
        course_id=None,
        code=code,
        title=title,
        category=category,
        hours=hours,
        service_id=service_id,
    )
    course = Course(
        code=code,
        title=title,
        title_ar=title_ar.strip(),
        objectives=objectives.strip(),
        objectives_ar=objectives_ar.strip(),
        category=category,
        hours=hours,
        prerequisites=prerequisites.strip(),
        service_id=service_id,
        bill_booked_seats=bill_booked_seats,
    )
    session.add(course)
    session.flush()
    return course


def update_course(
    session: Session,
    course_id: int,
    *,
    code: str,
    title: str,
    hours: int,
    category: str = "other",
    title_ar: str = "",
    objectives: str = "",
    objectives_ar: str = "",
    prerequisites: str = "",
    service_id: int | None = None,
    bill_booked_seats: bool = False,
    active: bool = True,
) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise _not_found()
    code, title = _course_fields(
        session,
        course_id=course.id,
        code=code,
        title=title,
        category=category,
        hours=hours,
        service_id=service_id,
    )
    course.code, course.title, course.title_ar = code, title, title_ar.strip()
    course.objectives, course.objectives_ar = objectives.strip(), objectives_ar.strip()
    course.category, course.hours, course.prerequisites = category, hours, prerequisites.strip()
    course.service_id, course.bill_booked_seats, course.active = (
        service_id,
        bill_booked_seats,
        active,
    )
    session.flush()
    return course


# --- sessions --------------------------------------------------------------------------------


def _session_errors(
    session: Session,
    *,
    course_id: int,
    start_on: date,
    end_on: date,
    town: str,
    capacity: int,
    starts_at: time,
    ends_at: time,
) -> dict[str, list]:
    errors: dict[str, list] = {}
    if session.get(Course, course_id) is None:
        errors["course_id"] = [_l("Unknown course.")]
    if start_on is None:
        errors["start_on"] = [_l("This field is required.")]
    if end_on is None:
        errors["end_on"] = [_l("This field is required.")]
    elif start_on is not None and end_on < start_on:
        errors["end_on"] = [_l("The session cannot end before it starts.")]
    if not (town or "").strip():
        errors["town"] = [_l("This field is required.")]
    if not isinstance(capacity, int) or capacity <= 0:
        errors["capacity"] = [_l("The capacity must be a positive number of seats.")]
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_l("The day cannot end before it starts.")]
    return errors


def create_session(
    session: Session,
    *,
    course_id: int,
    start_on: date,
    end_on: date,
    town: str,
    capacity: int,
    place: str = "",
    trainer: str = "",
    starts_at: time = time(9, 0),
    ends_at: time = time(17, 0),
) -> TrainingSession:
    errors = _session_errors(
        session,
        course_id=course_id,
        start_on=start_on,
        end_on=end_on,
        town=town,
        capacity=capacity,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    if errors:
        raise _invalid(errors)
    training = TrainingSession(
        course_id=course_id,
        start_on=start_on,
        end_on=end_on,
        starts_at=starts_at,
        ends_at=ends_at,
        town=town.strip(),
        place=place.strip(),
        trainer=trainer.strip(),
        capacity=capacity,
        state="planned",
    )
    session.add(training)
    session.flush()
    return training


def _confirmed_seats(session: Session, session_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.session_id == session_id, Booking.state == "confirmed")
    )


def update_session(
    session: Session,
    session_id: int,
    *,
    course_id: int,
    start_on: date,
    end_on: date,
    town: str,
    capacity: int,
    place: str = "",
    trainer: str = "",
    starts_at: time = time(9, 0),
    ends_at: time = time(17, 0),
) -> TrainingSession:
    """Change a session. The capacity cannot drop below the seats already confirmed."""
    training = lock_session(session, session_id)
    errors = _session_errors(
        session,
        course_id=course_id,
        start_on=start_on,
        end_on=end_on,
        town=town,
        capacity=capacity,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    confirmed = _confirmed_seats(session, training.id)
    if "capacity" not in errors and capacity < confirmed:
        errors["capacity"] = [
            _l("%(count)d seats are already confirmed.", count=confirmed),
        ]
    if errors:
        raise _invalid(errors)
    training.course_id, training.start_on, training.end_on = course_id, start_on, end_on
    training.starts_at, training.ends_at = starts_at, ends_at
    training.town, training.place, training.trainer = town.strip(), place.strip(), trainer.strip()
    training.capacity = capacity
    session.flush()
    _promote_waitlisted(session, training)
    _refresh_fullness(session, training)
    session.flush()
    return training


def lock_session(session: Session, session_id: int) -> TrainingSession:
    """Take the session's row lock for the rest of the transaction (PostgreSQL); on SQLite
    the database-wide write lock plays that part. Bookings of one session are decided one
    at a time under this lock."""
    training = session.scalars(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if training is None:
        raise _not_found()
    return training


def set_state(session: Session, session_id: int, state: str) -> TrainingSession:
    """Move a session along planned -> open -> full/done, or cancel it."""
    training = lock_session(session, session_id)
    if state not in SESSION_STATES:
        raise _invalid({"state": [_l("Choose a state.")]})
    if state == training.state:
        return training
    if state not in TRANSITIONS[training.state]:
        raise TrainingRefused(
            _l(
                "A session cannot go from %(current)s to %(state)s.",
                current=training.state,
                state=state,
            )
        )
    if state == "open" and _confirmed_seats(session, training.id) >= training.capacity:
        state = "full"
    training.state = state
    session.flush()
    return training


def open_for_booking(session: Session, session_id: int) -> TrainingSession:
    return set_state(session, session_id, "open")


def _refresh_fullness(session: Session, training: TrainingSession) -> None:
    if training.state not in BOOKABLE_STATES:
        return
    confirmed = _confirmed_seats(session, training.id)
    training.state = "full" if confirmed >= training.capacity else "open"


def _first_waitlisted(session: Session, session_id: int) -> Booking | None:
    return session.scalars(
        select(Booking)
        .where(Booking.session_id == session_id, Booking.state == "waitlisted")
        .order_by(Booking.waitlist_position, Booking.id)
        .limit(1)
    ).first()


def _promote_waitlisted(session: Session, training: TrainingSession) -> list[Booking]:
    """Confirm waitlisted bookings, first in first, while seats are free (lock held)."""
    promoted = []
    if training.state not in BOOKABLE_STATES:
        return promoted
    free = training.capacity - _confirmed_seats(session, training.id)
    while free > 0:
        booking = _first_waitlisted(session, training.id)
        if booking is None:
            break
        booking.state, booking.waitlist_position = "confirmed", None
        session.flush()
        promoted.append(booking)
        free -= 1
    return promoted


# --- bookings --------------------------------------------------------------------------------


def _may_book(actor) -> bool:
    return getattr(actor, "role", None) in PERMISSIONS["training.book"]


def book(
    session: Session,
    session_id: int,
    *,
    participant_name: str,
    sex: str,
    age_band: str,
    cooperative_id: int | None = None,
    customer_id: int | None = None,
    actor,
) -> Booking:
    """Book a seat for a named participant: confirmed while seats are free, else waitlisted
    at the next position (and the session is then full). A president books for their own
    cooperative only; the coordinator for any cooperative, or for a non-member who pays as
    the billing customer `customer_id`."""
    if not _may_book(actor):
        raise PermissionDenied(_l("You may not book training seats."))
    errors: dict[str, list] = {}
    if is_scoped(actor):
        if cooperative_id is not None and cooperative_id != actor.cooperative_id:
            raise PermissionDenied(_l("You may book seats for your own cooperative only."))
        cooperative_id, customer_id = actor.cooperative_id, None
    elif cooperative_id is not None:
        if session.get(Cooperative, cooperative_id) is None:
            errors["cooperative_id"] = [_l("Unknown cooperative.")]
        customer_id = None
    elif customer_id is None or session.get(Customer, customer_id) is None:
        errors["customer_id"] = [_l("Choose the customer who pays for a non-member.")]
    participant_name = _required(errors, "participant_name", participant_name)
    if sex not in SEXES:
        errors["sex"] = [_l("Choose a sex.")]
    if age_band not in AGE_BANDS:
        errors["age_band"] = [_l("Choose an age band.")]
    if errors:
        raise _invalid(errors)

    training = lock_session(session, session_id)
    if training.state not in BOOKABLE_STATES:
        raise TrainingRefused(_l("This session is not open for booking."))
    booking = Booking(
        session_id=training.id,
        cooperative_id=cooperative_id,
        customer_id=customer_id,
        participant_name=participant_name,
        sex=sex,
        age_band=age_band,
        booked_by_id=getattr(actor, "id", None),
    )
    if _confirmed_seats(session, training.id) < training.capacity:
        booking.state = "confirmed"
    else:
        last = session.scalar(
            select(func.max(Booking.waitlist_position)).where(
                Booking.session_id == training.id, Booking.state == "waitlisted"
            )
        )
        booking.state, booking.waitlist_position = "waitlisted", (last or 0) + 1
    session.add(booking)
    session.flush()
    _refresh_fullness(session, training)
    session.flush()
    return booking


def get_booking(session: Session, booking_id: int, *, actor) -> Booking:
    return get_scoped(session, Booking, booking_id, actor)


def cancel_booking(session: Session, booking_id: int, *, actor) -> Booking | None:
    """Cancel a booking (a president only their cooperative's). A freed seat goes to the
    first waitlisted booking, which is returned; None when nobody was promoted."""
    if not _may_book(actor):
        raise PermissionDenied(_l("You may not cancel training seats."))
    booking = get_scoped(session, Booking, booking_id, actor)
    training = lock_session(session, booking.session_id)
    session.refresh(booking)
    if booking.state == "cancelled":
        raise TrainingRefused(_l("This booking is already cancelled."))
    if training.state in ("done", "cancelled") or booking.invoice_line_id is not None:
        raise TrainingRefused(_l("This session is over: its bookings can no longer change."))
    booking.state, booking.waitlist_position = "cancelled", None
    booking.cancelled_at = utcnow()
    session.flush()
    promoted = _promote_waitlisted(session, training)
    _refresh_fullness(session, training)
    session.flush()
    return promoted[0] if promoted else None


# --- attendance ------------------------------------------------------------------------------


#: when the afternoon half-day begins, on the server's clock (the one `date.today()` reads)
AFTERNOON_STARTS = time(12, 0)


def half_day_started(day: date, half: str, now: datetime | None = None) -> bool:
    """Whether a half-day has begun: presence is recorded for what took place, never ahead."""
    now = now or datetime.now()
    if day != now.date():
        return day < now.date()
    return half == "am" or now.time() >= AFTERNOON_STARTS


def mark_attendance(
    session: Session,
    session_id: int,
    presence: dict[tuple[int, date, str], bool],
    now: datetime | None = None,
) -> int:
    """Record presence per (booking id, day, half-day) for confirmed bookings of the session,
    for half-days that have begun; returns how many half-days were recorded. Nothing is saved
    when one key is wrong."""
    training = session.get(TrainingSession, session_id)
    if training is None:
        raise _not_found()
    bookings = {
        b.id: b
        for b in session.scalars(
            select(Booking).where(Booking.session_id == training.id, Booking.state == "confirmed")
        )
    }
    problems = []
    for booking_id, day, half in presence:
        if booking_id not in bookings:
            problems.append(
                _l("Booking %(id)s is not a confirmed seat of this session.", id=booking_id)
            )
        elif not isinstance(day, date) or not training.start_on <= day <= training.end_on:
            problems.append(_l("%(day)s is not a day of this session.", day=str(day)))
        elif half not in HALVES:
            problems.append(_l("A half-day is am or pm."))
        elif not half_day_started(day, half, now):
            problems.append(
                _l("Presence cannot be recorded for %(day)s: it has not come yet.", day=str(day))
            )
    if problems:
        raise ValidationError(problems[0], field_errors={"presence": problems})
    existing = {
        (a.booking_id, a.day, a.half): a
        for a in session.scalars(
            select(Attendance).where(Attendance.booking_id.in_(list(bookings) or [0]))
        )
    }
    for key, present in presence.items():
        row = existing.get(key)
        if row is None:
            booking_id, day, half = key
            session.add(Attendance(booking_id=booking_id, day=day, half=half, present=present))
        else:
            row.present = bool(present)
    session.flush()
    return len(presence)


def attended(booking: Booking) -> bool:
    """Present at least once."""
    session = object_session(booking)
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Attendance)
            .where(Attendance.booking_id == booking.id, Attendance.present.is_(True))
        )
    )


# --- billing ---------------------------------------------------------------------------------


@dataclass
class SessionBilling:
    invoices_created: int = 0
    seats_billed: int = 0
    already_billed: bool = False
    invoice_ids: list[int] = field(default_factory=list)


def bill_session(session: Session, session_id: int, *, on: date) -> SessionBilling:
    """Draft one invoice per payer for a session that is done: a line per attended seat (per
    confirmed seat when the course bills booked seats), at the member price for a member
    cooperative, at the public price for a non-member. Once only: a second call bills
    nothing and says so."""
    training = lock_session(session, session_id)
    if training.billed:
        return SessionBilling(already_billed=True)
    if training.state != "done":
        raise TrainingRefused(_l("Only a session that is done can be billed."))
    course = training.course
    if course.service_id is None:
        raise TrainingRefused(_l("The course has no service of the catalogue to bill."))
    prices = billing_catalogue.price_on(session, course.service_id, on)
    bookings = session.scalars(
        select(Booking)
        .where(
            Booking.session_id == training.id,
            Booking.state == "confirmed",
            Booking.invoice_line_id.is_(None),
        )
        .order_by(Booking.id)
        .execution_options(populate_existing=True)
    ).all()
    if not course.bill_booked_seats:
        bookings = [b for b in bookings if attended(b)]
    by_payer: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        if booking.cooperative_id is not None:
            payer = billing_customers.member_customer(session, booking.cooperative_id)
        else:
            payer = session.get(Customer, booking.customer_id)
        by_payer[payer.id].append(booking)
    summary = SessionBilling()
    period = training.start_on.strftime("%d/%m/%Y")
    for customer_id, seats in by_payer.items():
        customer = session.get(Customer, customer_id)
        unit_price = prices.member_price if customer.kind == "member" else prices.public_price
        invoice = billing_invoices.save_draft_invoice(
            session,
            customer_id,
            [
                billing_invoices.DraftLine(
                    service_id=course.service_id,
                    quantity=Decimal("1"),
                    unit_price=unit_price,
                    description=f"{course.title} ({period}, {training.town}): "
                    f"{seat.participant_name}"[:300],
                )
                for seat in seats
            ],
            on=on,
        )
        for seat, line in zip(seats, sorted(invoice.lines, key=lambda x: x.position), strict=True):
            seat.invoice_line_id = line.id
        summary.invoices_created += 1
        summary.seats_billed += len(seats)
        summary.invoice_ids.append(invoice.id)
    training.billed = True
    session.flush()
    return summary


# --- evaluation ------------------------------------------------------------------------------


def rate(
    session: Session,
    booking_id: int,
    *,
    rating: int,
    comment: str = "",
    actor=None,
) -> Booking:
    """A participant's satisfaction, 1 to 5, and comment; given again, it replaces the first."""
    if actor is not None:
        booking = get_scoped(session, Booking, booking_id, actor)
    else:
        booking = session.get(Booking, booking_id)
        if booking is None:
            raise _not_found()
    if booking.state != "confirmed":
        raise TrainingRefused(_l("Only a confirmed participant can rate the session."))
    if booking.session.state != "done":
        raise TrainingRefused(_l("A session can be rated only once it has taken place."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise _invalid({"rating": [_l("A rating is from 1 to 5.")]})
    booking.rating, booking.comment = rating, (comment or "").strip()
    session.flush()
    return booking
