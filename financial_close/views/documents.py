"""Supporting documents: upload one to an entry, a bank line or an invoice, download it with
the record's scoping, remove it, and list the entries of a ledger that still lack one. The
panel shown on the record pages is rendered here and handed to accounting and billing through
the composition root (gie/app.py), since those packages may not import financial_close."""

import io
from functools import partial
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from accounting import services as accounting
from financial_close import documents
from financial_close.blueprint import bp
from financial_close.forms import DocumentForm
from gie import db
from gie.forms import ConfirmForm
from gie.security import requires
from gie.tabular import Table, to_csv
from gie.web import csv_dialect, csv_response, page_number, refusal_returns_to, safe_next

#: record kind -> (the Document column naming it, the record page to go back to)
RECORDS = {
    "entry": ("entry_id", "accounting.entry"),
    "bank_line": ("bank_line_id", "financial_close.bank_line"),
    "invoice": ("invoice_id", "billing.invoice"),
}
INLINE_TYPES = frozenset({*documents.IMAGE_TYPES.values(), documents.PDF_TYPE})


def _store() -> Path:
    return Path(current_app.config["GIE_UPLOAD_PATH"])


def record_panel(kind: str, record) -> Markup:
    """The documents of a record as a page section: links to view and download them, and
    for those who may edit the books an upload form and a remove button."""
    column, _page = RECORDS[kind]
    return Markup(
        render_template(
            "financial_close/document_panel.html",
            documents=documents.documents_of(db.session, **{column: record.id}),
            upload_url=url_for(f"financial_close.upload_{kind}_document", **{column: record.id}),
            form=DocumentForm(formdata=None),
            confirm=ConfirmForm(),
        )
    )


entry_panel = partial(record_panel, "entry")
bank_line_panel = partial(record_panel, "bank_line")
invoice_panel = partial(record_panel, "invoice")


def _back_to(kind: str, record_id: int) -> str:
    """The page the upload or removal came from (sent by the panel), else the record's."""
    column, page = RECORDS[kind]
    return safe_next(request.form.get("next"), url_for(page, **{column: record_id}))


def _upload(kind: str, record_id: int):
    column, _page = RECORDS[kind]
    # A record the user may not see is a 404, whatever was posted.
    documents.visible_record(db.session, kind, record_id, actor=current_user)
    form = DocumentForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(_back_to(kind, record_id))
    upload = form.file.data
    refusal_returns_to(_back_to(kind, record_id))
    document = documents.attach(
        db.session,
        filename=upload.filename or "",
        content=upload.read(),
        store=_store(),
        actor=current_user,
        **{column: record_id},
    )
    flash(_("Document %(name)s attached.", name=document.filename), "success")
    return redirect(_back_to(kind, record_id))


@bp.post("/entries/<int:entry_id>/documents")
@requires("accounting.edit")
def upload_entry_document(entry_id: int):
    return _upload("entry", entry_id)


@bp.post("/bank/lines/<int:bank_line_id>/documents")
@requires("accounting.edit")
def upload_bank_line_document(bank_line_id: int):
    return _upload("bank_line", bank_line_id)


@bp.post("/invoices/<int:invoice_id>/documents")
@requires("accounting.edit")
def upload_invoice_document(invoice_id: int):
    return _upload("invoice", invoice_id)


@bp.get("/documents/<int:document_id>")
@requires("accounting.view")
def document(document_id: int):
    """The file itself; `?inline=1` opens a PDF or an image in the browser instead of saving
    it. Presidents reach only their own cooperative's documents (invoices' included)."""
    record = documents.get_document(db.session, document_id, actor=current_user)
    path = documents.document_file(_store(), record.sha256)
    if not path.is_file():
        abort(404)
    inline = request.args.get("inline") == "1" and record.content_type in INLINE_TYPES
    # Read whole (10 MB at most), so no file handle outlives the request.
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=record.content_type,
        as_attachment=not inline,
        download_name=documents.download_name(record),
        etag=record.sha256,
        conditional=True,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/ledgers/<int:ledger_id>/documents/missing")
@requires("accounting.view")
def missing_documents(ledger_id: int):
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    page = documents.entries_without_documents(db.session, ledger.id, page=page_number())
    return render_template("financial_close/document_missing.html", ledger=ledger, page=page)


@bp.get("/ledgers/<int:ledger_id>/documents/missing.csv")
@requires("accounting.view")
def missing_documents_csv(ledger_id: int):
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    rows = documents.all_entries_without_documents(db.session, ledger.id)
    table = Table(
        title=_("Entries without supporting document"),
        subtitle=ledger.code,
        headers=[
            _("Number"),
            _("Date"),
            _("Journal"),
            _("Label"),
            _("Reference"),
            _("Amount"),
            _("State"),
        ],
        rows=[
            [
                row.number or "",
                row.date,
                row.journal,
                row.label,
                row.reference,
                row.amount,
                _("Posted") if row.state == "posted" else _("Draft"),
            ]
            for row in rows
        ],
    )
    return csv_response(
        to_csv(table, csv_dialect()), f"{ledger.code}-entries-without-documents.csv"
    )


# Registered last on purpose: the authorization matrix visits routes in order, and this one
# removes the document the download route above serves.
@bp.post("/documents/<int:document_id>/delete")
@requires("accounting.edit")
def delete_document(document_id: int):
    record = documents.get_document(db.session, document_id, actor=current_user)
    kind = next(k for k, (column, _page) in RECORDS.items() if getattr(record, column))
    record_id = getattr(record, RECORDS[kind][0])
    if ConfirmForm().validate_on_submit():
        documents.delete_document(db.session, document_id, actor=current_user)
        flash(_("Document %(name)s removed.", name=record.filename), "success")
    return redirect(_back_to(kind, record_id))
