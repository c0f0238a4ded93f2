"""The sales advisers' pipeline: stages, leads and the one way they change stage, activities."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from commercial.models import (
    ACTIVITY_KINDS,
    SOURCES,
    STAGE_KINDS,
    Activity,
    Buyer,
    Contact,
    Lead,
    LeadCooperative,
    LeadEvent,
    LeadProduct,
    Product,
    Stage,
    weighted_amount,
)
from commercial.services.ownership import check_edit
from gie.cooperatives.models import Cooperative
from gie.db import utcnow
from gie.errors import NotFound, ValidationError
from gie.money import ZERO
from gie.security import is_scoped, scope

#: French name, Arabic name, default probability, kind
DEFAULT_STAGES = (
    ("Nouveau", "جديد", 10, "open"),
    ("Qualifié", "مؤهل", 25, "open"),
    ("Échantillon envoyé", "عينة مرسلة", 40, "open"),
    ("Négociation", "تفاوض", 60, "open"),
    ("Gagné", "مربوح", 100, "won"),
    ("Perdu", "ضائع", 0, "lost"),
)


def ensure_default_stages(session: Session) -> list[Stage]:
    """Create the default stages when there is none yet; returns the active stages."""
    if not session.scalar(select(func.count(Stage.id))):
        for position, (name, name_ar, probability, kind) in enumerate(DEFAULT_STAGES, 1):
            session.add(
                Stage(
                    name=name,
                    name_ar=name_ar,
                    position=position,
                    probability=probability,
                    kind=kind,
                )
            )
        session.flush()
    return list_stages(session)


def list_stages(session: Session, *, include_inactive: bool = False) -> list[Stage]:
    statement = select(Stage).order_by(Stage.position, Stage.id)
    if not include_inactive:
        statement = statement.where(Stage.active.is_(True))
    return list(session.scalars(statement))


def get_stage(session: Session, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound(_l("This page does not exist."))
    return stage


def save_stage(session: Session, data: dict, stage_id: int | None = None) -> Stage:
    """Add or change a stage (name, Arabic name, kind, default probability, active)."""
    errors: dict[str, list] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_l("A name is required.")]
    kind = data.get("kind") or "open"
    if kind not in STAGE_KINDS:
        errors["kind"] = [_l("Unknown kind.")]
    probability = data.get("probability")
    if probability is None or not 0 <= int(probability) <= 100:
        errors["probability"] = [_l("A percentage between 0 and 100.")]
    if errors:
        raise ValidationError(_l("The stage was not saved."), field_errors=errors)
    if stage_id is None:
        last = session.scalar(select(func.max(Stage.position))) or 0
        stage = Stage(position=last + 1)
        session.add(stage)
    else:
        stage = get_stage(session, stage_id)
    stage.name = name
    stage.name_ar = (data.get("name_ar") or "").strip()
    stage.kind = kind
    stage.probability = int(probability)
    stage.active = bool(data.get("active", True))
    session.flush()
    return stage


def shift_stage(session: Session, stage_id: int, offset: int) -> None:
    """Move a stage one place earlier (offset -1) or later (+1) on the board."""
    ordered = list_stages(session, include_inactive=True)
    index = next((i for i, s in enumerate(ordered) if s.id == stage_id), None)
    if index is None:
        raise NotFound(_l("This page does not exist."))
    other = index + offset
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, stage in enumerate(ordered, 1):
        stage.position = position
    session.flush()


def scope_leads(statement, user):
    """Leads a user may see: all for staff; for a president, only the leads that involve
    their cooperative (EXISTS on LeadCooperative, scoped by the one scoping helper)."""
    if not is_scoped(user):
        return statement
    involved = scope(
        select(LeadCooperative.id).where(LeadCooperative.lead_id == Lead.id),
        LeadCooperative,
        user,
    )
    return statement.where(exists(involved))


def get_lead(session: Session, lead_id: int, user) -> Lead:
    lead = session.scalar(scope_leads(select(Lead).where(Lead.id == lead_id), user))
    if lead is None:
        raise NotFound(_l("This page does not exist."))
    return lead


def _check_edit(user, lead: Lead) -> None:
    check_edit(user, lead, _l("Only the lead's adviser or an admin may change it."))


def _lead_errors(session: Session, data: dict) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_l("A title is required.")]
    if not data.get("buyer_id") or session.get(Buyer, data["buyer_id"]) is None:
        errors["buyer_id"] = [_l("Choose a buyer.")]
    contact_id = data.get("contact_id")
    if contact_id:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.buyer_id != data.get("buyer_id"):
            errors["contact_id"] = [_l("This contact does not belong to the buyer.")]
    amount = data.get("amount")
    if amount is None or amount < 0:
        errors["amount"] = [_l("An amount of zero or more is required.")]
    probability = data.get("probability")
    if probability is not None and not 0 <= int(probability) <= 100:
        errors["probability"] = [_l("A percentage between 0 and 100.")]
    if (data.get("source") or "other") not in SOURCES:
        errors["source"] = [_l("Unknown source.")]
    if not data.get("owner_id"):
        errors["owner_id"] = [_l("Choose the adviser.")]
    return errors


def save_lead(session: Session, data: dict, *, actor, lead_id: int | None = None) -> Lead:
    """Create or edit a lead. A stage change on edit goes through `move_lead`."""
    errors = _lead_errors(session, data)
    stage_id = data.get("stage_id")
    stage = session.get(Stage, stage_id) if stage_id else None
    if lead_id is None and stage is None:
        stage = ensure_default_stages(session)[0]
    if errors:
        raise ValidationError(_l("The lead was not saved."), field_errors=errors)
    if lead_id is None:
        lead = Lead(stage_id=stage.id, owner_id=data["owner_id"])
        if actor is not None and actor.role == "sales_adviser":
            lead.owner_id = actor.id
        session.add(lead)
    else:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise NotFound(_l("This page does not exist."))
        _check_edit(actor, lead)
        if actor is None or actor.role == "admin":
            lead.owner_id = data["owner_id"]
    lead.title = data["title"].strip()
    lead.buyer_id = data["buyer_id"]
    lead.contact_id = data.get("contact_id") or None
    lead.amount = data["amount"]
    lead.source = data.get("source") or "other"
    lead.expected_close_on = data.get("expected_close_on")
    lead.notes = data.get("notes") or ""
    probability = data.get("probability")
    lead.probability = int(probability) if probability is not None else stage.probability
    _set_cooperatives(session, lead, data.get("cooperative_ids") or [], data.get("product_ids"))
    session.flush()
    if lead_id is None:
        session.add(LeadEvent(lead_id=lead.id, user_id=_actor_id(actor), to_stage_id=stage.id))
        session.flush()
    elif stage is not None and stage.id != lead.stage_id:
        move_lead(session, lead.id, stage.id, actor=actor, lost_reason=data.get("lost_reason", ""))
    return lead


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


def _set_cooperatives(session, lead: Lead, cooperative_ids, product_ids) -> None:
    wanted = {int(i) for i in cooperative_ids}
    products = []
    if product_ids:
        products = list(
            session.scalars(select(Product).where(Product.id.in_([int(i) for i in product_ids])))
        )
        wanted |= {p.cooperative_id for p in products}
    lead.cooperatives = [lc for lc in lead.cooperatives if lc.cooperative_id in wanted]
    have = {lc.cooperative_id for lc in lead.cooperatives}
    for cooperative_id in sorted(wanted - have):
        lead.cooperatives.append(LeadCooperative(cooperative_id=cooperative_id))
    if product_ids is not None:
        chosen = {p.id for p in products}
        lead.products = [lp for lp in lead.products if lp.product_id in chosen]
        have_products = {lp.product_id for lp in lead.products}
        for product_id in sorted(chosen - have_products):
            lead.products.append(LeadProduct(product_id=product_id))


def move_lead(
    session: Session, lead_id: int, stage_id: int, *, actor, lost_reason: str = ""
) -> Lead:
    """The one way a lead changes stage: appends a LeadEvent to its timeline, takes the
    stage's probability, sets closed_on for won and lost; lost needs a reason."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(_l("This page does not exist."))
    _check_edit(actor, lead)
    stage = session.get(Stage, stage_id) if stage_id else None
    if stage is None or not stage.active:
        raise ValidationError(
            _l("Choose a stage."), field_errors={"stage_id": [_l("Choose a stage.")]}
        )
    reason = (lost_reason or "").strip()
    if stage.kind == "lost" and not reason:
        message = _l("Say why the lead was lost.")
        raise ValidationError(message, field_errors={"lost_reason": [message]})
    if stage.id == lead.stage_id:
        return lead
    session.add(
        LeadEvent(
            lead_id=lead.id,
            user_id=_actor_id(actor),
            from_stage_id=lead.stage_id,
            to_stage_id=stage.id,
            note=reason[:300] if stage.kind == "lost" else "",
        )
    )
    lead.stage_id = stage.id
    lead.stage = stage
    lead.probability = stage.probability
    lead.closed_on = date.today() if stage.kind in ("won", "lost") else None
    lead.lost_reason = reason[:200] if stage.kind == "lost" else ""
    session.flush()
    return lead


