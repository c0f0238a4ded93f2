"""Reading the programme records back in tests."""

from sqlalchemy import func, select

from programme.models import Actor, ActorRelation, Project, ProjectCooperative


def snapshot(session) -> dict:
    """Every programme record as comparable rows: ids, keys and the columns that matter."""
    return {
        "actors": session.execute(
            select(Actor.id, Actor.key, Actor.kind, Actor.name).order_by(Actor.id)
        ).all(),
        "relations": session.execute(
            select(
                ActorRelation.id,
                ActorRelation.source_id,
                ActorRelation.target_id,
                ActorRelation.kind,
            ).order_by(ActorRelation.id)
        ).all(),
        "projects": session.execute(
            select(Project.id, Project.key, Project.funder_id, Project.name).order_by(Project.id)
        ).all(),
        "members": session.execute(
            select(
                ProjectCooperative.id,
                ProjectCooperative.project_id,
                ProjectCooperative.cooperative_id,
                ProjectCooperative.cooperative_code,
                ProjectCooperative.role,
            ).order_by(ProjectCooperative.id)
        ).all(),
    }


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def actor_id(session, key: str) -> int:
    return session.scalar(select(Actor.id).where(Actor.key == key))


def project_id(session, key: str) -> int:
    return session.scalar(select(Project.id).where(Project.key == key))
