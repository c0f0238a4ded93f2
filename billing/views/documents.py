"""Statements of account, overdue invoices and reminders, and every billing document as a PDF
(`?lang=fr|ar`: the document's language, the reader's by default)."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from billing import pdf, reports
from billing.blueprint import bp
from billing.forms import DOCUMENT_LABELS, STATE_LABELS
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from gie import db
from gie.forms import OnDateForm, PeriodForm
from gie.money import ZERO
from gie.pdf import document_language, pdf_response
from gie.security import requires


@bp.get("/invoices/<int:invoice_id>.pdf")
@requires("billing.view")
def invoice_pdf(invoice_id: int):
    invoice = billing_invoices.get_invoice(db.session, invoice_id, actor=current_user)
    language = document_language()
    name = invoice.number or f"draft-{invoice.id}"
    return pdf_response(pdf.invoice_pdf(invoice, language), f"{name}-{language}.pdf")


# --- statements of account ---------------------------------------------------------------------


def _statement(customer_id: int):
    """The customer (scoped), its statement for the dates asked (this year by default), the
    filter form and the page's status."""
    customer = billing_customers.get_customer(db.session, customer_id, actor=current_user)
    form = PeriodForm(request.args)
    status = 200 if form.validate() else 422
    date_to = (form.date_to.data if status == 200 else None) or date.today()
    date_from = (form.date_from.data if status == 200 else None) or date(date_to.year, 1, 1)
    form.date_from.data, form.date_to.data = date_from, date_to
    statement = reports.statement(db.session, customer.id, date_from=date_from, date_to=date_to)
    return customer, statement, form, status


@bp.get("/customers/<int:customer_id>/statement")
@requires("billing.view")
def statement(customer_id: int):
    customer, statement, form, status = _statement(customer_id)
    return render_template(
        "billing/statement.html",
        customer=customer,
        statement=statement,
        form=form,
        buckets=("0-30", "31-60", "61-90", "> 90"),
        documents=DOCUMENT_LABELS,
    ), status


@bp.get("/customers/<int:customer_id>/statement.pdf")
@requires("billing.view")
def statement_pdf(customer_id: int):
    customer, statement, _form, status = _statement(customer_id)
    if status != 200:  # back to the page, which says what is wrong with the dates
        args = {key: value for key, value in request.args.items() if key != "lang"}
        return redirect(url_for(".statement", customer_id=customer.id, **args))
    language = document_language()
    filename = f"{customer.code}-{statement.date_from}-{statement.date_to}-{language}.pdf"
    return pdf_response(pdf.statement_pdf(statement, language), filename)


# --- overdue invoices and reminders ------------------------------------------------------------


def _on() -> tuple[date, OnDateForm, int]:
    form = OnDateForm(request.args)
    status = 200 if form.validate() else 422
    on = (form.on.data if status == 200 else None) or date.today()
    form.on.data = on
    return on, form, status


@bp.get("/overdue/")
@requires("billing.view")
def overdue():
    on, form, status = _on()
    rows = reports.overdue_by_customer(db.session, current_user, on=on)
    return render_template(
        "billing/overdue.html",
        rows=rows,
        on=on,
        form=form,
        states=STATE_LABELS,
        total=sum((row.total for row in rows), ZERO),
    ), status


@bp.get("/customers/<int:customer_id>/reminder.pdf")
@requires("billing.view")
def reminder_pdf(customer_id: int):
    customer = billing_customers.get_customer(db.session, customer_id, actor=current_user)
    on, _form, _status = _on()
    invoices = reports.overdue_of_customer(db.session, customer.id, on=on)
    if not invoices:
        flash(_("%(code)s has no overdue invoice.", code=customer.code), "info")
        return redirect(url_for(".overdue"))
    language = document_language()
    body = pdf.reminder_pdf(customer, invoices, on, language)
    return pdf_response(body, f"{customer.code}-reminder-{on}-{language}.pdf")
