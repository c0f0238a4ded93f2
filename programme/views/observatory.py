"""The observatory feed of a year, as a page and as CSV and JSON downloads."""

import json
from datetime import date

from flask import Response, abort, render_template, request

from gie import db
from gie.cooperatives.models import FILIERES, PROVINCES
from gie.security import requires
from gie.web import csv_dialect, csv_response
from programme import indicators
from programme.blueprint import bp

#: the first year the GIE could report on (it was created in 2015)
FIRST_YEAR = 2015


def _year() -> int:
    year = request.args.get("year", date.today().year, type=int)
    if not FIRST_YEAR <= year <= date.today().year + 1:
        abort(404)
    return year


def _grouping() -> str:
    by = request.args.get("by", indicators.DEFAULT_GROUPING)
    if by not in indicators.GROUPINGS:
        abort(404)
    return by


@bp.get("/observatory")
@requires("programme.indicators")
def observatory():
    year, by = _year(), _grouping()
    return render_template(
        "programme/observatory.html",
        year=year,
        years=range(date.today().year, FIRST_YEAR - 1, -1),
        by=by,
        groupings=indicators.GROUPING_LABELS,
        grouped_by=indicators.GROUPINGS[by],
        feed=indicators.observatory_indicators(db.session, year, by),
        columns=indicators.COLUMNS,
        column_labels=indicators.COLUMN_LABELS,
        notes=indicators.notes(by),
        threshold=indicators.THRESHOLD,
        filieres=FILIERES,
        provinces=PROVINCES,
    )


@bp.get("/observatory.csv")
@requires("programme.indicators")
def observatory_csv():
    year, by = _year(), _grouping()
    feed = indicators.observatory_indicators(db.session, year, by)
    return csv_response(indicators.to_csv(feed, csv_dialect()), f"observatory-{year}-{by}.csv")


@bp.get("/observatory.json")
@requires("programme.indicators")
def observatory_json():
    year, by = _year(), _grouping()
    feed = indicators.observatory_indicators(db.session, year, by)
    return Response(
        json.dumps(indicators.as_dict(feed), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="observatory-{year}-{by}.json"'},
    )
