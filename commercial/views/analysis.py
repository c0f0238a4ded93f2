"""Analysis of the pipeline: forecast, conversion, won and lost, lost reasons; as a page
and as CSV tables."""

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from commercial import forms, reports
from commercial.blueprint import bp
from gie import db
from gie.cooperatives.models import FILIERES
from gie.security import requires
from gie.tabular import to_csv
from gie.web import csv_dialect, csv_response

DIMENSION_LABELS = {
    "filiere": _l("Filière"),
    "cooperative": _l("Cooperative"),
    "adviser": _l("Adviser"),
    "source": _l("Source"),
}


def _dimensions() -> dict:
    return {by: DIMENSION_LABELS[by] for by in reports.dimensions_for(current_user)}


@bp.get("/analysis")
@requires("commercial.view")
def analysis():
    session = db.session
    dimensions = _dimensions()
    return render_template(
        "commercial/pipeline/analysis.html",
        forecast=reports.forecast(session, current_user),
        conversion=reports.conversion(session, current_user),
        won_lost={by: reports.won_lost(session, current_user, by) for by in dimensions},
        lost_reasons=reports.lost_reasons(session, current_user),
        dimensions=dimensions,
        filieres=FILIERES,
        sources=forms.SOURCE_LABELS,
    )


@bp.get("/analysis.csv")
@requires("commercial.view")
def analysis_csv():
    session = db.session
    report = request.args.get("report", "forecast")
    if report == "forecast":
        table = reports.forecast_table(session, current_user)
    elif report == "conversion":
        table = reports.conversion_table(session, current_user)
    elif report == "lost-reasons":
        table = reports.lost_reasons_table(session, current_user)
    elif report.startswith("won-lost-") and report[9:] in _dimensions():
        table = reports.won_lost_table(session, current_user, report[9:])
    else:
        abort(404)
    return csv_response(to_csv(table, csv_dialect()), f"pipeline-{report}.csv")
