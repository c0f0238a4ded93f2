"""Invoice pages: lists, drafts typed by hand or left by a billing run, issuing, deleting a
draft, credit notes."""

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from billing import reports
from billing.blueprint import bp
from billing.forms import (
    CREDIT_MODES,
    DOCUMENT_LABELS,
    STATE_LABELS,
    CreditNoteForm,
    InvoiceFilterForm,
    InvoiceForm,
    IssueForm,
    parse_month,
)
from billing.services import invoices as billing_invoices
from gie import db
from gie.forms import ConfirmForm, choices, optional_int
from gie.security import is_scoped, requires
from gie.web import page_number, refusal_returns_to, refusal_shows


@bp.get("/invoices/")
@requires("billing.view")
def invoices():
    form = InvoiceFilterForm(request.args)
    form.state.choices = choices(STATE_LABELS, _("All"))
    form.kind.choices = choices(DOCUMENT_LABELS, _("All"))
    customers = [] if is_scoped(current_user) else reports.customer_choices(db.session)
    form.customer_id.choices = choices([(str(k), label) for k, label in customers], _("All"))
    status = 200 if form.validate() else 422
    filters = reports.InvoiceFilters(
        state=form.state.data if form.state.data in STATE_LABELS else "",
        kind=form.kind.data if form.kind.data in DOCUMENT_LABELS else "",
        customer_id=request.args.get("customer_id", type=optional_int),
        date_from=form.date_from.data if status == 200 else None,
        date_to=form.date_to.data if status == 200 else None,
        period=parse_month(form.period.data),
    )
    page, totals = reports.search_invoices(db.session, current_user, filters, page=page_number())
    return render_template(
        "billing/invoices.html",
        form=form,
        page=page,
        totals=totals,
        states=STATE_LABELS,
        documents=DOCUMENT_LABELS,
        scoped=is_scoped(current_user),
    ), status


@bp.get("/invoices/<int:invoice_id>")
@requires("billing.view")
def invoice(invoice_id: int):
    invoice = billing_invoices.get_invoice(db.session, invoice_id, actor=current_user)
    today = date.today()
    # Sections other packages add (the close's supporting documents) without billing
    # importing them: the composition root registers them.
    panels = current_app.extensions.get("gie_record_panels", {}).get("invoice", [])
    return render_template(
        "billing/invoice.html",
        invoice=invoice,
        panels=[panel(invoice) for panel in panels],
        vat=billing_invoices.vat_breakdown(invoice),
        allocations=reports.allocations_of_invoice(db.session, invoice.id),
        credit_notes=reports.credit_notes_of(db.session, invoice.id),
        states=STATE_LABELS,
        documents=DOCUMENT_LABELS,
        issue_form=IssueForm(formdata=None, issue_date=today),
        credit_form=CreditNoteForm(formdata=None, credit_date=today),
        credit_modes=CREDIT_MODES,
        confirm=ConfirmForm(),
    )


def _line_choices(form: InvoiceForm) -> None:
    options = choices(reports.service_choices(db.session), "")
    for line in form.lines:
        line.form.service_id.choices = options


def _invoice_form_page(form: InvoiceForm, invoice, status: int = 200):
    return render_template("billing/invoice_form.html", form=form, invoice=invoice), status


def _draft_lines(form: InvoiceForm) -> list[billing_invoices.DraftLine] | None:
    """The lines typed, or None after marking the incomplete ones."""
    lines, complete = [], True
    for line in form.lines:
        fields = line.form
        if fields.is_blank:
            continue
        if not fields.service_id.data or not fields.quantity.data:
            fields.quantity.errors = list(fields.quantity.errors) + [
                _("Choose a service and a quantity.")
            ]
            complete = False
            continue
        lines.append(
            billing_invoices.DraftLine(
                service_id=int(fields.service_id.data),
                quantity=fields.quantity.data,
                description=(fields.text.data or "").strip(),
                unit_price=fields.unit_price.data,
                subscription_id=optional_int(fields.subscription_id.data),
            )
        )
    return lines if complete else None


