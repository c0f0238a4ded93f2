"""Import and export pages of the accounting blueprint."""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import exporters, importers, services
from accounting.blueprint import bp
from accounting.forms import ImportEntriesForm
from gie import db
from gie.errors import ImportFailed
from gie.imported_files import AlreadyImported
from gie.security import requires
from gie.web import csv_dialect, csv_response, refusal_shows

#: a file refused with more errors shows the first ones and counts the rest
SHOWN_ERRORS = 500


@bp.route("/ledgers/<int:ledger_id>/import", methods=["GET", "POST"])
@requires("accounting.edit")
def import_entries(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    form = ImportEntriesForm()

    def page(refusal: ImportFailed | None = None) -> str:
        line_errors = getattr(refusal, "line_errors", [])
        return render_template(
            "accounting/import.html",
            form=form,
            ledger=ledger,
            already_imported=isinstance(refusal, AlreadyImported),
            line_errors=line_errors[:SHOWN_ERRORS],
            more_errors=max(0, len(line_errors) - SHOWN_ERRORS),
        )

    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    refusal_shows(page, form)
    summary = importers.import_entries(
        db.session,
        ledger.id,
        form.file.data.read(),
        create_accounts=form.create_accounts.data,
        actor=current_user,
        filename=form.file.data.filename or "",
        encoding=form.encoding.data,
        allow_duplicate=form.allow_duplicate.data,
    )
    flash(
        _(
            "Import done: %(entries)d entries and %(lines)d lines posted.",
            entries=summary.entries,
            lines=summary.lines,
        ),
        "success",
    )
    if summary.accounts_created:
        flash(
            _("Accounts created: %(codes)s.", codes=", ".join(summary.accounts_created)),
            "success",
        )
    return redirect(url_for(".ledger", ledger_id=ledger.id))


@bp.get("/ledgers/<int:ledger_id>/export.csv")
@requires("accounting.view")
def export_csv(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    return csv_response(
        exporters.export_csv(db.session, ledger.id, csv_dialect()), f"{ledger.code}-entries.csv"
    )


@bp.get("/ledgers/<int:ledger_id>/export.journal")
@requires("accounting.view")
def export_hledger(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    return Response(
        exporters.export_hledger(db.session, ledger.id),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{ledger.code}.journal"'},
    )
