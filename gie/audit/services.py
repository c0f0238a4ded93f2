"""Writes an audit entry next to every change of an audited record, inside the same flush.

A model opts in with `__audited__ = True`, may hide columns in `__audit_exclude__`, and may
name in `__audit_events__` hidden columns whose change is itself worth a row (a new password:
that it changed, never the hash). A record is named by its `audit_label`, else by `str()`.
The actor comes from a context variable set once per request or command, so services
need not pass it down to every helper.

Security events (logins, refusals, locks, logouts) change no audited record: they are written
by `record_security_event`, in the same transaction as the work they describe.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from types import SimpleNamespace

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from gie.audit.models import AuditEntry
from gie.db import utcnow

#: the actions of security events; the audit page shows each under a readable label
SECURITY_EVENTS = ("login", "login_failed", "lockout", "logout", "unlock")

current_actor_id: ContextVar[int | None] = ContextVar("current_actor_id", default=None)


@contextmanager
def acting_as(user_id: int | None):
    token = current_actor_id.set(user_id)
    try:
        yield
    finally:
        current_actor_id.reset(token)


def actor_id_of(actor) -> int | None:
    """Whoever acts: the user a service was given, else the request's user (None in a command)."""
    return actor.id if actor is not None else current_actor_id.get()


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _audited_columns(obj) -> list[str]:
    excluded = getattr(obj, "__audit_exclude__", set())
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in excluded]


def label_of(obj) -> str:
    return obj.audit_label if hasattr(obj, "audit_label") else str(obj)


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for key, event_name in getattr(obj, "__audit_events__", {}).items():
        if state.attrs[key].history.has_changes():
            after[event_name] = "changed"
    for key in _audited_columns(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old != new:
            before[key] = _plain(old)
            after[key] = _plain(new)
    return before, after


def _snapshot(obj) -> dict:
    return {key: _plain(getattr(obj, key)) for key in _audited_columns(obj)}


def _row(obj, action: str, before, after) -> dict:
    return {
        "at": utcnow(),
        "user_id": current_actor_id.get(),
        "action": action,
        "record_type": type(obj).__name__,
        "record_id": obj.id,
        "record_label": label_of(obj)[:200],
        "before": before,
        "after": after,
    }


@event.listens_for(Session, "before_flush")
def _collect(session, _flush_context, _instances):
    """Updates and deletes are read before the flush, while history is still there."""
    pending = session.info.setdefault("audit_rows", [])
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj):
            before, after = _changes(obj)
            if after:
                pending.append(_row(obj, "update", before, after))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            pending.append(_row(obj, "delete", _snapshot(obj), None))
    session.info["audit_new"] = [o for o in session.new if getattr(o, "__audited__", False)]


@event.listens_for(Session, "after_flush")
def _write(session, _flush_context):
    """Creations are written after the flush, once their ids exist."""
    rows = session.info.pop("audit_rows", [])
    rows += [_row(obj, "create", None, _snapshot(obj)) for obj in session.info.pop("audit_new", [])]
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def record_security_event(
    session: Session,
    action: str,
    *,
    label: str,
    details: dict,
    record_type: str = "User",
    record_id: int | None = None,
    actor_id: int | None = None,
) -> None:
    """Write a security event. `details` says what was typed and from where (email, address),
    never a password. The actor is the request's user unless one is named: a login names
    the user it lets in, before the request knows them."""
    assert action in SECURITY_EVENTS, action
    session.execute(
        insert(AuditEntry).values(
            at=utcnow(),
            user_id=actor_id if actor_id is not None else current_actor_id.get(),
            action=action,
            record_type=record_type,
            record_id=record_id,
            record_label=label[:200],
            before=None,
            after=details,
        )
    )


def record_bulk_creations(session, model, created: list[tuple[int, dict]]) -> None:
    """One audit row per record inserted by a Core executemany (an entries import), which the
    flush listeners never see; `created` pairs each new id with the values inserted."""
    at, user_id = utcnow(), current_actor_id.get()
    label = model.audit_label.fget
    excluded = getattr(model, "__audit_exclude__", set())
    rows = [
        {
            "at": at,
            "user_id": user_id,
            "action": "create",
            "record_type": model.__name__,
            "record_id": record_id,
            "record_label": label(SimpleNamespace(id=record_id, **values))[:200],
            "before": None,
            "after": {key: _plain(value) for key, value in values.items() if key not in excluded},
        }
        for record_id, values in created
    ]
    if rows:
        session.execute(insert(AuditEntry), rows)
