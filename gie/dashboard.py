"""Home page: what each role works on first."""

from flask import Blueprint, render_template
from flask_login import current_user

from gie import db
from gie.cooperatives import reports as cooperative_reports
from gie.cooperatives.models import STATUSES
from gie.security import requires

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@requires("dashboard.view")
def home():
    by_status = cooperative_reports.count_by_status(db.session, current_user)
    return render_template("dashboard.html", by_status=by_status, statuses=STATUSES)
