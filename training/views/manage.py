"""Managing training: new courses and sessions, their states, attendance, billing a session."""

from datetime import date

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from gie import db, i18n
from gie.forms import ConfirmForm, optional_int
from gie.security import requires
from gie.web import refusal_returns_to, refusal_shows
from training import services
from training.blueprint import bp
from training.forms import CATEGORY_LABELS, STATE_LABELS, CourseForm, SessionForm, presence_name
from training.models import CATEGORIES
from training.reports import sessions


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
    if request.method == "GET" and request.args.get("course_id", type=optional_int):
        form.course_id.data = request.args.get("course_id", type=optional_int)
    courses = [c for c in sessions.courses(db.session) if c.active]
    form.course_id.choices = [("", "")] + [
        (c.id, f"{c.code} · {sessions.course_title(c, i18n.language())}") for c in courses
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
    services.get_session(db.session, session_id)
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
    training_session = services.get_session(db.session, session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    presence = {
        (booking.id, day, half): presence_name(booking.id, day, half) in request.form
        for booking in sessions.confirmed_participants(db.session, training_session)
        for day, half in sessions.half_days(training_session)
        if services.half_day_started(day, half)
    }
    refusal_returns_to(url_for(".session_detail", session_id=session_id))
    count = services.mark_attendance(db.session, session_id, presence)
    flash(_("Attendance saved (%(count)s half-days).", count=count), "success")
    return redirect(url_for(".session_detail", session_id=session_id))


@bp.post("/sessions/<int:session_id>/bill")
@requires("training.manage")
def bill(session_id: int):
    services.get_session(db.session, session_id)
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
