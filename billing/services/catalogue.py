"""The service catalogue: services and their dated public and member prices."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.models import (
    Service,
    ServicePrice,
)
from billing.services.refusals import BillingRefused, not_found
from gie.errors import ValidationError
from gie.money import D


def get_service(session: Session, service_id: int) -> Service:
    """The catalogue is the GIE's, the same for everyone who may read it."""
    service = session.get(Service, service_id)
    if service is None:
        raise not_found()
    return service


def create_service(
    session: Session,
    *,
    code: str,
    name: str,
    category: str,
    unit: str,
    public_price: Decimal,
    member_price: Decimal,
    valid_from: date,
    name_ar: str = "",
    vat_code: str = "TVA20",
    income_account: str = "7124",
) -> Service:
    errors: dict[str, list] = {}
    code = code.strip().upper()
    if session.scalar(select(Service.id).where(Service.code == code)):
        errors["code"] = [_l("Another service already has this code.")]
    if member_price > public_price:
        errors["member_price"] = [_l("The member price cannot exceed the public price.")]
    if public_price < 0 or member_price < 0:
        errors["public_price"] = [_l("A price cannot be negative.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    service = Service(
        code=code,
        name=name.strip(),
        name_ar=name_ar.strip(),
        category=category,
        unit=unit,
        vat_code=vat_code,
        income_account=income_account,
    )
    session.add(service)
    session.flush()
    set_price(
        session,
        service.id,
        valid_from=valid_from,
        public_price=public_price,
        member_price=member_price,
    )
    return service


def set_price(
    session: Session,
    service_id: int,
    *,
    valid_from: date,
    public_price: Decimal,
    member_price: Decimal,
) -> ServicePrice:
    """New prices from a date on; invoices already issued keep theirs."""
    errors: dict[str, list] = {}
    if public_price < 0 or member_price < 0:
        errors["public_price"] = [_l("A price cannot be negative.")]
    elif member_price > public_price:
        errors["member_price"] = [_l("The member price cannot exceed the public price.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    existing = session.scalar(
        select(ServicePrice).where(
            ServicePrice.service_id == service_id, ServicePrice.valid_from == valid_from
        )
    )
    price = existing or ServicePrice(service_id=service_id, valid_from=valid_from)
    price.public_price, price.member_price = D(public_price), D(member_price)
    session.add(price)
    session.flush()
    return price


def price_on(session: Session, service_id: int, on: date) -> ServicePrice:
    price = session.scalar(
        select(ServicePrice)
        .where(ServicePrice.service_id == service_id, ServicePrice.valid_from <= on)
        .order_by(ServicePrice.valid_from.desc())
    )
    if price is None:
        raise BillingRefused(_l("The service has no price on %(date)s.", date=on.isoformat()))
    return price
