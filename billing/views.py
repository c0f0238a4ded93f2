"""The billing blueprint: customers, the catalogue, subscriptions and billing runs. Invoice
and payment pages live in invoice_views, statements, reminders and PDFs in document_views,
on the same blueprint."""

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from accounting import vat_rates
from billing import reports, services
from billing.forms import (
    CATEGORY_LABELS,
    DOCUMENT_LABELS,
    KIND_LABELS,
    METHOD_LABELS,
    OTHER_KINDS,
    PERIOD_LABELS,
    STATE_LABELS,
    SUBSCRIPTION_STATUS_LABELS,
    UNIT_LABELS,
    CustomerForm,
    IssueMonthForm,
    MemberCustomerForm,
    MonthForm,
    PriceForm,
    RunForm,
    ServiceForm,
    SubscriptionForm,
    SubscriptionStatusForm,
)
from billing.models import Customer
from gie import db
from gie.forms import ConfirmForm, choices
from gie.money import ZERO
from gie.security import is_scoped, requires, scope
from gie.web import page_number, refusal_returns_to, refusal_shows, safe_next

bp = Blueprint("billing", __name__, url_prefix="/billing", template_folder="templates")

#: how a member cooperative not billed yet is offered in a customer list ("coop-12")
MEMBER_PREFIX = "coop-"


@bp.context_processor
def labels() -> dict:
    """Labels of the stored codes, for every billing template."""
    return {"states": STATE_LABELS, "documents": DOCUMENT_LABELS, "methods": METHOD_LABELS}


