"""The buyers' address book, searched by name, city, phone, email or a contact."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from commercial.models import Buyer, Contact
from gie.pagination import Page, paginate


def search_buyers(
    session: Session, *, text: str = "", kind: str = "", page: int = 1, size: int = 50
) -> Page:
    """Buyers by name, city, phone, email or a contact's name or email."""
    stmt = select(Buyer)
    if text.strip():
        pattern = f"%{text.strip()}%"
        digits = "".join(ch for ch in text if ch.isdigit())
        conditions = [
            Buyer.name.ilike(pattern),
            Buyer.city.ilike(pattern),
            Buyer.email_key.ilike(pattern),
            Buyer.id.in_(
                select(Contact.buyer_id).where(
                    or_(Contact.name.ilike(pattern), Contact.email_key.ilike(pattern))
                )
            ),
        ]
        if len(digits) >= 4:
            conditions.append(Buyer.phone_key.contains(digits))
            conditions.append(
                Buyer.id.in_(select(Contact.buyer_id).where(Contact.phone_key.contains(digits)))
            )
        stmt = stmt.where(or_(*conditions))
    if kind:
        stmt = stmt.where(Buyer.kind == kind)
    stmt = stmt.options(selectinload(Buyer.contacts))
    return paginate(session, stmt, (Buyer.name, Buyer.id), page=page, size=size)
