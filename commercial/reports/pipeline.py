"""The pipeline as the home pages show it: open leads by stage, leads without a next step,
the latest leads; and the leads a user may see, for every read of the pipeline."""

from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, joinedload

from commercial.models import Activity, Lead, Stage, weighted_amount
from commercial.services.pipeline import scope_leads
from gie.money import ZERO


def visible_lead_ids(user):
    """The ids of the leads the user may see, as a subquery."""
    return scope_leads(select(Lead.id), user)


def _open_leads(user, owner_id: int | None):
    statement = (
        select(Lead)
        .join(Stage, Stage.id == Lead.stage_id)
        .where(Stage.kind == "open", Lead.id.in_(visible_lead_ids(user)))
    )
    if owner_id is not None:
        statement = statement.where(Lead.owner_id == owner_id)
    return statement


def pipeline_by_stage(
    session: Session, user, *, owner_id: int | None = None
) -> list[tuple[Stage, int, Decimal, Decimal]]:
    """Open leads per active open stage, in stage order: (stage, leads, amount, amount
    weighted by each lead's probability)."""
    # Grouped by amount and probability as well: the weighted amount is rounded per lead, as
    # on the board and in the forecast, and leads of equal figures weigh the same.
    totals: dict[int, tuple[int, Decimal, Decimal]] = {}
    for stage_id, amount, probability, count in session.execute(
        _open_leads(user, owner_id)
        .with_only_columns(Lead.stage_id, Lead.amount, Lead.probability, func.count(Lead.id))
        .group_by(Lead.stage_id, Lead.amount, Lead.probability)
    ):
        leads, total, weighted = totals.get(stage_id, (0, ZERO, ZERO))
        totals[stage_id] = (
            leads + count,
            total + amount * count,
            weighted + weighted_amount(amount, probability) * count,
        )
    stages = session.scalars(
        select(Stage)
        .where(Stage.kind == "open", Stage.active.is_(True))
        .order_by(Stage.position, Stage.id)
    )
    return [(stage, *totals.get(stage.id, (0, ZERO, ZERO))) for stage in stages]


def leads_without_next_step(
    session: Session, user, *, owner_id: int | None = None, limit: int = 10
) -> tuple[list[Lead], int]:
    """Open leads with no activity left to do, oldest first, and how many there are."""
    planned = exists().where(Activity.lead_id == Lead.id, Activity.done_at.is_(None))
    statement = _open_leads(user, owner_id).where(~planned)
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    leads = session.scalars(
        statement.options(joinedload(Lead.buyer), joinedload(Lead.stage))
        .order_by(Lead.created_at, Lead.id)
        .limit(limit)
    ).all()
    return list(leads), int(total)


def recent_leads(session: Session, user, *, limit: int = 10) -> list[Lead]:
    """The latest leads the user may see (a president: those involving their cooperative)."""
    return list(
        session.scalars(
            scope_leads(select(Lead), user)
            .options(joinedload(Lead.buyer), joinedload(Lead.stage))
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .limit(limit)
        )
    )