def int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def parse_month(text: str | None) -> date | None:
    """`2026-03` -> 1 March 2026; None when it is not a month."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@bp.get("/")
@requires("billing.view")
def index():
    if is_scoped(current_user):
        own = db.session.scalar(scope(select(Customer.id), Customer, current_user))
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
    customer = services.member_customer(db.session, cooperative_id)
    flash(_("%(code)s can now be billed.", code=customer.code), "success")
    return redirect(url_for(".customer", customer_id=customer.id))


@bp.get("/customers/<int:customer_id>")
@requires("billing.view")
def customer(customer_id: int):
    customer = services.get_customer(db.session, customer_id, actor=current_user)
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
        customer = services.create_customer(
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
    customer = services.get_customer(db.session, customer_id, actor=current_user)
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
        services.update_customer(
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


# --- catalogue ---------------------------------------------------------------------------------


@bp.get("/services/")
@requires("billing.view")
def catalogue():
    today = date.today()
    return render_template(
        "billing/services.html",
        rows=reports.catalogue(db.session, on=today),
        today=today,
        categories=CATEGORY_LABELS,
        units=UNIT_LABELS,
    )


def _vat_choices():
    rates = vat_rates.rates_in_force(db.session, on=date.today())
    return choices([(rate.code, f"{rate.code} · {rate.rate.normalize():f} %") for rate in rates])


@bp.route("/services/new", methods=["GET", "POST"])
@requires("billing.edit")
def new_service():
    form = ServiceForm(valid_from=date.today())
    form.vat_code.choices = _vat_choices()
    if form.validate_on_submit():
        refusal_shows(lambda _error: render_template("billing/service_form.html", form=form), form)
        service = services.create_service(
            db.session,
            code=form.code.data,
            name=form.name.data,
            name_ar=form.name_ar.data or "",
            category=form.category.data,
            unit=form.unit.data,
            vat_code=form.vat_code.data,
            income_account=form.income_account.data.strip(),
            public_price=form.public_price.data,
            member_price=form.member_price.data,
            valid_from=form.valid_from.data,
        )
        flash(_("Service %(code)s created.", code=service.code), "success")
        return redirect(url_for(".service", service_id=service.id))
    status = 422 if form.errors else 200
    return render_template("billing/service_form.html", form=form), status


def _service_page(service, form, status=200):
    return render_template(
        "billing/service.html",
        service=service,
        prices=reports.price_history(db.session, service.id),
        form=form,
        today=date.today(),
        categories=CATEGORY_LABELS,
        units=UNIT_LABELS,
    ), status


@bp.get("/services/<int:service_id>")
@requires("billing.view")
def service(service_id: int):
    service = services.get_service(db.session, service_id)
    return _service_page(service, PriceForm(valid_from=date.today()))


@bp.post("/services/<int:service_id>/prices")
@requires("billing.edit")
def set_price(service_id: int):
    service = services.get_service(db.session, service_id)
    form = PriceForm()
    if form.validate_on_submit():
        refusal_shows(lambda _error: _service_page(service, form)[0], form)
        services.set_price(
            db.session,
            service.id,
            valid_from=form.valid_from.data,
            public_price=form.public_price.data,
            member_price=form.member_price.data,
        )
        flash(
            _("New prices from %(date)s saved.", date=form.valid_from.data.isoformat()),
            "success",
        )
        return redirect(url_for(".service", service_id=service.id))
    return _service_page(service, form, 422)


# --- subscriptions -----------------------------------------------------------------------------


def customer_options(*, with_unbilled_members: bool = False) -> list[tuple[str, str]]:
    options = [(str(key), label) for key, label in reports.customer_choices(db.session)]
    if with_unbilled_members:
        options += [
            (f"{MEMBER_PREFIX}{cooperative.id}", f"{cooperative.code} · {cooperative.name}")
            for cooperative in reports.unbilled_members(db.session)
        ]
        options.sort(key=lambda option: option[1])
    return options


@bp.get("/subscriptions/")
@requires("billing.view")
def subscriptions():
    customer_id, service_id = int_arg("customer_id"), int_arg("service_id")
    status = request.args.get("status", "")
    page = reports.search_subscriptions(
        db.session,
        current_user,
        customer_id=customer_id,
        service_id=service_id,
        status=status if status in SUBSCRIPTION_STATUS_LABELS else "",
        page=page_number(),
    )
    return render_template(
        "billing/subscriptions.html",
        page=page,
        filters={"customer_id": customer_id, "service_id": service_id, "status": status},
        customers=[] if is_scoped(current_user) else reports.customer_choices(db.session),
        services=reports.service_choices(db.session, active_only=False),
        statuses=SUBSCRIPTION_STATUS_LABELS,
        periods=PERIOD_LABELS,
        status_form=SubscriptionStatusForm(formdata=None, end_on=date.today()),
        confirm=ConfirmForm(),
    )


@bp.route("/subscriptions/new", methods=["GET", "POST"])
@requires("billing.edit")
def new_subscription():
    form = SubscriptionForm(
        customer_id=request.args.get("customer_id", ""), start_on=date.today().replace(day=1)
    )
    form.customer_id.choices = choices(customer_options(with_unbilled_members=True), "")
    form.service_id.choices = choices(reports.service_choices(db.session))
    # any customer may pay a share of another's subscription (a funder, usually)
    funders = [(str(key), label) for key, label in reports.customer_choices(db.session)]
    form.funder_id.choices = choices(funders, "")
    if form.validate_on_submit():
        refusal_shows(
            lambda _error: render_template("billing/subscription_form.html", form=form), form
        )
        customer_id = _customer_id(form.customer_id.data)
        subscription = services.create_subscription(
            db.session,
            customer_id=customer_id,
            service_id=form.service_id.data,
            start_on=form.start_on.data,
            end_on=form.end_on.data,
            quantity=form.quantity.data,
            period=form.period.data,
            price_override=form.price_override.data,
            discount_percent=form.discount_percent.data or ZERO,
            funder_id=int(form.funder_id.data) if (form.funder_id.data or "").isdigit() else None,
            funder_share_percent=form.funder_share_percent.data or ZERO,
        )
        flash(_("Subscription saved."), "success")
        return redirect(url_for(".customer", customer_id=subscription.customer_id))
    status = 422 if (form.errors or form.form_errors) else 200
    return render_template("billing/subscription_form.html", form=form), status


def _customer_id(value: str) -> int:
    """The customer chosen, a member cooperative becoming one the first time it is billed."""
    if value.startswith(MEMBER_PREFIX):
        return services.member_customer(db.session, int(value.removeprefix(MEMBER_PREFIX))).id
    return int(value)


@bp.post("/subscriptions/<int:subscription_id>/status")
@requires("billing.edit")
def subscription_status(subscription_id: int):
    subscription = services.get_subscription(db.session, subscription_id, actor=current_user)
    form = SubscriptionStatusForm()
    back = safe_next(
        request.form.get("next"), url_for(".subscriptions", customer_id=subscription.customer_id)
    )
    if not form.validate_on_submit():
        flash(_("Choose what to do with the subscription."), "error")
        return redirect(back)
    services.set_subscription_status(
        db.session, subscription.id, form.status.data, end_on=form.end_on.data
    )
    flash(
        _(
            "Subscription of %(code)s: %(status)s.",
            code=subscription.customer.code,
            status=SUBSCRIPTION_STATUS_LABELS[form.status.data],
        ),
        "success",
    )
    return redirect(back)


# --- billing runs ------------------------------------------------------------------------------


def _run_page(month: date, form: MonthForm, status: int = 200):
    plan = services.plan_run(db.session, month.year, month.month)
    return render_template(
        "billing/run.html",
        plan=plan,
        month=month,
        form=form,
        run_form=RunForm(month=f"{month:%Y-%m}"),
        payers=len({line.payer.id for line in plan.lines}),
    ), status


@bp.get("/run")
@requires("billing.edit")
def run():
    form = MonthForm(request.args)
    month = parse_month(form.month.data)
    status = 200
    if month is None:
        if form.month.data:
            form.month.errors = [_("Give a month as YYYY-MM, e.g. 2026-03.")]
            status = 422
        month = date.today().replace(day=1)
        form.month.data = f"{month:%Y-%m}"
    return _run_page(month, form, status)


@bp.post("/run")
@requires("billing.edit")
def run_billing():
    form = RunForm()
    month = parse_month(form.month.data) if form.validate_on_submit() else None
    if month is None:
        flash(_("Give a month as YYYY-MM, e.g. 2026-03."), "error")
        return redirect(url_for(".run"))
    refusal_returns_to(url_for(".run", month=f"{month:%Y-%m}"))
    summary = services.run_billing(db.session, month.year, month.month)
    return render_template(
        "billing/run_done.html",
        summary=summary,
        month=month,
        drafts=reports.month_draft_count(db.session, month),
        issue_form=_issue_form(month),
    )


def _issue_form(month: date) -> IssueMonthForm:
    last_day = month + relativedelta(months=1, days=-1)
    return IssueMonthForm(month=f"{month:%Y-%m}", on=min(last_day, date.today()))


@bp.post("/run/issue")
@requires("billing.edit")
def issue_month():
    form = IssueMonthForm()
    month = parse_month(form.month.data) if form.validate_on_submit() else None
    if month is None:
        flash(_("Give a month as YYYY-MM and an issue date."), "error")
        return redirect(url_for(".run"))
    summary = services.issue_month_drafts(
        db.session, month.year, month.month, on=form.on.data, actor=current_user
    )
    return render_template("billing/issue_done.html", summary=summary, month=month)


from billing import document_views, invoice_views  # noqa: E402,F401  (register their pages)
