"""Read side of commercial support: catalogue, pipeline board, activities, analysis."""


# --- Analysis of the pipeline (SQL aggregates) --------------------------------------------

from decimal import Decimal as _Decimal  # noqa: E402

from flask_babel import lazy_gettext as _l  # noqa: E402
from sqlalchemy import distinct as _distinct  # noqa: E402
from sqlalchemy import func as _func  # noqa: E402
from sqlalchemy import select as _select  # noqa: E402
from sqlalchemy.orm import Session as _Session  # noqa: E402

from commercial.models import Lead, LeadCooperative, LeadEvent, Stage  # noqa: E402
from commercial.services import scope_leads as _scope_leads  # noqa: E402
from gie.cooperatives.models import Cooperative as _Cooperative  # noqa: E402
from gie.tabular import Table as _Table  # noqa: E402
from gie.users.models import User as _User  # noqa: E402

_CENT = _Decimal("0.01")


def _visible_ids(user):
    """The ids of the leads the user may see, as a subquery."""
    return _scope_leads(_select(Lead.id), user)


def forecast(session: _Session, user) -> list[tuple[str, int, _Decimal, _Decimal]]:
    """Open leads by month of expected close: (YYYY-MM, leads, amount, weighted amount).
    Leads without an expected close date are under an empty month, last."""
    rows: dict[str, list] = {}
    statement = (
        _select(Lead.expected_close_on, Lead.amount, Lead.probability)
        .join(Stage, Stage.id == Lead.stage_id)
        .where(Stage.kind == "open", Lead.id.in_(_visible_ids(user)))
    )
    # Grouped in Python by month: the month expression differs between SQLite and
    # PostgreSQL, the sums are exact Decimals either way.
    for close_on, amount, probability in session.execute(statement):
        month = close_on.strftime("%Y-%m") if close_on else ""
        row = rows.setdefault(month, [0, _Decimal("0"), _Decimal("0")])
        row[0] += 1
        row[1] += amount
        row[2] += amount * probability / 100
    ordered = sorted(rows.items(), key=lambda item: (item[0] == "", item[0]))
    return [(m, n, total, weighted.quantize(_CENT)) for m, (n, total, weighted) in ordered]


def conversion(session: _Session, user) -> list[tuple[Stage, int, int]]:
    """For each stage: how many leads ever reached it (per their timeline) and how many of
    those are won now."""
    visible = _visible_ids(user)
    reached = dict(
        session.execute(
            _select(LeadEvent.to_stage_id, _func.count(_distinct(LeadEvent.lead_id)))
            .where(LeadEvent.lead_id.in_(visible))
            .group_by(LeadEvent.to_stage_id)
        ).all()
    )
    won = dict(
        session.execute(
            _select(LeadEvent.to_stage_id, _func.count(_distinct(LeadEvent.lead_id)))
            .join(Lead, Lead.id == LeadEvent.lead_id)
            .join(Stage, Stage.id == Lead.stage_id)
            .where(LeadEvent.lead_id.in_(visible), Stage.kind == "won")
            .group_by(LeadEvent.to_stage_id)
        ).all()
    )
    stages = session.scalars(_select(Stage).order_by(Stage.position, Stage.id))
    return [(stage, reached.get(stage.id, 0), won.get(stage.id, 0)) for stage in stages]


DIMENSIONS = ("filiere", "cooperative", "adviser", "source")


def won_lost(session: _Session, user, by: str) -> list[tuple[str, int, _Decimal, int, _Decimal]]:
    """Closed leads by a dimension: (key, won count, won amount, lost count, lost amount).
    By filière or cooperative, a lead counts once for each cooperative it involves."""
    statement = _select(
        _dimension(by),
        Stage.kind,
        _func.count(_distinct(Lead.id)),
        _func.coalesce(_func.sum(Lead.amount), 0),
    ).join(Stage, Stage.id == Lead.stage_id)
    if by in ("filiere", "cooperative"):
        statement = statement.join(LeadCooperative, LeadCooperative.lead_id == Lead.id).join(
            _Cooperative, _Cooperative.id == LeadCooperative.cooperative_id
        )
    elif by == "adviser":
        statement = statement.join(_User, _User.id == Lead.owner_id)
    statement = statement.where(
        Stage.kind.in_(("won", "lost")), Lead.id.in_(_visible_ids(user))
    ).group_by(_dimension(by), Stage.kind)
    rows: dict[str, list] = {}
    for key, kind, count, amount in session.execute(statement):
        row = rows.setdefault(key or "", [0, _Decimal("0"), 0, _Decimal("0")])
        offset = 0 if kind == "won" else 2
        row[offset] += count
        row[offset + 1] += _Decimal(amount)
    return [(key, *values) for key, values in sorted(rows.items())]


def _dimension(by: str):
    if by == "filiere":
        return _Cooperative.filiere
    if by == "cooperative":
        return _Cooperative.code
    if by == "adviser":
        return _User.name
    if by == "source":
        return Lead.source
    raise ValueError(by)


def lost_reasons(session: _Session, user) -> list[tuple[str, int]]:
    statement = (
        _select(Lead.lost_reason, _func.count(Lead.id))
        .join(Stage, Stage.id == Lead.stage_id)
        .where(Stage.kind == "lost", Lead.id.in_(_visible_ids(user)))
        .group_by(Lead.lost_reason)
        .order_by(_func.count(Lead.id).desc(), Lead.lost_reason)
    )
    return [(reason, count) for reason, count in session.execute(statement)]


def forecast_table(session, user) -> _Table:
    return _Table(
        title=_l("Forecast by month"),
        headers=[_l("Month"), _l("Leads"), _l("Amount (MAD)"), _l("Weighted (MAD)")],
        rows=[list(row) for row in forecast(session, user)],
    )


