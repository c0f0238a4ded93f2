"""The catalogue an adviser shows a buyer: products filtered, with their photos."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from commercial.models import Product
from gie.cooperatives.models import Cooperative
from gie.pagination import Page, paginate
from gie.security import scope


@dataclass
class CatalogueFilters:
    text: str = ""
    filiere: str = ""
    cooperative_id: int | None = None
    price_min: Decimal | None = None  #: products whose price range meets [price_min, price_max]
    price_max: Decimal | None = None
    inactive: bool = False  #: include deactivated products


def catalogue(
    session: Session, filters: CatalogueFilters, user, *, page: int = 1, size: int = 48
) -> Page:
    """The products an adviser shows a buyer (presidents: their cooperative's), with their
    photos and cooperative loaded."""
    stmt = scope(select(Product), Product, user).join(
        Cooperative, Cooperative.id == Product.cooperative_id
    )
    if not filters.inactive:
        stmt = stmt.where(Product.active.is_(True))
    if filters.text.strip():
        pattern = f"%{filters.text.strip()}%"
        stmt = stmt.where(
            or_(
                Product.name.ilike(pattern),
                Product.name_ar.ilike(pattern),
                Product.description.ilike(pattern),
                Cooperative.name.ilike(pattern),
                Cooperative.code.ilike(pattern),
            )
        )
    if filters.filiere:
        stmt = stmt.where(Product.filiere == filters.filiere)
    if filters.cooperative_id:
        stmt = stmt.where(Product.cooperative_id == filters.cooperative_id)
    if filters.price_min is not None:
        stmt = stmt.where(Product.price_max >= filters.price_min)
    if filters.price_max is not None:
        stmt = stmt.where(Product.price_min <= filters.price_max)
    stmt = stmt.options(selectinload(Product.photos), selectinload(Product.cooperative))
    return paginate(session, stmt, (Product.name, Product.id), page=page, size=size)


def catalogue_cooperatives(session: Session, user) -> list[Cooperative]:
    """The cooperatives offered in the catalogue's filter."""
    stmt = scope(select(Cooperative), Cooperative, user).where(
        Cooperative.id.in_(select(Product.cooperative_id))
    )
    return list(session.scalars(stmt.order_by(Cooperative.code)))