def board(session: Session, user, filters: dict | None = None) -> list[dict]:
    """One column per active stage: its leads, their total and weighted total."""
    filters = filters or {}
    statement = scope_leads(select(Lead), user).order_by(Lead.expected_close_on, Lead.id)
    if filters.get("owner_id"):
        statement = statement.where(Lead.owner_id == filters["owner_id"])
    if filters.get("source"):
        statement = statement.where(Lead.source == filters["source"])
    if filters.get("cooperative_id"):
        statement = statement.where(
            exists().where(
                LeadCooperative.lead_id == Lead.id,
                LeadCooperative.cooperative_id == filters["cooperative_id"],
            )
        )
    if filters.get("filiere"):
        statement = statement.where(
            exists().where(
                LeadCooperative.lead_id == Lead.id,
                LeadCooperative.cooperative_id == Cooperative.id,
                Cooperative.filiere == filters["filiere"],
            )
        )
    by_stage: dict[int, list[Lead]] = {}
    for lead in session.scalars(statement):
        by_stage.setdefault(lead.stage_id, []).append(lead)
    columns = []
    for stage in list_stages(session):
        leads = by_stage.get(stage.id, [])
        total = sum((lead.amount for lead in leads), ZERO)
        weighted = sum((weighted_amount(lead.amount, lead.probability) for lead in leads), ZERO)
        columns.append({"stage": stage, "leads": leads, "total": total, "weighted": weighted})
    return columns


