"""Read side of the registry: the filtered, paginated list and the CSV export."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gie.cooperatives.models import Cooperative
from gie.cooperatives.services import FIELDS
from gie.pagination import Page, paginate
from gie.security import scope
from gie.tabular import INTERNATIONAL, CsvDialect, write_csv


@dataclass
class Filters:
    text: str = ""
    filiere: str = ""
    province: str = ""
    status: str = ""


def _filtered(filters: Filters, user):
    stmt = scope(select(Cooperative), Cooperative, user)
    if filters.text:
        pattern = f"%{filters.text.strip()}%"
        stmt = stmt.where(
            or_(
                Cooperative.code.ilike(pattern),
                Cooperative.name.ilike(pattern),
                Cooperative.name_ar.ilike(pattern),
                Cooperative.commune.ilike(pattern),
                Cooperative.ice.ilike(pattern),
            )
        )
    for field in ("filiere", "province", "status"):
        value = getattr(filters, field)
        if value:
            stmt = stmt.where(getattr(Cooperative, field) == value)
    return stmt


def search(session: Session, filters: Filters, user, *, page: int = 1, size: int = 50) -> Page:
    return paginate(session, _filtered(filters, user), (Cooperative.code,), page=page, size=size)


def _csv(cooperatives, dialect: CsvDialect) -> str:
    rows = ([getattr(cooperative, name) for name in FIELDS] for cooperative in cooperatives)
    return write_csv(FIELDS, rows, dialect)


def export_csv(
    session: Session, filters: Filters, user, dialect: CsvDialect = INTERNATIONAL
) -> str:
    """The filtered list in the import's own columns, so an export can be edited and
    imported back (the import reads either dialect)."""
    return _csv(session.scalars(_filtered(filters, user).order_by(Cooperative.code)), dialect)


def export_one_csv(cooperative: Cooperative, dialect: CsvDialect = INTERNATIONAL) -> str:
    return _csv([cooperative], dialect)


def choices(session: Session) -> list[tuple[int, str]]:
    """(id, "CODE Name") of every cooperative, for select boxes."""
    rows = session.execute(
        select(Cooperative.id, Cooperative.code, Cooperative.name).order_by(Cooperative.code)
    )
    return [(row.id, f"{row.code} {row.name}") for row in rows]


def count_by_status(session: Session, user) -> dict[str, int]:
    stmt = scope(select(Cooperative.status, func.count()), Cooperative, user)
    return dict(session.execute(stmt.group_by(Cooperative.status)).all())