def _save_invoice(form: InvoiceForm, invoice):
    """Save the draft from the form, or show the form again with what is wrong."""
    if "add_line" in request.form:
        form.lines.append_entry()
        _line_choices(form)
        return _invoice_form_page(form, invoice)
    if not form.validate_on_submit():
        return _invoice_form_page(form, invoice, 422)
    lines = _draft_lines(form)
    if lines is None:
        return _invoice_form_page(form, invoice, 422)
    on = (invoice.period_start if invoice else None) or date.today()
    refusal_shows(lambda _error: _invoice_form_page(form, invoice)[0], form)
    draft = billing_invoices.save_draft_invoice(
        db.session,
        form.customer_id.data,
        lines,
        on=on,
        invoice_id=invoice.id if invoice else None,
        notes=(form.notes.data or "").strip(),
    )
    flash(_("Draft saved."), "success")
    return redirect(url_for(".invoice", invoice_id=draft.id))


def _invoice_form(**data) -> InvoiceForm:
    form = InvoiceForm(**data)
    form.customer_id.choices = choices(reports.customer_choices(db.session))
    _line_choices(form)
    return form


@bp.route("/invoices/new", methods=["GET", "POST"])
@requires("billing.edit")
def new_invoice():
    form = _invoice_form(customer_id=request.args.get("customer_id", type=optional_int))
    if request.method == "POST":
        return _save_invoice(form, None)
    return _invoice_form_page(form, None)


@bp.route("/invoices/<int:invoice_id>/edit", methods=["GET", "POST"])
@requires("billing.edit")
def edit_invoice(invoice_id: int):
    invoice = billing_invoices.get_invoice(db.session, invoice_id, actor=current_user)
    if invoice.state != "draft":
        flash(
            _(
                "Invoice %(number)s is issued: cancel or correct it with a credit note.",
                number=invoice.number,
            ),
            "error",
        )
        return redirect(url_for(".invoice", invoice_id=invoice.id))
    if request.method == "POST":
        return _save_invoice(_invoice_form(), invoice)
    form = _invoice_form(
        customer_id=invoice.customer_id,
        notes=invoice.notes,
        lines=[
            {
                "service_id": str(line.service_id or ""),
                "text": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "subscription_id": str(line.subscription_id or ""),
            }
            for line in invoice.lines
        ]
        + [{}],
    )
    return _invoice_form_page(form, invoice)


@bp.post("/invoices/<int:invoice_id>/issue")
@requires("billing.edit")
def issue_invoice(invoice_id: int):
    invoice = billing_invoices.get_invoice(db.session, invoice_id, actor=current_user)
    form = IssueForm()
    if not form.validate_on_submit():
        flash(_("Give the issue date."), "error")
        return redirect(url_for(".invoice", invoice_id=invoice.id))
    refusal_returns_to(url_for(".invoice", invoice_id=invoice_id))
    billing_invoices.issue_invoice(
        db.session, invoice.id, on=form.issue_date.data, actor=current_user
    )
    flash(_("Invoice %(number)s issued.", number=invoice.number), "success")
    return redirect(url_for(".invoice", invoice_id=invoice.id))


@bp.post("/invoices/<int:invoice_id>/delete")
@requires("billing.edit")
def delete_invoice(invoice_id: int):
    invoice = billing_invoices.get_invoice(db.session, invoice_id, actor=current_user)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".invoice", invoice_id=invoice.id))
    refusal_returns_to(url_for(".invoice", invoice_id=invoice_id))
    billing_invoices.delete_draft_invoice(db.session, invoice.id)
    flash(_("Draft deleted."), "success")
    return redirect(url_for(".invoices"))


@bp.post("/invoices/<int:invoice_id>/credit-note")
@requires("billing.edit")
def credit_invoice(invoice_id: int):
    invoice = billing_invoices.get_invoice(db.session, invoice_id, actor=current_user)
    form = CreditNoteForm()
    if not form.validate_on_submit() or (form.mode.data == "amount" and not form.amount.data):
        flash(_("Give the date of the credit note, and the amount for a partial one."), "error")
        return redirect(url_for(".invoice", invoice_id=invoice.id))
    refusal_returns_to(url_for(".invoice", invoice_id=invoice_id))
    credit = billing_invoices.create_credit_note(
        db.session,
        invoice.id,
        on=form.credit_date.data,
        amount_net=form.amount.data if form.mode.data == "amount" else None,
        reason=(form.reason.data or "").strip(),
        actor=current_user,
    )
    flash(_("Credit note %(number)s issued.", number=credit.number), "success")
    return redirect(url_for(".invoice", invoice_id=credit.id))
