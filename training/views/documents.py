"""Printed and exported training documents: the indicators, attendance sheets, certificates."""

from datetime import date

from flask import (
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import current_user

from gie import db, tabular
from gie.cooperatives.models import FILIERES, PROVINCES
from gie.errors import ValidationError
from gie.pdf import document_language, pdf_response
from gie.security import get_scoped, requires
from gie.web import csv_dialect, csv_response, year_argument
from training import pdf, services
from training.blueprint import bp
from training.forms import AGE_BAND_LABELS
from training.models import Booking
from training.reports import indicators as indicator_reports
from training.reports import sessions


def _indicator_rows(figures: indicator_reports.TrainingIndicators) -> list[tuple[str, str, int]]:
    """(dimension, value, participants who attended) rows, as the observatory reads them."""
    sexes = {"female": _("Women"), "male": _("Men")}
    rows = [(_("Sex"), sexes.get(key, key), count) for key, count in figures.by_sex.items()]
    rows += [
        (_("Age band"), str(AGE_BAND_LABELS.get(key, key)), count)
        for key, count in figures.by_age_band.items()
    ]
    rows += [
        (_("Filière"), str(FILIERES.get(key, _("Non-members"))), count)
        for key, count in figures.by_filiere.items()
    ]
    rows += [
        (_("Province"), str(PROVINCES.get(key, _("Non-members"))), count)
        for key, count in figures.by_province.items()
    ]
    return rows


@bp.get("/indicators")
@requires("training.manage")
def indicators():
    year = year_argument(date.today().year)
    figures = indicator_reports.training_indicators(db.session, year)
    rows = _indicator_rows(figures)
    if request.args.get("format") == "csv":
        table = tabular.Table(
            _("Training indicators %(year)d", year=year),
            [_("Dimension"), _("Value"), _("Participants")],
            [(dimension, value, count) for dimension, value, count in rows],
        )
        return csv_response(tabular.to_csv(table, csv_dialect()), f"training-indicators-{year}.csv")
    return render_template(
        "training/indicators.html",
        year=year,
        figures=figures,
        rows=rows,
        by_course=indicator_reports.evaluation_by_course(db.session, year=year),
        by_trainer=indicator_reports.evaluation_by_trainer(db.session, year=year),
    )


@bp.get("/sessions/<int:session_id>/attendance-sheet.pdf")
@requires("training.manage")
def attendance_sheet(session_id: int):
    training_session = services.get_session(db.session, session_id)
    language = document_language()
    participants = sessions.confirmed_participants(db.session, training_session)
    body = pdf.attendance_sheet_pdf(training_session, participants, language)
    return pdf_response(body, f"attendance-{session_id}-{language}.pdf")


@bp.get("/bookings/<int:booking_id>/certificate.pdf")
@requires("training.book")
def certificate(booking_id: int):
    """Staff who manage training print any participant's certificate; a president only
    their own cooperative's (another's is not found). Only for a participant who attended."""
    booking = get_scoped(db.session, Booking, booking_id, current_user)
    if not sessions.attended(db.session, booking.id):
        raise ValidationError(_("This participant attended none of the session: no certificate."))
    language = document_language()
    body = pdf.certificate_pdf(booking, language)
    return pdf_response(body, f"certificate-{booking_id}-{language}.pdf")
