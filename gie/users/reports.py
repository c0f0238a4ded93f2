"""Read side of accounts."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from gie.users.models import User


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.email)))
