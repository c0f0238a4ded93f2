"""Batch work over the books: post every draft of a ledger, lock a period for several ledgers.

Each item runs in its own savepoint, so one refusal leaves that item as it was, with its
reasons, while the others go through.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting import services as accounting
from accounting.models import Entry, Ledger
from gie.errors import DomainError, NotFound


@dataclass
class Failure:
    """An entry or a ledger the batch left as it was, and why."""

    record: Entry | Ledger
    reasons: list[str]


@dataclass
class BatchResult:
    #: the posted entries, or the locked ledgers
    done: list = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def _reasons(error: DomainError) -> list[str]:
    return list(error.field_errors.get("entry", [error.message]))


def _ledger(session: Session, ledger_id: int, actor) -> Ledger:
    """The ledger, scoped to what the actor may see; commands (no actor) see every ledger."""
    if actor is not None:
        return accounting.get_ledger(session, ledger_id, actor=actor)
    ledger = session.get(Ledger, ledger_id)
    if ledger is None:
        raise NotFound(_l("This page does not exist."))
    return ledger


def drafts_in_posting_order(session: Session, ledger_id: int) -> list[Entry]:
    return list(
        session.scalars(
            select(Entry)
            .where(Entry.ledger_id == ledger_id, Entry.state == "draft")
            .order_by(Entry.date, Entry.id)
        )
    )


def post_all_drafts(
    session: Session, ledger_id: int, *, actor=None, progress: Callable[[], None] | None = None
) -> BatchResult:
    """Post each draft of the ledger in date order; a refused draft (unbalanced, closed year,
    lock date...) stays a draft and is listed with its reasons. `progress` is called after
    each draft. Raises NotFound when the actor may not see the ledger (no actor: a command,
    which sees every ledger)."""
    _ledger(session, ledger_id, actor)
    result = BatchResult()
    for draft in drafts_in_posting_order(session, ledger_id):
        try:
            with session.begin_nested():
                result.done.append(accounting.post_entry(session, draft.id, actor=actor))
        except DomainError as error:
            result.failures.append(Failure(draft, _reasons(error)))
        if progress:
            progress()
    return result


def _lock_refusals(session: Session, ledger: Ledger, lock_date: date) -> list[str]:
    reasons = []
    if ledger.lock_date and lock_date < ledger.lock_date:
        reasons.append(
            _l(
                "The books are already locked up to %(date)s: move the lock date back on the"
                " ledger's page.",
                date=ledger.lock_date.isoformat(),
            )
        )
    earlier_drafts = session.scalar(
        select(func.count())
        .select_from(Entry)
        .where(Entry.ledger_id == ledger.id, Entry.state == "draft", Entry.date <= lock_date)
    )
    if earlier_drafts:
        reasons.append(
            _l(
                "Drafts dated on or before %(date)s are waiting: %(count)s. Post or delete"
                " them first.",
                date=lock_date.isoformat(),
                count=earlier_drafts,
            )
        )
    return reasons


def lock_period(
    session: Session,
    ledger_ids: Iterable[int],
    lock_date: date,
    *,
    actor=None,
    progress: Callable[[], None] | None = None,
) -> BatchResult:
    """Set the lock date of several ledgers. A ledger is refused, with its reasons, when it
    still has drafts dated on or before the lock date or when the date would move its lock
    date backwards (that is done one ledger at a time, on its page). `progress` is called
    after each ledger. Raises NotFound when the actor may not see one of the ledgers."""
    ledgers = [_ledger(session, ledger_id, actor) for ledger_id in ledger_ids]
    result = BatchResult()
    for ledger in ledgers:
        with session.begin_nested():
            # The ledger's row lock: no draft gets posted under the new lock date meanwhile.
            accounting.lock_ledger(session, ledger.id)
            reasons = _lock_refusals(session, ledger, lock_date)
            if not reasons:
                result.done.append(accounting.set_lock_date(session, ledger.id, lock_date))
        if reasons:
            result.failures.append(Failure(ledger, reasons))
        if progress:
            progress()
    return result
