"""The leads' CSV import: contacts collected at a trade fair become buyers and leads."""

from flask import flash, render_template
from flask_babel import gettext as _
from flask_login import current_user

from commercial import forms, importers
from commercial.blueprint import bp
from gie import db
from gie.errors import ImportFailed
from gie.security import requires


@bp.route("/leads/import", methods=["GET", "POST"])
@requires("commercial.edit")
def import_leads():
    form = forms.LeadImportForm()
    line_errors: list = []
    result = None
    if form.validate_on_submit() and form.file.data:
        try:
            result = importers.import_leads(db.session, form.file.data.read(), actor=current_user)
        except ImportFailed as failure:
            db.session.rollback()
            flash(str(failure.message), "error")
            line_errors = failure.line_errors
        else:
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
    status = 422 if line_errors else 200
    return render_template(
        "commercial/pipeline/import.html",
        form=form,
        line_errors=line_errors,
        result=result,
        columns=importers.COLUMNS,
    ), status
