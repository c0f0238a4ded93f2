"""Customer pages: the list, a customer, creating and editing one, billing a member cooperative."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from billing import reports
from billing.blueprint import bp
from billing.forms import (
    KIND_LABELS,
    OTHER_KINDS,
    PERIOD_LABELS,
    SUBSCRIPTION_STATUS_LABELS,
    CustomerForm,
    MemberCustomerForm,
)
from billing.services import customers as billing_customers
from gie import db
from gie.forms import ConfirmForm, choices
from gie.security import is_scoped, requires
from gie.web import page_number, refusal_shows


@bp.get("/")
@requires("billing.view")
def index():
    if is_scoped(current_user):
        own = reports.own_customer_id(db.session, current_user)
        if own is not None:
            return redirect(url_for(".customer", customer_id=own))
        return redirect(url_for(".customers"))
    return redirect(url_for(".invoices"))


# --- customers ---------------------------------------------------------------------------------


@bp.get("/customers/")
@requires("billing.view")
def customers():
    text, kind = request.args.get("q", ""), request.args.get("kind", "")
    page = reports.search_customers(
        db.session, current_user, text=text, kind=kind, page=page_number()
    )
    unbilled = [] if is_scoped(current_user) else reports.unbilled_members(db.session)
    return render_template(
        "billing/customers.html",
        page=page,
        text=text,
        kind=kind,
        kinds=KIND_LABELS,
        unbilled=unbilled,
        confirm=ConfirmForm(),
    )


@bp.post("/customers/members/<int:cooperative_id>")
@requires("billing.edit")
def bill_member(cooperative_id: int):
    """Make a member cooperative a customer, its identity copied from the registry."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".customers"))
    customer = billing_customers.member_customer(db.session, cooperative_id)
    flash(_("%(code)s can now be billed.", code=customer.code), "success")
    return redirect(url_for(".customer", customer_id=customer.id))


@bp.get("/customers/<int:customer_id>")
@requires("billing.view")
def customer(customer_id: int):
    customer = billing_customers.get_customer(db.session, customer_id, actor=current_user)
    subscriptions = reports.search_subscriptions(
        db.session, current_user, customer_id=customer.id, size=200
    )
    invoices, _totals = reports.search_invoices(
        db.session, current_user, reports.InvoiceFilters(customer_id=customer.id), size=20
    )
    payments, _paid = reports.search_payments(
        db.session, current_user, customer_id=customer.id, size=20
    )
    return render_template(
        "billing/customer.html",
        customer=customer,
        summary=reports.customer_summary(db.session, customer.id),
        subscriptions=subscriptions,
        invoices=invoices,
        payments=payments,
        kinds=KIND_LABELS,
        periods=PERIOD_LABELS,
        statuses=SUBSCRIPTION_STATUS_LABELS,
    )


def _customer_form_page(form, customer, status=200):
    return render_template("billing/customer_form.html", form=form, customer=customer), status


@bp.route("/customers/new", methods=["GET", "POST"])
@requires("billing.edit")
def new_customer():
    form = CustomerForm()
    if form.validate_on_submit():
        refusal_shows(lambda _error: _customer_form_page(form, None)[0], form)
        customer = billing_customers.create_customer(
            db.session,
            code=form.code.data,
            kind=form.kind.data,
            name=form.name.data,
            name_ar=form.name_ar.data or "",
            address=form.address.data or "",
            ice=form.ice.data or "",
            if_number=form.if_number.data or "",
            rc_number=form.rc_number.data or "",
            email=form.email.data or "",
            payment_terms_days=form.payment_terms_days.data,
        )
        flash(_("Customer %(code)s created.", code=customer.code), "success")
        return redirect(url_for(".customer", customer_id=customer.id))
    return _customer_form_page(form, None, 422 if form.errors else 200)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@requires("billing.edit")
def edit_customer(customer_id: int):
    customer = billing_customers.get_customer(db.session, customer_id, actor=current_user)
    member = customer.kind == "member"
    form = (MemberCustomerForm if member else CustomerForm)(obj=customer)
    if not member:
        form.kind.choices = choices(OTHER_KINDS)
    if form.validate_on_submit():
        data = {
            name: getattr(form, name).data or ""
            for name in ("name", "name_ar", "address", "ice", "if_number", "rc_number")
            if hasattr(form, name)
        }
        refusal_shows(lambda _error: _customer_form_page(form, customer)[0], form)
        billing_customers.update_customer(
            db.session,
            customer.id,
            **data,
            email=form.email.data or "",
            payment_terms_days=form.payment_terms_days.data,
            active=form.active.data,
            kind=None if member else form.kind.data,
        )
        flash(_("Customer %(code)s saved.", code=customer.code), "success")
        return redirect(url_for(".customer", customer_id=customer.id))
    return _customer_form_page(form, customer, 422 if form.errors else 200)
