"""The records the commercial forms and filters offer to choose from, each filtered in SQL
and, where they belong to a cooperative, scoped by the one scoping helper."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from commercial.models import Buyer, Contact, LeadCooperative, Product
from gie.cooperatives.models import Cooperative
from gie.security import is_scoped, scope
from gie.users.models import User


def cooperatives(session: Session, user) -> list[Cooperative]:
    """The cooperatives the user may see (a president: their own), by code."""
    statement = scope(select(Cooperative), Cooperative, user).order_by(Cooperative.code)
    return list(session.scalars(statement))


def advisers(session: Session, user) -> list[User]:
    """The active sales advisers and admins who may own a lead; none for a president, who
    does not sort the pipeline by adviser."""
    if is_scoped(user):
        return []
    return list(
        session.scalars(
            select(User)
            .where(User.role.in_(("sales_adviser", "admin")), User.active.is_(True))
            .order_by(User.name)
        )
    )


def buyers_by_name(session: Session) -> list[Buyer]:
    return list(session.scalars(select(Buyer).order_by(Buyer.name)))


def contacts(session: Session, buyer_id: int | None) -> list[Contact]:
    """The contacts of a buyer, or every contact while no buyer is chosen."""
    statement = select(Contact).order_by(Contact.name)
    if buyer_id is not None:
        statement = statement.where(Contact.buyer_id == buyer_id)
    return list(session.scalars(statement))


def active_products(session: Session) -> list[Product]:
    return list(
        session.scalars(select(Product).where(Product.active.is_(True)).order_by(Product.name))
    )


def lead_cooperatives(session: Session, lead_id: int, user) -> list[Cooperative]:
    """The cooperatives of a lead that the user may see (a president: their own only)."""
    statement = (
        select(Cooperative)
        .join(LeadCooperative, LeadCooperative.cooperative_id == Cooperative.id)
        .where(LeadCooperative.lead_id == lead_id)
        .order_by(LeadCooperative.id)
    )
    return list(session.scalars(scope(statement, LeadCooperative, user)))
