"""Subscriptions: who takes which service, how often, at what price, with which funder."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from billing.models import (
    Customer,
    Service,
    Subscription,
)
from billing.services.refusals import not_found
from gie.errors import ValidationError
from gie.money import ZERO
from gie.security import get_scoped


def get_subscription(session: Session, subscription_id: int, *, actor) -> Subscription:
    return get_scoped(session, Subscription, subscription_id, actor)


def create_subscription(
    session: Session,
    *,
    customer_id: int,
    service_id: int,
    start_on: date,
    quantity: Decimal = Decimal("1"),
    period: str = "monthly",
    end_on: date | None = None,
    price_override: Decimal | None = None,
    discount_percent: Decimal = ZERO,
    funder_id: int | None = None,
    funder_share_percent: Decimal = ZERO,
) -> Subscription:
    customer = session.get(Customer, customer_id)
    errors: dict[str, list] = {}
    if customer is None:
        errors["customer_id"] = [_l("Unknown customer.")]
    if session.get(Service, service_id) is None:
        errors["service_id"] = [_l("Unknown service.")]
    if quantity <= 0:
        errors["quantity"] = [_l("The quantity must be positive.")]
    if end_on and end_on < start_on:
        errors["end_on"] = [_l("The subscription cannot end before it starts.")]
    if period not in ("monthly", "quarterly", "yearly"):
        errors["period"] = [_l("Choose a period.")]
    if not 0 <= discount_percent <= 100:
        errors["discount_percent"] = [_l("A percentage is between 0 and 100.")]
    if not 0 <= funder_share_percent <= 100:
        errors["funder_share_percent"] = [_l("A percentage is between 0 and 100.")]
    if funder_share_percent and (funder_id is None or funder_id == customer_id):
        errors["funder_id"] = [_l("Name the funder who pays the share.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)
    subscription = Subscription(
        customer_id=customer_id,
        cooperative_id=customer.cooperative_id,
        service_id=service_id,
        quantity=quantity,
        start_on=start_on,
        end_on=end_on,
        period=period,
        price_override=price_override,
        discount_percent=discount_percent,
        funder_id=funder_id if funder_share_percent else None,
        funder_share_percent=funder_share_percent,
    )
    session.add(subscription)
    session.flush()
    return subscription


def set_subscription_status(
    session: Session, subscription_id: int, status: str, *, end_on: date | None = None
) -> Subscription:
    """Suspend, resume (active) or end a subscription; ending sets its last day."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise not_found()
    if status not in ("active", "suspended", "ended"):
        raise ValidationError(_l("Unknown status."))
    subscription.status = status
    if status == "ended":
        subscription.end_on = end_on or subscription.end_on or date.today()
    session.flush()
    return subscription
