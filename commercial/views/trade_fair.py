"""The leads' CSV import: contacts collected at a trade fair become buyers and leads."""

from flask import flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from commercial import forms, importers
from commercial.blueprint import bp
from gie import db
from gie.errors import ImportFailed
from gie.imported_files import AlreadyImported
from gie.security import requires
from gie.web import refusal_shows


@bp.route("/leads/import", methods=["GET", "POST"])
@requires("commercial.edit")
def import_leads():
    form = forms.LeadImportForm()

    def page(refusal: ImportFailed | None = None, result=None) -> str:
        return render_template(
            "commercial/pipeline/import.html",
            form=form,
            already_imported=isinstance(refusal, AlreadyImported),
            line_errors=getattr(refusal, "line_errors", []),
            result=result,
            columns=importers.COLUMNS,
        )

    if not (form.validate_on_submit() and form.file.data):
        return page()
    refusal_shows(page, form)
    result = importers.import_leads(
        db.session,
        form.file.data.read(),
        actor=current_user,
        filename=form.file.data.filename or "",
        encoding=form.encoding.data,
        allow_duplicate=form.allow_duplicate.data,
    )
    flash(
        _(
            "Import done: %(buyers)d buyers and %(leads)d leads created, "
            "%(duplicates)d duplicates.",
            buyers=result.buyers_created,
            leads=result.leads_created,
            duplicates=len(result.duplicates),
        ),
        "success",
    )
    return page(result=result)
