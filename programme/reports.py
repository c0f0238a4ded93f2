"""Read side of the programme's pages: the directory, an actor with its relations both ways,
a project with its cooperatives (scoped for presidents), a cooperative's projects."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from gie.security import scope
from programme.models import ACTOR_KINDS, Actor, ActorRelation, Project, ProjectCooperative


def directory(session: Session) -> list[tuple[str, list[Actor]]]:
    """The actors grouped by kind, kinds in their fixed order, actors in the file's order."""
    actors = session.scalars(select(Actor).order_by(Actor.position, Actor.id)).all()
    groups = {kind: [] for kind in ACTOR_KINDS}
    for actor in actors:
        groups[actor.kind].append(actor)
    return [(kind, members) for kind, members in groups.items() if members]


def projects(session: Session) -> list[tuple[Project, int]]:
    """Every project in the file's order, with how many cooperatives take part."""
    counts = (
        select(ProjectCooperative.project_id, func.count(ProjectCooperative.id).label("count"))
        .group_by(ProjectCooperative.project_id)
        .subquery()
    )
    rows = session.execute(
        select(Project, func.coalesce(counts.c.count, 0))
        .outerjoin(counts, counts.c.project_id == Project.id)
        .order_by(Project.position, Project.id)
    ).all()
    return [(project, int(count)) for project, count in rows]


def actor(session: Session, actor_id: int) -> Actor | None:
    """An actor with both directions of its relations and the actors at their other end."""
    return session.scalar(
        select(Actor)
        .where(Actor.id == actor_id)
        .options(
            selectinload(Actor.outgoing).selectinload(ActorRelation.target),
            selectinload(Actor.incoming).selectinload(ActorRelation.source),
        )
    )


def funded_projects(session: Session, actor_id: int) -> list[Project]:
    return session.scalars(
        select(Project).where(Project.funder_id == actor_id).order_by(Project.position)
    ).all()


@dataclass(frozen=True)
class Members:
    shown: list[ProjectCooperative]  #: the places `user` may see, with their cooperative
    others: int  #: the places hidden from `user` (a president sees only their own)


def project_members(session: Session, project_id: int, user) -> Members:
    statement = select(ProjectCooperative).where(ProjectCooperative.project_id == project_id)
    shown = session.scalars(
        scope(statement, ProjectCooperative, user)
        .options(selectinload(ProjectCooperative.cooperative))
        .order_by(ProjectCooperative.position, ProjectCooperative.id)
    ).all()
    total = session.scalar(
        select(func.count(ProjectCooperative.id)).where(ProjectCooperative.project_id == project_id)
    )
    return Members(shown=list(shown), others=int(total) - len(shown))


def cooperative_projects(session: Session, cooperative_id: int) -> list[ProjectCooperative]:
    """The projects a cooperative takes part in, as its places (project and role)."""
    return session.scalars(
        select(ProjectCooperative)
        .join(Project, Project.id == ProjectCooperative.project_id)
        .where(ProjectCooperative.cooperative_id == cooperative_id)
        .options(selectinload(ProjectCooperative.project).selectinload(Project.funder))
        .order_by(Project.position, Project.id)
    ).all()


def project(session: Session, project_id: int) -> Project | None:
    return session.get(Project, project_id)
