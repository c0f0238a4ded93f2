"""The regional programme's actors (PRESS, MESS, ORESS, NORESS, the GIE and their partners),
the relations between them, and the NORESS consortium projects with the member cooperatives
taking part. Read-only: the records change only when `programme.services.load_actors` loads the
shipped data file, and a flush guard refuses every other write."""

from contextvars import ContextVar
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from gie.db import Base
from gie.errors import DomainError

ACTOR_KINDS = (
    "regional_council",
    "programme",
    "ess_house",
    "observatory",
    "platform",
    "collective_enterprise",
    "chamber",
    "ngo",
)
RELATION_KINDS = (
    "co_runs",
    "axis_of",
    "supports",
    "trained",
    "partner_of",
    "member_of",
    "feeds_data",
)
#: how precisely an actor's start is known: a year, a month or a day
PRECISIONS = ("year", "month", "day")
PROJECT_ROLES = ("lead", "member")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


# The tables keep the package's former name (press_*): renaming them is not worth a migration.
class Actor(Base):
    __tablename__ = "press_actor"
    __table_args__ = (
        CheckConstraint(_in("kind", ACTOR_KINDS), name="kind"),
        CheckConstraint(_in("started_precision", PRECISIONS), name="started_precision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  #: stable key of the data file
    position: Mapped[int] = mapped_column(Integer, default=0)  #: order in the data file
    kind: Mapped[str] = mapped_column(String(24))
    country: Mapped[str] = mapped_column(String(2), default="MA")  #: ISO 3166-1
    name: Mapped[str] = mapped_column(String(200))  #: French name
    name_ar: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(40), default="")  #: MESS, ORESS...
    description: Mapped[str] = mapped_column(Text)
    description_ar: Mapped[str] = mapped_column(Text)
    #: when the actor started, to the precision of `started_precision` (1 January of the
    #: year, 1st of the month)
    started_on: Mapped[date | None] = mapped_column(Date)
    started_precision: Mapped[str] = mapped_column(String(5), default="year")

    outgoing: Mapped[list["ActorRelation"]] = relationship(
        foreign_keys="ActorRelation.source_id",
        back_populates="source",
        cascade="all, delete-orphan",
        order_by="ActorRelation.position",
    )
    incoming: Mapped[list["ActorRelation"]] = relationship(
        foreign_keys="ActorRelation.target_id",
        back_populates="target",
        cascade="all, delete-orphan",
        order_by="ActorRelation.position",
    )

    def __str__(self) -> str:
        return self.name


class ActorRelation(Base):
    """`source` <kind> `target`, e.g. MESS axis_of PRESS."""

    __tablename__ = "press_actor_relation"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "kind"),
        CheckConstraint(_in("kind", RELATION_KINDS), name="kind"),
        CheckConstraint("source_id <> target_id", name="distinct_actors"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("press_actor.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("press_actor.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    note_ar: Mapped[str] = mapped_column(Text, default="")

    source: Mapped[Actor] = relationship(foreign_keys=[source_id], back_populates="outgoing")
    target: Mapped[Actor] = relationship(foreign_keys=[target_id], back_populates="incoming")


class Project(Base):
    """A project carried by a consortium of cooperatives and funded by a platform (NORESS)."""

    __tablename__ = "press_project"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: the actor that funds it (the NORESS platform)
    funder_id: Mapped[int] = mapped_column(ForeignKey("press_actor.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    description_ar: Mapped[str] = mapped_column(Text)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    #: invented for the demonstration, shown as such on every page
    demo: Mapped[bool] = mapped_column(Boolean, default=False)

    funder: Mapped[Actor] = relationship()
    cooperatives: Mapped[list["ProjectCooperative"]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        order_by="ProjectCooperative.position",
    )

    def __str__(self) -> str:
        return self.name


class ProjectCooperative(Base):
    """A member cooperative taking part in a project; the code is the one the file gave."""

    __tablename__ = "press_project_cooperative"
    __table_args__ = (
        UniqueConstraint("project_id", "cooperative_id"),
        CheckConstraint(_in("role", PROJECT_ROLES), name="role"),
    )
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("press_project.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    cooperative_code: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(6), default="member")
    position: Mapped[int] = mapped_column(Integer, default=0)

    project: Mapped[Project] = relationship(back_populates="cooperatives")
    cooperative = relationship("Cooperative")


PROGRAMME_MODELS = (Actor, ActorRelation, Project, ProjectCooperative)

#: on only while `programme.services.load_actors` runs: the one path allowed to write
loading: ContextVar[bool] = ContextVar("programme_loading", default=False)


class ProgrammeReadOnly(DomainError):
    """Something other than the loader tried to change the programme's actors or projects."""

    status_code = 403


def _refused() -> ProgrammeReadOnly:
    return ProgrammeReadOnly(
        _l("Programme actors and projects are read-only: load the actors file to change them.")
    )


@event.listens_for(Session, "before_flush")
def _guard_programme_records(session, _flush_context, _instances):
    """Whatever the code path (views, scripts, a shell), only the loader writes programme
    records: the check runs on every flush, not only where a page could offer an edit."""
    if loading.get():
        return
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, PROGRAMME_MODELS):
            raise _refused()
    for obj in session.dirty:
        if isinstance(obj, PROGRAMME_MODELS) and session.is_modified(obj):
            raise _refused()


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    """Bulk UPDATE/DELETE through the ORM would skip the flush guard."""
    if loading.get() or not (state.is_update or state.is_delete):
        return
    if any(mapper.class_ in PROGRAMME_MODELS for mapper in state.all_mappers):
        raise _refused()
