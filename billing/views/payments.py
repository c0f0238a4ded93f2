"""Payment pages: the list, a payment and its allocations, recording one."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from billing import reports
from billing.blueprint import bp
from billing.forms import (
    METHOD_LABELS,
    STATE_LABELS,
    PaymentForm,
)
from billing.services import customers as billing_customers
from billing.services import payments as billing_payments
from gie import db, i18n
from gie.forms import choices, optional_int
from gie.security import is_scoped, requires
from gie.web import page_number, refusal_shows


@bp.get("/payments/")
@requires("billing.view")
def payments():
    customer_id = request.args.get("customer_id", type=optional_int)
    page, total = reports.search_payments(
        db.session, current_user, customer_id=customer_id, page=page_number()
    )
    return render_template(
        "billing/payments.html",
        page=page,
        total=total,
        customer_id=customer_id,
        customers=[] if is_scoped(current_user) else reports.customer_choices(db.session),
        methods=METHOD_LABELS,
    )


@bp.get("/payments/<int:payment_id>")
@requires("billing.view")
def payment(payment_id: int):
    payment = billing_payments.get_payment(db.session, payment_id, actor=current_user)
    allocations = reports.allocations_of_payment(db.session, payment.id)
    allocated = reports.payment_allocated(db.session, payment.id)
    return render_template(
        "billing/payment.html",
        payment=payment,
        allocations=allocations,
        unallocated=payment.amount - allocated,
        methods=METHOD_LABELS,
        states=STATE_LABELS,
    )


def _payment_page(form: PaymentForm, customer, open_invoices, status: int = 200):
    return render_template(
        "billing/payment_form.html",
        form=form,
        customer=customer,
        open_invoices={str(invoice.id): invoice for invoice in open_invoices},
        customers=reports.customer_choices(db.session),
    ), status


@bp.route("/payments/new", methods=["GET", "POST"])
@requires("billing.edit")
def new_payment():
    """Two steps without JavaScript: choose the customer (GET), then the payment and how it
    settles the customer's open invoices (blank: the oldest first)."""
    customer_id = request.args.get("customer_id", type=optional_int) or request.form.get(
        "customer_id", type=optional_int
    )
    customer = (
        billing_customers.get_customer(db.session, customer_id, actor=current_user)
        if customer_id
        else None
    )
    open_invoices = reports.open_invoices(db.session, customer.id) if customer else []
    if request.method == "GET":
        form = PaymentForm(
            formdata=None,
            customer_id=customer_id,
            received_on=date.today(),
            allocations=[{"invoice_id": str(invoice.id)} for invoice in open_invoices],
        )
    else:
        form = PaymentForm()
    form.customer_id.choices = choices(reports.customer_choices(db.session, active_only=False))
    if request.method == "GET":
        return _payment_page(form, customer, open_invoices)
    if customer is None:
        form.customer_id.errors = [_("Choose the customer who paid.")]
        return _payment_page(form, None, [], 422)
    if not form.validate_on_submit():
        return _payment_page(form, customer, open_invoices, 422)
    typed = (
        (optional_int(entry.form.invoice_id.data), entry.form.amount.data)
        for entry in form.allocations
    )
    allocations = {invoice_id: amount for invoice_id, amount in typed if invoice_id and amount}
    refusal_shows(lambda _error: _payment_page(form, customer, open_invoices)[0], form)
    payment = billing_payments.record_payment(
        db.session,
        customer_id=customer.id,
        received_on=form.received_on.data,
        amount=form.amount.data,
        method=form.method.data,
        reference=form.reference.data or "",
        allocations=allocations or None,
        actor=current_user,
    )
    flash(_("Payment of %(amount)s recorded.", amount=i18n.money(payment.amount)), "success")
    return redirect(url_for(".payment", payment_id=payment.id))