def save_activity(
    session: Session, data: dict, *, actor, lead_id: int, activity_id: int | None = None
) -> Activity:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(_l("This page does not exist."))
    _check_edit(actor, lead)
    errors: dict[str, list] = {}
    if data.get("kind") not in ACTIVITY_KINDS:
        errors["kind"] = [_l("Choose a kind.")]
    if not (data.get("subject") or "").strip():
        errors["subject"] = [_l("A subject is required.")]
    if not data.get("due_on"):
        errors["due_on"] = [_l("A due date is required.")]
    if errors:
        raise ValidationError(_l("The activity was not saved."), field_errors=errors)
    if activity_id is None:
        activity = Activity(lead_id=lead.id, owner_id=_actor_id(actor) or lead.owner_id)
        session.add(activity)
    else:
        activity = session.get(Activity, activity_id)
        if activity is None or activity.lead_id != lead.id:
            raise NotFound(_l("This page does not exist."))
    activity.kind = data["kind"]
    activity.subject = data["subject"].strip()
    activity.due_on = data["due_on"]
    activity.outcome = data.get("outcome") or ""
    if data.get("done") and activity.done_at is None:
        activity.done_at = utcnow()
    elif not data.get("done", activity.done_at is not None):
        activity.done_at = None
    session.flush()
    return activity


def complete_activity(session: Session, activity_id: int, *, actor, outcome: str = "") -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(_l("This page does not exist."))
    _check_edit(actor, activity.lead)
    activity.done_at = activity.done_at or utcnow()
    if outcome.strip():
        activity.outcome = outcome.strip()
    session.flush()
    return activity


def my_activities(session: Session, user, today: date | None = None) -> dict[str, list]:
    """The user's open activities: overdue first, then today, then later."""
    today = today or date.today()
    groups: dict[str, list] = {"overdue": [], "today": [], "later": []}
    statement = (
        select(Activity)
        .where(Activity.owner_id == user.id, Activity.done_at.is_(None))
        .order_by(Activity.due_on, Activity.id)
    )
    for activity in session.scalars(statement):
        if activity.due_on < today:
            groups["overdue"].append(activity)
        elif activity.due_on == today:
            groups["today"].append(activity)
        else:
            groups["later"].append(activity)
    return groups


def timeline(session: Session, lead_id: int) -> list[dict]:
    """Stage changes and activities of a lead, newest first."""
    items = []
    stages = {s.id: s for s in list_stages(session, include_inactive=True)}
    for event in session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead_id)):
        items.append(
            {
                "kind": "stage",
                "at": event.at,
                "event": event,
                "from_stage": stages.get(event.from_stage_id),
                "to_stage": stages.get(event.to_stage_id),
            }
        )
    for activity in session.scalars(select(Activity).where(Activity.lead_id == lead_id)):
        moment = activity.done_at or datetime.combine(activity.due_on, datetime.min.time())
        if moment.tzinfo is None and items and items[0]["at"].tzinfo is not None:
            moment = moment.replace(tzinfo=items[0]["at"].tzinfo)
        items.append({"kind": "activity", "at": moment, "activity": activity})
    items.sort(key=lambda item: (item["at"].replace(tzinfo=None), item["kind"]), reverse=True)
    return items
