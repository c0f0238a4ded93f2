"""The service catalogue: services, their dated prices and VAT codes."""

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from accounting import vat_rates
from billing import reports
from billing.blueprint import bp
from billing.forms import (
    CATEGORY_LABELS,
    UNIT_LABELS,
    PriceForm,
    ServiceForm,
)
from billing.services import catalogue as billing_catalogue
from gie import db
from gie.forms import choices
from gie.security import requires
from gie.web import refusal_shows


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
        service = billing_catalogue.create_service(
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
    service = billing_catalogue.get_service(db.session, service_id)
    return _service_page(service, PriceForm(valid_from=date.today()))


@bp.post("/services/<int:service_id>/prices")
@requires("billing.edit")
def set_price(service_id: int):
    service = billing_catalogue.get_service(db.session, service_id)
    form = PriceForm()
    if form.validate_on_submit():
        refusal_shows(lambda _error: _service_page(service, form)[0], form)
        billing_catalogue.set_price(
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
