"""Analysis of the pipeline (SQL aggregates): forecast by month, conversion by stage, won
and lost by a dimension, lost reasons, and their CSV tables."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from commercial.models import Lead, LeadCooperative, LeadEvent, Stage, weighted_amount
from commercial.reports.pipeline import visible_lead_ids
from gie.cooperatives.models import Cooperative
from gie.security import is_scoped
from gie.tabular import Table
from gie.users.models import User


def forecast(session: Session, user) -> list[tuple[str, int, Decimal, Decimal]]:
    """Open leads by month of expected close: (YYYY-MM, leads, amount, weighted amount).
    Leads without an expected close date are under an empty month, last."""
    rows: dict[str, list] = {}
    statement = (
        select(Lead.expected_close_on, Lead.amount, Lead.probability)
        .join(Stage, Stage.id == Lead.stage_id)
        .where(Stage.kind == "open", Lead.id.in_(visible_lead_ids(user)))
    )
    # Grouped in Python by month: the month expression differs between SQLite and
    # PostgreSQL, the sums are exact Decimals either way.
    for close_on, amount, probability in session.execute(statement):
        month = close_on.strftime("%Y-%m") if close_on else ""
        row = rows.setdefault(month, [0, Decimal("0"), Decimal("0")])
        row[0] += 1
        row[1] += amount
        row[2] += weighted_amount(amount, probability)
    ordered = sorted(rows.items(), key=lambda item: (item[0] == "", item[0]))
    return [(month, n, total, weighted) for month, (n, total, weighted) in ordered]


def conversion(session: Session, user) -> list[tuple[Stage, int, int]]:
    """For each stage: how many leads ever reached it (per their timeline) and how many of
    those are won now."""
    visible = visible_lead_ids(user)
    reached = dict(
        session.execute(
            select(LeadEvent.to_stage_id, func.count(distinct(LeadEvent.lead_id)))
            .where(LeadEvent.lead_id.in_(visible))
            .group_by(LeadEvent.to_stage_id)
        ).all()
    )
    won = dict(
        session.execute(
            select(LeadEvent.to_stage_id, func.count(distinct(LeadEvent.lead_id)))
            .join(Lead, Lead.id == LeadEvent.lead_id)
            .join(Stage, Stage.id == Lead.stage_id)
            .where(LeadEvent.lead_id.in_(visible), Stage.kind == "won")
            .group_by(LeadEvent.to_stage_id)
        ).all()
    )
    stages = session.scalars(select(Stage).order_by(Stage.position, Stage.id))
    return [(stage, reached.get(stage.id, 0), won.get(stage.id, 0)) for stage in stages]


DIMENSIONS = ("filiere", "cooperative", "adviser", "source")


def dimensions_for(user) -> tuple[str, ...]:
    """Presidents see the forecast and conversion of their leads, not the breakdowns by
    adviser or by other cooperatives."""
    return () if is_scoped(user) else DIMENSIONS


def won_lost(session: Session, user, by: str) -> list[tuple[str, int, Decimal, int, Decimal]]:
    """Closed leads by a dimension: (key, won count, won amount, lost count, lost amount).
    By filière or cooperative, a lead counts once for each cooperative it involves."""
    statement = select(
        _dimension(by),
        Stage.kind,
        func.count(distinct(Lead.id)),
        func.coalesce(func.sum(Lead.amount), 0),
    ).join(Stage, Stage.id == Lead.stage_id)
    if by in ("filiere", "cooperative"):
        statement = statement.join(LeadCooperative, LeadCooperative.lead_id == Lead.id).join(
            Cooperative, Cooperative.id == LeadCooperative.cooperative_id
        )
    elif by == "adviser":
        statement = statement.join(User, User.id == Lead.owner_id)
    statement = statement.where(
        Stage.kind.in_(("won", "lost")), Lead.id.in_(visible_lead_ids(user))
    ).group_by(_dimension(by), Stage.kind)
    rows: dict[str, list] = {}
    for key, kind, count, amount in session.execute(statement):
        row = rows.setdefault(key or "", [0, Decimal("0"), 0, Decimal("0")])
        offset = 0 if kind == "won" else 2
        row[offset] += count
        row[offset + 1] += Decimal(amount)
    return [(key, *values) for key, values in sorted(rows.items())]


def _dimension(by: str):
    if by == "filiere":
        return Cooperative.filiere
    if by == "cooperative":
        return Cooperative.code
    if by == "adviser":
        return User.name
    if by == "source":
        return Lead.source
    raise ValueError(by)


def lost_reasons(session: Session, user) -> list[tuple[str, int]]:
    statement = (
        select(Lead.lost_reason, func.count(Lead.id))
        .join(Stage, Stage.id == Lead.stage_id)
        .where(Stage.kind == "lost", Lead.id.in_(visible_lead_ids(user)))
        .group_by(Lead.lost_reason)
        .order_by(func.count(Lead.id).desc(), Lead.lost_reason)
    )
    return [(reason, count) for reason, count in session.execute(statement)]


def forecast_table(session, user) -> Table:
    return Table(
        title=_l("Forecast by month"),
        headers=[_l("Month"), _l("Leads"), _l("Amount (MAD)"), _l("Weighted (MAD)")],
        rows=[list(row) for row in forecast(session, user)],
    )


def conversion_table(session, user) -> Table:
    return Table(
        title=_l("Conversion by stage"),
        headers=[_l("Stage"), _l("Leads that reached it"), _l("Won")],
        rows=[[stage.name, reached, won] for stage, reached, won in conversion(session, user)],
    )


def won_lost_table(session, user, by: str) -> Table:
    return Table(
        title=_l("Won and lost"),
        headers=[by, _l("Won"), _l("Won (MAD)"), _l("Lost"), _l("Lost (MAD)")],
        rows=[list(row) for row in won_lost(session, user, by)],
    )


def lost_reasons_table(session, user) -> Table:
    return Table(
        title=_l("Lost reasons"),
        headers=[_l("Reason"), _l("Leads")],
        rows=[list(row) for row in lost_reasons(session, user)],
    )
