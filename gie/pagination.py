"""A page of a long list, as every package's list pages show it (`macros.html` reads
`number`, `pages` and `total`)."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def page_count(total: int, size: int) -> int:
    """How many pages of `size` hold `total` items: at least one, empty or not."""
    return max(1, -(-total // size))


@dataclass
class Page:
    items: list
    total: int  #: items on all pages
    number: int  #: this page's number, from 1
    size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)


def paginate(
    session: Session, stmt: Select, order_by, *, page: int, size: int, rows: bool = False
) -> Page:
    """Page `page` (from 1; less means 1, more than there are means the last) of `size`
    items of `stmt` in `order_by` order, and the count of all of them. Items are the first
    column's objects, or with `rows` the whole rows (a record with figures computed beside
    it)."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, min(page, page_count(total, size)))
    shown = stmt.order_by(*order_by).offset((page - 1) * size).limit(size)
    items = session.execute(shown).all() if rows else session.scalars(shown).all()
    return Page(list(items), total, page, size)
