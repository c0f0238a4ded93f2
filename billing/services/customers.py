"""Customers: member cooperatives billed from the registry, and the others (non-members,
businesses, funders) typed in."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ma import ice as ice_number

from billing.models import (
    Customer,
)
from billing.services.refusals import not_found
from gie.cooperatives.models import Cooperative
from gie.errors import ValidationError
from gie.security import get_scoped

MAX_PAYMENT_TERMS = 120  #: days, law 69-21


def member_customer(session: Session, cooperative_id: int) -> Customer:
    """The customer record of a member cooperative, created from the registry the first time."""
    customer = session.scalar(select(Customer).where(Customer.cooperative_id == cooperative_id))
    if customer is not None:
        return customer
    cooperative = session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise not_found()
    customer = Customer(
        code=cooperative.code,
        kind="member",
        cooperative_id=cooperative.id,
        name=cooperative.name,
        name_ar=cooperative.name_ar,
        address=cooperative.address,
        ice=cooperative.ice,
        if_number=cooperative.if_number,
        rc_number=cooperative.rc_number,
        email=cooperative.president_email,
    )
    session.add(customer)
    session.flush()
    return customer


def _checked_identity(
    session: Session,
    *,
    code: str,
    kind: str,
    name: str,
    ice: str,
    payment_terms_days: int,
    customer_id: int | None = None,
) -> tuple[str, str]:
    """The code and ICE as stored; raises ValidationError with every field's problem."""
    code = code.strip().upper()
    errors: dict[str, list] = {}
    if not code:
        errors["code"] = [_l("This field is required.")]
    elif session.scalar(
        select(Customer.id).where(Customer.code == code, Customer.id != customer_id)
    ):
        errors["code"] = [_l("Another customer already has this code.")]
    if kind not in ("non_member", "business", "funder"):
        errors["kind"] = [_l("Member cooperatives become customers from the registry.")]
    if not name.strip():
        errors["name"] = [_l("This field is required.")]
    ice = (ice or "").strip()
    if ice:
        try:
            ice = ice_number.validate(ice)
        except StdnumError:
            errors["ice"] = [_l("This is not a valid ICE: 15 digits with a valid check number.")]
    if not 0 <= payment_terms_days <= MAX_PAYMENT_TERMS:
        errors["payment_terms_days"] = [_l("Payment terms are 120 days at most (law 69-21).")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    return code, ice


def create_customer(
    session: Session,
    *,
    code: str,
    kind: str,
    name: str,
    name_ar: str = "",
    address: str = "",
    ice: str = "",
    if_number: str = "",
    rc_number: str = "",
    email: str = "",
    payment_terms_days: int = 60,
) -> Customer:
    """A customer who is not a member cooperative: a non-member, a business, a funder."""
    code, ice = _checked_identity(
        session, code=code, kind=kind, name=name, ice=ice, payment_terms_days=payment_terms_days
    )
    customer = Customer(
        code=code,
        kind=kind,
        name=name.strip(),
        name_ar=name_ar.strip(),
        address=address.strip(),
        ice=ice,
        if_number=if_number.strip(),
        rc_number=rc_number.strip(),
        email=email.strip(),
        payment_terms_days=payment_terms_days,
    )
    session.add(customer)
    session.flush()
    return customer


def update_customer(
    session: Session,
    customer_id: int,
    *,
    name: str = "",
    name_ar: str = "",
    address: str = "",
    ice: str = "",
    if_number: str = "",
    rc_number: str = "",
    email: str = "",
    payment_terms_days: int = 60,
    active: bool = True,
    kind: str | None = None,
) -> Customer:
    """Change a customer. A member cooperative's identity is the registry's: it is copied
    again from there, and only its email, payment terms and activity are set here. Invoices
    already issued keep the mentions they were issued with."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise not_found()
    if customer.kind == "member":
        if not 0 <= payment_terms_days <= MAX_PAYMENT_TERMS:
            raise ValidationError(
                _l("Please correct the highlighted fields."),
                field_errors={
                    "payment_terms_days": [_l("Payment terms are 120 days at most (law 69-21).")]
                },
            )
        cooperative = customer.cooperative
        customer.name, customer.name_ar = cooperative.name, cooperative.name_ar
        customer.address, customer.ice = cooperative.address, cooperative.ice
        customer.if_number, customer.rc_number = cooperative.if_number, cooperative.rc_number
    else:
        kind = kind or customer.kind
        _code, ice = _checked_identity(
            session,
            code=customer.code,
            kind=kind,
            name=name,
            ice=ice,
            payment_terms_days=payment_terms_days,
            customer_id=customer.id,
        )
        customer.kind, customer.name, customer.name_ar = kind, name.strip(), name_ar.strip()
        customer.address, customer.ice = address.strip(), ice
        customer.if_number, customer.rc_number = if_number.strip(), rc_number.strip()
    customer.email = email.strip()
    customer.payment_terms_days = payment_terms_days
    customer.active = active
    session.flush()
    return customer


def get_customer(session: Session, customer_id: int, *, actor) -> Customer:
    return get_scoped(session, Customer, customer_id, actor)
