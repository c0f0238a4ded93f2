"""Import and export pages of the accounting blueprint."""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import exporters, importers, services
from accounting.forms import ImportEntriesForm
from accounting.views import bp
from gie import db
from gie.errors import ImportFailed
from gie.imported_files import AlreadyImported
from gie.security import requires
from gie.web import csv_dialect, csv_response

#: a file refused with more errors shows the first ones and counts the rest
SHOWN_ERRORS = 500


@bp.route("/ledgers/<int:ledger_id>/import", methods=["GET", "POST"])
@requires("accounting.edit")
def import_entries(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    form = ImportEntriesForm()
    line_errors = []
    already_imported = False
    if form.validate_on_submit():
        try:
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
        except ImportFailed as failure:
            db.session.rollback()
            flash(str(failure.message), "error")
            line_errors = failure.line_errors
            already_imported = isinstance(failure, AlreadyImported)
        else:
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
                    _(
                        "Accounts created: %(codes)s.",
                        codes=", ".join(summary.accounts_created),
                    ),
                    "success",
                )
            return redirect(url_for(".ledger", ledger_id=ledger.id))
    status = 422 if (form.errors or line_errors or already_imported) else 200
    return render_template(
        "accounting/import.html",
        form=form,
        ledger=ledger,
        already_imported=already_imported,
        line_errors=line_errors[:SHOWN_ERRORS],
        more_errors=max(0, len(line_errors) - SHOWN_ERRORS),
    ), status


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
