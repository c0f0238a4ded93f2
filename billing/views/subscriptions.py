"""Subscriptions and the monthly billing run that invoices them, then issues its drafts."""

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from billing import reports
from billing.blueprint import bp
from billing.forms import (
    PERIOD_LABELS,
    SUBSCRIPTION_STATUS_LABELS,
    IssueMonthForm,
    MonthForm,
    RunForm,
    SubscriptionForm,
    SubscriptionStatusForm,
    parse_month,
)
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from billing.services import runs as billing_runs
from billing.services import subscriptions as billing_subscriptions
from gie import db
from gie.forms import ConfirmForm, choices, optional_int
from gie.money import ZERO
from gie.security import is_scoped, requires
from gie.web import page_number, refusal_returns_to, refusal_shows, safe_next

#: how a member cooperative not billed yet is offered in a customer list ("coop-12")
MEMBER_PREFIX = "coop-"


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
    customer_id, service_id = (
        request.args.get("customer_id", type=optional_int),
        request.args.get("service_id", type=optional_int),
    )
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
        subscription = billing_subscriptions.create_subscription(
            db.session,
            customer_id=customer_id,
            service_id=form.service_id.data,
            start_on=form.start_on.data,
            end_on=form.end_on.data,
            quantity=form.quantity.data,
            period=form.period.data,
            price_override=form.price_override.data,
            discount_percent=form.discount_percent.data or ZERO,
            funder_id=optional_int(form.funder_id.data),
            funder_share_percent=form.funder_share_percent.data or ZERO,
        )
        flash(_("Subscription saved."), "success")
        return redirect(url_for(".customer", customer_id=subscription.customer_id))
    status = 422 if (form.errors or form.form_errors) else 200
    return render_template("billing/subscription_form.html", form=form), status


def _customer_id(value: str) -> int:
    """The customer chosen, a member cooperative becoming one the first time it is billed."""
    if value.startswith(MEMBER_PREFIX):
        return billing_customers.member_customer(
            db.session, int(value.removeprefix(MEMBER_PREFIX))
        ).id
    return int(value)


@bp.post("/subscriptions/<int:subscription_id>/status")
@requires("billing.edit")
def subscription_status(subscription_id: int):
    subscription = billing_subscriptions.get_subscription(
        db.session, subscription_id, actor=current_user
    )
    form = SubscriptionStatusForm()
    back = safe_next(
        request.form.get("next"), url_for(".subscriptions", customer_id=subscription.customer_id)
    )
    if not form.validate_on_submit():
        flash(_("Choose what to do with the subscription."), "error")
        return redirect(back)
    billing_subscriptions.set_subscription_status(
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


# --- billing runs ---------------------------------------------------------------------------


def _run_page(month: date, form: MonthForm, status: int = 200):
    plan = billing_runs.plan_run(db.session, month.year, month.month)
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
    summary = billing_runs.run_billing(db.session, month.year, month.month)
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
    summary = billing_invoices.issue_month_drafts(
        db.session, month.year, month.month, on=form.on.data, actor=current_user
    )
    return render_template("billing/issue_done.html", summary=summary, month=month)
