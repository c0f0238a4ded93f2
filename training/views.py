"""Training pages: the sessions calendar by month, a session with its participants, the
course catalogue, the public iCalendar feed of coming sessions, and the printed attendance
sheet and certificates (`?lang=fr|ar`)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from icalendar import Calendar, Event

from gie import db, i18n
from gie.errors import ValidationError
from gie.security import get_scoped, has_permission, is_scoped, public, requires
from training import pdf, reports
from training.models import Booking, Course, TrainingSession

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


@bp.get("/sessions/<int:session_id>")
@requires("training.view")
def session_detail(session_id: int):
    training_session = db.session.get(TrainingSession, session_id)
    if training_session is None:
        abort(404)
    confirmed, waitlisted = reports.session_bookings(db.session, training_session, current_user)
    return render_template(
        "training/session.html",
        training_session=training_session,
        seats_left=reports.session_seats_left(db.session, training_session),
        confirmed=confirmed,
        waitlisted=waitlisted,
        scoped=is_scoped(current_user),
        can_certify=has_permission(current_user, "training.book"),
        attended=reports.attended_ids(db.session, (b.id for b in confirmed)),
    )


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


# --- printed documents ---------------------------------------------------------------------------


def _document_language() -> str:
    wanted = request.args.get("lang")
    if wanted:
        if wanted not in pdf.LANGUAGES:
            abort(404)
        return wanted
    return i18n.language() if i18n.language() in pdf.LANGUAGES else "fr"


def _pdf_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@bp.get("/sessions/<int:session_id>/attendance-sheet.pdf")
@requires("training.manage")
def attendance_sheet(session_id: int):
    training_session = db.session.get(TrainingSession, session_id)
    if training_session is None:
        abort(404)
    language = _document_language()
    participants = reports.confirmed_participants(db.session, training_session)
    body = pdf.attendance_sheet_pdf(training_session, participants, language)
    return _pdf_response(body, f"attendance-{session_id}-{language}.pdf")


@bp.get("/bookings/<int:booking_id>/certificate.pdf")
@requires("training.book")
def certificate(booking_id: int):
    """Staff who manage training print any participant's certificate; a president only
    their own cooperative's (another's is not found). Only for a participant who attended."""
    booking = get_scoped(db.session, Booking, booking_id, current_user)
    if not reports.attended(db.session, booking.id):
        raise ValidationError(_("This participant attended none of the session: no certificate."))
    language = _document_language()
    body = pdf.certificate_pdf(booking, language)
    return _pdf_response(body, f"certificate-{booking_id}-{language}.pdf")
