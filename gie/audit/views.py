from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from gie import db
from gie.audit import reports
from gie.csvfiles import parse_date
from gie.forms import optional_int
from gie.security import requires
from gie.users.reports import list_users

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

ACTION_LABELS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "login": _l("logged in"),
    "login_failed": _l("login refused"),
    "lockout": _l("locked out"),
    "logout": _l("logged out"),
    "unlock": _l("lock lifted"),
}


def _date_arg(name: str):
    try:
        return parse_date(request.args[name]) if request.args.get(name) else None
    except (ValueError, OverflowError):
        return None


@bp.get("/")
@requires("audit.view")
def index():
    filters = {
        "user_id": request.args.get("user_id", type=optional_int),
        "record_type": request.args.get("record_type") or None,
        "date_from": _date_arg("date_from"),
        "date_to": _date_arg("date_to"),
    }
    entries = reports.search_entries(db.session, **filters)
    users = list_users(db.session)
    return render_template(
        "audit/index.html",
        entries=entries,
        filters=filters,
        users=users,
        users_by_id={u.id: u for u in users},
        record_types=reports.record_types(db.session),
        action_labels=ACTION_LABELS,
    )
