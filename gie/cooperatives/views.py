from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gie import db
from gie.cooperatives import importers, reports, services
from gie.cooperatives.forms import CooperativeForm, ImportForm
from gie.cooperatives.models import FILIERES, LEGAL_FORMS, PROVINCES, STATUSES
from gie.errors import ImportFailed
from gie.security import is_scoped, requires
from gie.web import csv_dialect, csv_response, page_number, refusal_shows

bp = Blueprint("cooperatives", __name__, url_prefix="/cooperatives")


def _filters() -> reports.Filters:
    args = request.args
    return reports.Filters(
        text=args.get("q", ""),
        filiere=args.get("filiere", ""),
        province=args.get("province", ""),
        status=args.get("status", ""),
    )


def _labels() -> dict:
    return {
        "filieres": FILIERES,
        "provinces": PROVINCES,
        "statuses": STATUSES,
        "legal_forms": LEGAL_FORMS,
    }


@bp.get("/")
@requires("cooperatives.view")
def index():
    if is_scoped(current_user):
        return redirect(url_for(".detail", cooperative_id=current_user.cooperative_id))
    filters = _filters()
    page = reports.search(db.session, filters, current_user, page=page_number(), size=50)
    return render_template("cooperatives/list.html", page=page, filters=filters, **_labels())


@bp.get("/export.csv")
@requires("cooperatives.export")
def export():
    text = reports.export_csv(db.session, _filters(), current_user, csv_dialect())
    return csv_response(text, "cooperatives.csv")


@bp.get("/<int:cooperative_id>")
@requires("cooperatives.view")
def detail(cooperative_id: int):
    cooperative = services.get_cooperative(db.session, cooperative_id, actor=current_user)
    # Packages the kernel does not import add their own sections (gie/app.py registers them).
    panels = [
        panel(cooperative) for panel in current_app.extensions.get("gie_cooperative_panels", [])
    ]
    return render_template(
        "cooperatives/detail.html", cooperative=cooperative, panels=panels, **_labels()
    )


@bp.get("/<int:cooperative_id>/export.csv")
@requires("cooperatives.export")
def export_one(cooperative_id: int):
    cooperative = services.get_cooperative(db.session, cooperative_id, actor=current_user)
    return csv_response(
        reports.export_one_csv(cooperative, csv_dialect()), f"{cooperative.code}.csv"
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("cooperatives.edit")
def new():
    form = CooperativeForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return _edit_page(form, None), status
    refusal_shows(lambda _error: _edit_page(form, None), form)
    cooperative = services.create_cooperative(db.session, form.data)
    flash(_("Cooperative %(code)s registered.", code=cooperative.code), "success")
    return redirect(url_for(".detail", cooperative_id=cooperative.id))


def _edit_page(form: CooperativeForm, cooperative) -> str:
    return render_template("cooperatives/edit.html", form=form, cooperative=cooperative)


@bp.route("/<int:cooperative_id>/edit", methods=["GET", "POST"])
@requires("cooperatives.edit")
def edit(cooperative_id: int):
    cooperative = services.get_cooperative(db.session, cooperative_id, actor=current_user)
    form = CooperativeForm(obj=cooperative)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return _edit_page(form, cooperative), status
    refusal_shows(lambda _error: _edit_page(form, cooperative), form)
    services.update_cooperative(db.session, cooperative_id, form.data, actor=current_user)
    flash(_("Cooperative %(code)s saved.", code=cooperative.code), "success")
    return redirect(url_for(".detail", cooperative_id=cooperative_id))


@bp.route("/import", methods=["GET", "POST"])
@requires("cooperatives.import")
def import_csv():
    form = ImportForm()

    def page(refusal: ImportFailed | None = None) -> str:
        line_errors = getattr(refusal, "line_errors", [])
        return render_template("cooperatives/import.html", form=form, line_errors=line_errors)

    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    refusal_shows(page, form)
    created, updated = importers.import_cooperatives(
        db.session, form.file.data.read(), encoding=form.encoding.data
    )
    flash(
        _(
            "Import done: %(created)d created, %(updated)d updated.",
            created=created,
            updated=updated,
        ),
        "success",
    )
    return redirect(url_for(".index"))
