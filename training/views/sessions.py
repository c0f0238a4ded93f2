"""The training calendar, a session and booking a seat on it, the courses, and the
iCalendar feed of coming sessions."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from icalendar import Calendar, Event

from gie import db
from gie.forms import ConfirmForm, optional_int
from gie.security import has_permission, is_scoped, public, requires
from gie.web import absolute_url, refusal_returns_to, refusal_shows, server_host
from training import services
from training.blueprint import bp
from training.forms import (
    BookingForm,
    presence_name,
)
from training.models import TrainingSession
from training.reports import sessions

#: the sessions' times are local to the region, as calendar applications must know
TIMEZONE = ZoneInfo("Africa/Casablanca")


def _month() -> tuple[int, int]:
    """The month asked in `?month=YYYY-MM`, this month by default."""
    wanted = request.args.get("month")
    if not wanted:
        today = date.today()
        return today.year, today.month
    try:
        parsed = datetime.strptime(wanted, "%Y-%m")
    except ValueError:
        abort(404)
    if not 2000 <= parsed.year <= 2100:
        abort(404)
    return parsed.year, parsed.month


def _shift(year: int, month: int, step: int) -> str:
    index = year * 12 + month - 1 + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@bp.get("/")
@requires("training.view")
def calendar():
    year, month = _month()
    first, _last = sessions.month_bounds(year, month)
    return render_template(
        "training/calendar.html",
        weeks=sessions.month_sessions(db.session, year, month),
        month_label=format_date(first, "LLLL y"),
        previous_month=_shift(year, month, -1),
        next_month=_shift(year, month, 1),
    )


def _booking_form(formdata=None) -> BookingForm:
    """The booking form: a president books for their own cooperative only; staff choose the
    cooperative, or (the coordinator) the customer who pays for a non-member."""
    form = BookingForm(formdata=formdata) if formdata is not None else BookingForm()
    cooperatives, customers = sessions.booking_parties(db.session, current_user)
    if is_scoped(current_user):
        form.cooperative_id.choices = [(c.id, c.name) for c in cooperatives]
        form.customer_id.choices = []
    else:
        form.cooperative_id.choices = [("", _("Non-member"))] + [
            (c.id, c.name) for c in cooperatives
        ]
        form.customer_id.choices = [("", "")] + [(c.id, c.code) for c in customers]
    return form


def _session_page(training_session: TrainingSession, booking_form=None, status: int = 200):
    confirmed, waitlisted = sessions.session_bookings(db.session, training_session, current_user)
    can_book = has_permission(current_user, "training.book")
    can_manage = has_permission(current_user, "training.manage")
    if booking_form is None and can_book:
        booking_form = _booking_form()
    return render_template(
        "training/session.html",
        training_session=training_session,
        seats_left=sessions.session_seats_left(db.session, training_session),
        confirmed=confirmed,
        waitlisted=waitlisted,
        scoped=is_scoped(current_user),
        can_certify=can_book,
        can_book=can_book,
        rating_open=can_book and training_session.state == "done",
        booking_form=booking_form,
        confirm=ConfirmForm(),
        attended=sessions.attended_ids(db.session, (b.id for b in confirmed)),
        can_manage=can_manage,
        half_days=sessions.half_days(training_session) if can_manage else [],
        half_day_started=services.half_day_started,
        presence=_presence(confirmed) if can_manage else set(),
    ), status


def _presence(bookings) -> set[str]:
    """The checkbox names of the half-days already marked present."""
    marked = sessions.present_half_days(db.session, [b.id for b in bookings])
    return {presence_name(booking_id, day, half) for booking_id, day, half in marked}


@bp.get("/sessions/<int:session_id>")
@requires("training.view")
def session_detail(session_id: int):
    return _session_page(services.get_session(db.session, session_id))


@bp.post("/sessions/<int:session_id>/bookings")
@requires("training.book")
def book(session_id: int):
    training_session = services.get_session(db.session, session_id)
    form = _booking_form()
    if form.validate_on_submit():
        cooperative_id = form.cooperative_id.data
        customer_id = form.customer_id.data
        if is_scoped(current_user):
            cooperative_id, customer_id = current_user.cooperative_id, None
        # A refusal (a field to correct, or a session that takes no booking) shows the
        # session's page again with the reason and the participant as typed.
        refusal_shows(lambda _error: _session_page(training_session, form)[0], form)
        booking = services.book(
            db.session,
            session_id,
            participant_name=form.participant_name.data,
            sex=form.sex.data,
            age_band=form.age_band.data,
            cooperative_id=cooperative_id,
            customer_id=customer_id,
            actor=current_user,
        )
        if booking.state == "confirmed":
            flash(
                _("Booking confirmed for %(name)s.", name=booking.participant_name),
                "success",
            )
        else:
            flash(
                _(
                    "%(name)s is waitlisted at position %(position)s.",
                    name=booking.participant_name,
                    position=booking.waitlist_position,
                ),
                "success",
            )
        return redirect(url_for(".session_detail", session_id=session_id))
    return _session_page(training_session, form, 422)


@bp.post("/bookings/<int:booking_id>/cancel")
@requires("training.book")
def cancel_booking(booking_id: int):
    booking = services.get_booking(db.session, booking_id, actor=current_user)
    session_id, name = booking.session_id, booking.participant_name
    refusal_returns_to(url_for(".session_detail", session_id=session_id))
    promoted = services.cancel_booking(db.session, booking_id, actor=current_user)
    flash(_("Booking of %(name)s cancelled.", name=name), "success")
    if promoted is not None:
        flash(
            _("%(name)s was promoted from the waiting list.", name=promoted.participant_name),
            "success",
        )
    return redirect(url_for(".session_detail", session_id=session_id))


@bp.post("/bookings/<int:booking_id>/rating")
@requires("training.book")
def rate(booking_id: int):
    booking = services.get_booking(db.session, booking_id, actor=current_user)
    back = url_for(".session_detail", session_id=booking.session_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    refusal_returns_to(back)
    services.rate(
        db.session,
        booking.id,
        rating=request.form.get("rating", type=optional_int),
        comment=request.form.get("comment", ""),
        actor=current_user,
    )
    flash(_("Evaluation of %(name)s saved.", name=booking.participant_name), "success")
    return redirect(back)


@bp.get("/courses")
@requires("training.view")
def course_list():
    return render_template("training/courses.html", courses=sessions.courses(db.session))


@bp.get("/courses/<int:course_id>")
@requires("training.view")
def course_detail(course_id: int):
    course = services.get_course(db.session, course_id)
    return render_template(
        "training/course.html",
        course=course,
        sessions=sessions.course_sessions(db.session, course_id),
    )


@bp.get("/sessions.ics")
@public
def feed():
    """The coming planned and open sessions, for calendar applications to subscribe to:
    no participant's name, only the course, dates, place, trainer and seats left."""
    cal = Calendar()
    cal.add("prodid", "-//GIE Tanger-Tetouan-Al Hoceima//Training//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", current_app.config["GIE_LEGAL_NAME"])
    cal.add("x-wr-timezone", "Africa/Casablanca")
    host = server_host()
    stamp = datetime.now(tz=ZoneInfo("UTC"))
    for item, seats in sessions.feed_sessions(db.session, date.today()):
        event = Event()
        event.add("uid", f"training-session-{item.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.combine(item.start_on, item.starts_at, tzinfo=TIMEZONE))
        event.add("dtend", datetime.combine(item.end_on, item.ends_at, tzinfo=TIMEZONE))
        event.add("summary", item.course.title)
        event.add("location", ", ".join(part for part in (item.place, item.town) if part))
        lines = []
        if item.trainer:
            lines.append(_("Trainer: %(name)s", name=item.trainer))
        lines.append(
            _("Seats left: %(seats)s of %(capacity)s", seats=seats, capacity=item.capacity)
        )
        event.add("description", "\n".join(lines))
        event.add("url", absolute_url("training.session_detail", session_id=item.id))
        cal.add_component(event)
    return Response(cal.to_ical(), mimetype="text/calendar")
