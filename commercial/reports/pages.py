"""A page of a long list: the catalogue and the buyers."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session


@dataclass
class ResultPage:
    items: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def paginate(session: Session, stmt, order, *, page: int, size: int) -> ResultPage:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, page)
    items = session.scalars(stmt.order_by(*order).offset((page - 1) * size).limit(size)).all()
    return ResultPage(list(items), total or 0, page, size)