def conversion_table(session, user) -> _Table:
    return _Table(
        title=_l("Conversion by stage"),
        headers=[_l("Stage"), _l("Leads that reached it"), _l("Won")],
        rows=[[stage.name, reached, won] for stage, reached, won in conversion(session, user)],
    )


def won_lost_table(session, user, by: str) -> _Table:
    return _Table(
        title=_l("Won and lost"),
        headers=[by, _l("Won"), _l("Won (MAD)"), _l("Lost"), _l("Lost (MAD)")],
        rows=[list(row) for row in won_lost(session, user, by)],
    )


def lost_reasons_table(session, user) -> _Table:
    return _Table(
        title=_l("Lost reasons"),
        headers=[_l("Reason"), _l("Leads")],
        rows=[list(row) for row in lost_reasons(session, user)],
    )


# --- Products and photos; buyers and contacts ----------------------------------------------

from dataclasses import dataclass  # noqa: E402
from decimal import Decimal  # noqa: E402

from sqlalchemy import func, or_, select  # noqa: E402
from sqlalchemy.orm import Session, selectinload  # noqa: E402

from commercial.models import Buyer, Contact, Product  # noqa: E402
from gie.cooperatives.models import Cooperative  # noqa: E402
from gie.security import scope  # noqa: E402


@dataclass
class CatalogueFilters:
    text: str = ""
    filiere: str = ""
    cooperative_id: int | None = None
    price_min: Decimal | None = None  #: products whose price range meets [price_min, price_max]
    price_max: Decimal | None = None
    inactive: bool = False  #: include deactivated products


@dataclass
class ResultPage:
    items: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _paginate(session: Session, stmt, order, *, page: int, size: int) -> ResultPage:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, page)
    items = session.scalars(stmt.order_by(*order).offset((page - 1) * size).limit(size)).all()
    return ResultPage(list(items), total or 0, page, size)


def catalogue(
    session: Session, filters: CatalogueFilters, user, *, page: int = 1, size: int = 48
) -> ResultPage:
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
    return _paginate(session, stmt, (Product.name, Product.id), page=page, size=size)


def catalogue_cooperatives(session: Session, user) -> list[Cooperative]:
    """The cooperatives offered in the catalogue's filter."""
    stmt = scope(select(Cooperative), Cooperative, user).where(
        Cooperative.id.in_(select(Product.cooperative_id))
    )
    return list(session.scalars(stmt.order_by(Cooperative.code)))


def buyers(
    session: Session, *, text: str = "", kind: str = "", page: int = 1, size: int = 50
) -> ResultPage:
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
    return _paginate(session, stmt, (Buyer.name, Buyer.id), page=page, size=size)


# --- home pages -----------------------------------------------------------------------------

from sqlalchemy import BigInteger as _BigInteger  # noqa: E402
from sqlalchemy import exists as _exists  # noqa: E402
from sqlalchemy import type_coerce as _type_coerce  # noqa: E402
from sqlalchemy.orm import joinedload as _joinedload  # noqa: E402

from commercial.models import Activity as _Activity  # noqa: E402


def _open_leads(user, owner_id: int | None):
    statement = (
        _select(Lead)
        .join(Stage, Stage.id == Lead.stage_id)
        .where(Stage.kind == "open", Lead.id.in_(_visible_ids(user)))
    )
    if owner_id is not None:
        statement = statement.where(Lead.owner_id == owner_id)
    return statement


def pipeline_by_stage(
    session: _Session, user, *, owner_id: int | None = None
) -> list[tuple[Stage, int, _Decimal, _Decimal]]:
    """Open leads per active open stage, in stage order: (stage, leads, amount, amount
    weighted by each lead's probability)."""
    centimes = _type_coerce(Lead.amount, _BigInteger)
    totals = {
        stage_id: (int(count), int(amount), int(weighted))
        for stage_id, count, amount, weighted in session.execute(
            _open_leads(user, owner_id)
            .with_only_columns(
                Lead.stage_id,
                _func.count(Lead.id),
                _func.coalesce(_func.sum(centimes), 0),
                _func.coalesce(_func.sum(centimes * Lead.probability), 0),
            )
            .group_by(Lead.stage_id)
        )
    }
    stages = session.scalars(
        _select(Stage)
        .where(Stage.kind == "open", Stage.active.is_(True))
        .order_by(Stage.position, Stage.id)
    )
    result = []
    for stage in stages:
        count, amount, weighted = totals.get(stage.id, (0, 0, 0))
        result.append(
            (stage, count, _Decimal(amount) / 100, (_Decimal(weighted) / 10000).quantize(_CENT))
        )
    return result


def leads_without_next_step(
    session: _Session, user, *, owner_id: int | None = None, limit: int = 10
) -> tuple[list[Lead], int]:
    """Open leads with no activity left to do, oldest first, and how many there are."""
    planned = _exists().where(_Activity.lead_id == Lead.id, _Activity.done_at.is_(None))
    statement = _open_leads(user, owner_id).where(~planned)
    total = session.scalar(_select(_func.count()).select_from(statement.subquery()))
    leads = session.scalars(
        statement.options(_joinedload(Lead.buyer), _joinedload(Lead.stage))
        .order_by(Lead.created_at, Lead.id)
        .limit(limit)
    ).all()
    return list(leads), int(total)


def recent_leads(session: _Session, user, *, limit: int = 10) -> list[Lead]:
    """The latest leads the user may see (a president: those involving their cooperative)."""
    return list(
        session.scalars(
            _scope_leads(_select(Lead), user)
            .options(_joinedload(Lead.buyer), _joinedload(Lead.stage))
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .limit(limit)
        )
    )
