"""Training pages: the sessions calendar by month, a session with its participants, the
course catalogue, the public iCalendar feed of coming sessions, and the printed attendance
sheet and certificates (`?lang=fr|ar`)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
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
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from icalendar import Calendar, Event
from sqlalchemy import select

from billing.models import Customer
from gie import db, i18n, tabular
from gie.cooperatives.models import FILIERES, PROVINCES, Cooperative
from gie.errors import ValidationError
from gie.forms import ConfirmForm
from gie.pdf import document_language, pdf_response
from gie.security import get_scoped, has_permission, is_scoped, public, requires
from gie.web import csv_response, refusal_returns_to, refusal_shows
from training import pdf, reports, services
from training.forms import AGE_BAND_LABELS, BookingForm, CourseForm, SessionForm
from training.models import CATEGORIES, Attendance, Booking, Course, TrainingSession

bp = Blueprint("training", __name__, url_prefix="/training", template_folder="templates")

TIMEZONE = ZoneInfo("Africa/Casablanca")

STATE_LABELS = {
    "planned": _l("Planned"),
    "open": _l("Open"),
    "full": _l("Full"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
CATEGORY_LABELS = {
    "bookkeeping": _l("Bookkeeping"),
    "microcredit": _l("Microcredit"),
    "communication": _l("Communication"),
    "funding": _l("Funding"),
    "marketing": _l("Marketing"),
    "hygiene": _l("Hygiene"),
    "other": _l("Other"),
}


@bp.context_processor
def _helpers():
    return {
        "course_title": lambda course: reports.course_title(course, i18n.language()),
        "session_states": STATE_LABELS,
        "course_categories": CATEGORY_LABELS,
    }


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
    first, _last = reports.month_bounds(year, month)
    return render_template(
        "training/calendar.html",
        weeks=reports.month_sessions(db.session, year, month),
        month_label=format_date(first, "LLLL y"),
        previous_month=_shift(year, month, -1),
        next_month=_shift(year, month, 1),
    )


def _get_session(session_id: int) -> TrainingSession:
    training_session = db.session.get(TrainingSession, session_id)
    if training_session is None:
        abort(404)
    return training_session


def _booking_form(formdata=None) -> BookingForm:
    """The booking form: a president books for their own cooperative only; staff choose the
    cooperative, or (the coordinator) the customer who pays for a non-member."""
    form = BookingForm(formdata=formdata) if formdata is not None else BookingForm()
    if is_scoped(current_user):
        own = db.session.get(Cooperative, current_user.cooperative_id)
        form.cooperative_id.choices = [(own.id, own.name)] if own else []
        form.customer_id.choices = []
    else:
        cooperatives = db.session.scalars(select(Cooperative).order_by(Cooperative.name))
        form.cooperative_id.choices = [("", _("Non-member"))] + [
            (c.id, c.name) for c in cooperatives
        ]
        customers = db.session.scalars(select(Customer).order_by(Customer.code))
        form.customer_id.choices = [("", "")] + [(c.id, c.code) for c in customers]
    return form


def _session_page(training_session: TrainingSession, booking_form=None, status: int = 200):
    confirmed, waitlisted = reports.session_bookings(db.session, training_session, current_user)
    can_book = has_permission(current_user, "training.book")
    can_manage = has_permission(current_user, "training.manage")
    if booking_form is None and can_book:
        booking_form = _booking_form()
    return render_template(
        "training/session.html",
        training_session=training_session,
        seats_left=reports.session_seats_left(db.session, training_session),
        confirmed=confirmed,
        waitlisted=waitlisted,
        scoped=is_scoped(current_user),
        can_certify=can_book,
        can_book=can_book,
        rating_open=can_book and training_session.state == "done",
        booking_form=booking_form,
        confirm=ConfirmForm(),
        attended=reports.attended_ids(db.session, (b.id for b in confirmed)),
        can_manage=can_manage,
        half_days=reports.half_days(training_session) if can_manage else [],
        presence=_presence(confirmed) if can_manage else set(),
    ), status


def _presence(bookings) -> set[str]:
    """The checkbox names of the half-days already marked present."""
    ids = [b.id for b in bookings]
    if not ids:
        return set()
    rows = db.session.scalars(
        select(Attendance).where(Attendance.booking_id.in_(ids), Attendance.present.is_(True))
    )
    return {_presence_name(a.booking_id, a.day, a.half) for a in rows}


def _presence_name(booking_id: int, day: date, half: str) -> str:
    return f"present-{booking_id}-{day.isoformat()}-{half}"


@bp.get("/sessions/<int:session_id>")
@requires("training.view")
def session_detail(session_id: int):
    return _session_page(_get_session(session_id))


@bp.post("/sessions/<int:session_id>/bookings")
@requires("training.book")
def book(session_id: int):
    training_session = _get_session(session_id)
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
        rating=request.form.get("rating", type=int),
        comment=request.form.get("comment", ""),
        actor=current_user,
    )
    flash(_("Evaluation of %(name)s saved.", name=booking.participant_name), "success")
    return redirect(back)


@bp.get("/courses")
@requires("training.view")
def course_list():
    return render_template("training/courses.html", courses=reports.courses(db.session))


@bp.get("/courses/<int:course_id>")
@requires("training.view")
def course_detail(course_id: int):
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    return render_template(
        "training/course.html",
        course=course,
        sessions=reports.course_sessions(db.session, course_id),
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
    host = request.host.split(":")[0] or "localhost"
    stamp = datetime.now(tz=ZoneInfo("UTC"))
    for item, seats in reports.feed_sessions(db.session, date.today()):
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
        event.add("url", url_for("training.session_detail", session_id=item.id, _external=True))
        cal.add_component(event)
    return Response(cal.to_ical(), mimetype="text/calendar")


# --- managing courses and sessions --------------------------------------------------------------


@bp.route("/courses/new", methods=["GET", "POST"])
@requires("training.manage")
def course_new():
    form = CourseForm()
    form.category.choices = [("", "")] + [
        (key, CATEGORY_LABELS.get(key, key)) for key in CATEGORIES
    ]

    def page() -> str:
        return render_template(
            "training/edit.html", form=form, heading=_("New course"), current="courses"
        )

    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    refusal_shows(lambda _error: page(), form)
    course = services.create_course(
        db.session,
        code=form.code.data,
        title=form.title.data,
        title_ar=form.title_ar.data or "",
        category=form.category.data,
        hours=form.hours.data,
        objectives=form.objectives.data or "",
        prerequisites=form.prerequisites.data or "",
    )
    flash(_("Course %(code)s created.", code=course.code), "success")
    return redirect(url_for(".course_detail", course_id=course.id))


@bp.route("/sessions/new", methods=["GET", "POST"])
@requires("training.manage")
def session_new():
    form = SessionForm()
    if request.method == "GET" and request.args.get("course_id", type=int):
        form.course_id.data = request.args.get("course_id", type=int)
    courses = [c for c in reports.courses(db.session) if c.active]
    form.course_id.choices = [("", "")] + [
        (c.id, f"{c.code} · {reports.course_title(c, i18n.language())}") for c in courses
    ]

    def page() -> str:
        return render_template(
            "training/edit.html", form=form, heading=_("New session"), current="calendar"
        )

    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    extra = {}
    if form.starts_at.data:
        extra["starts_at"] = form.starts_at.data
    if form.ends_at.data:
        extra["ends_at"] = form.ends_at.data
    refusal_shows(lambda _error: page(), form)
    training_session = services.create_session(
        db.session,
        course_id=form.course_id.data,
        start_on=form.start_on.data,
        end_on=form.end_on.data,
        town=form.town.data,
        place=form.place.data or "",
        trainer=form.trainer.data or "",
        capacity=form.capacity.data,
        **extra,
    )
    flash(_("Session planned."), "success")
    return redirect(url_for(".session_detail", session_id=training_session.id))


def _change_state(session_id: int, state: str):
    _get_session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refusal_returns_to(url_for(".session_detail", session_id=session_id))
    training_session = services.set_state(db.session, session_id, state)
    flash(
        _(
            "The session is now %(state)s.",
            state=STATE_LABELS.get(training_session.state, training_session.state),
        ),
        "success",
    )
    return redirect(url_for(".session_detail", session_id=session_id))


@bp.post("/sessions/<int:session_id>/open")
@requires("training.manage")
def session_open(session_id: int):
    return _change_state(session_id, "open")


@bp.post("/sessions/<int:session_id>/state")
@requires("training.manage")
def session_state(session_id: int):
    return _change_state(session_id, request.form.get("state", ""))


@bp.post("/sessions/<int:session_id>/attendance")
@requires("training.manage")
def attendance(session_id: int):
    """Every half-day of every confirmed participant: checked is present, unchecked absent."""
    training_session = _get_session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    presence = {
        (booking.id, day, half): _presence_name(booking.id, day, half) in request.form
        for booking in reports.confirmed_participants(db.session, training_session)
        for day, half in reports.half_days(training_session)
    }
    refusal_returns_to(url_for(".session_detail", session_id=session_id))
    count = services.mark_attendance(db.session, session_id, presence)
    flash(_("Attendance saved (%(count)s half-days).", count=count), "success")
    return redirect(url_for(".session_detail", session_id=session_id))


@bp.post("/sessions/<int:session_id>/bill")
@requires("training.manage")
def bill(session_id: int):
    _get_session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refusal_returns_to(url_for(".session_detail", session_id=session_id))
    summary = services.bill_session(db.session, session_id, on=date.today())
    if summary.already_billed:
        flash(_("Nothing new billed: this session was billed already."), "info")
    elif not summary.seats_billed:
        flash(_("Nothing new billed: no seat to bill."), "info")
    else:
        flash(
            _(
                "%(seats)s seats billed on %(invoices)s draft invoices.",
                seats=summary.seats_billed,
                invoices=summary.invoices_created,
            ),
            "success",
        )
    return redirect(url_for(".session_detail", session_id=session_id))


# --- printed documents ---------------------------------------------------------------------------


def _indicator_rows(indicators: reports.TrainingIndicators) -> list[tuple[str, str, int]]:
    """(dimension, value, participants who attended) rows, as the observatory reads them."""
    sexes = {"female": _("Women"), "male": _("Men")}
    rows = [(_("Sex"), sexes.get(key, key), count) for key, count in indicators.by_sex.items()]
    rows += [
        (_("Age band"), str(AGE_BAND_LABELS.get(key, key)), count)
        for key, count in indicators.by_age_band.items()
    ]
    rows += [
        (_("Filière"), str(FILIERES.get(key, _("Non-members"))), count)
        for key, count in indicators.by_filiere.items()
    ]
    rows += [
        (_("Province"), str(PROVINCES.get(key, _("Non-members"))), count)
        for key, count in indicators.by_province.items()
    ]
    return rows


@bp.get("/indicators")
@requires("training.manage")
def indicators():
    year = request.args.get("year", date.today().year, type=int)
    figures = reports.training_indicators(db.session, year)
    rows = _indicator_rows(figures)
    if request.args.get("format") == "csv":
        table = tabular.Table(
            _("Training indicators %(year)d", year=year),
            [_("Dimension"), _("Value"), _("Participants")],
            [(dimension, value, count) for dimension, value, count in rows],
        )
        return csv_response(tabular.to_csv(table), f"training-indicators-{year}.csv")
    return render_template(
        "training/indicators.html",
        year=year,
        figures=figures,
        rows=rows,
        by_course=reports.evaluation_by_course(db.session, year=year),
        by_trainer=reports.evaluation_by_trainer(db.session, year=year),
    )


@bp.get("/sessions/<int:session_id>/attendance-sheet.pdf")
@requires("training.manage")
def attendance_sheet(session_id: int):
    training_session = db.session.get(TrainingSession, session_id)
    if training_session is None:
        abort(404)
    language = document_language()
    participants = reports.confirmed_participants(db.session, training_session)
    body = pdf.attendance_sheet_pdf(training_session, participants, language)
    return pdf_response(body, f"attendance-{session_id}-{language}.pdf")


@bp.get("/bookings/<int:booking_id>/certificate.pdf")
@requires("training.book")
def certificate(booking_id: int):
    """Staff who manage training print any participant's certificate; a president only
    their own cooperative's (another's is not found). Only for a participant who attended."""
    booking = get_scoped(db.session, Booking, booking_id, current_user)
    if not reports.attended(db.session, booking.id):
        raise ValidationError(_("This participant attended none of the session: no certificate."))
    language = document_language()
    body = pdf.certificate_pdf(booking, language)
    return pdf_response(body, f"certificate-{booking_id}-{language}.pdf")
