"""The programme's records change only through the loader: any other write is refused at
flush time, whatever the code path."""

import pytest
from sqlalchemy import delete, update

from programme.models import Actor, ActorRelation, ProgrammeReadOnly, Project, ProjectCooperative
from tests.programme.records import actor_id, project_id, snapshot


def _refused(session, before):
    with pytest.raises(ProgrammeReadOnly) as refused:
        session.flush()
    assert "read-only" in str(refused.value.message)
    session.rollback()
    assert snapshot(session) == before


def test_creating_an_actor_is_refused(session, shipped):
    before = snapshot(session)
    session.add(
        Actor(
            key="intruder",
            kind="ngo",
            name="Intrus",
            name_ar="دخيل",
            description="",
            description_ar="",
        )
    )
    _refused(session, before)


def test_editing_an_actor_is_refused(session, shipped):
    before = snapshot(session)
    session.get(Actor, actor_id(session, "mess")).name = "Maison renommée"
    _refused(session, before)


def test_deleting_an_actor_is_refused(session, shipped):
    before = snapshot(session)
    session.delete(session.get(Actor, actor_id(session, "asf")))
    _refused(session, before)


def test_changing_a_project_or_its_cooperatives_is_refused(session, shipped):
    before = snapshot(session)
    project = session.get(Project, project_id(session, "demo-vitrine-artisanat"))
    session.delete(project.cooperatives[0])
    _refused(session, before)
    project = session.get(Project, project_id(session, "demo-vitrine-artisanat"))
    project.ended_on = project.started_on
    _refused(session, before)


@pytest.mark.parametrize("model", [Actor, ActorRelation, Project, ProjectCooperative])
def test_bulk_changes_are_refused(session, shipped, model):
    before = snapshot(session)
    with pytest.raises(ProgrammeReadOnly):
        session.execute(update(model).values(position=0))
    session.rollback()
    with pytest.raises(ProgrammeReadOnly):
        session.execute(delete(model))
    session.rollback()
    assert snapshot(session) == before
