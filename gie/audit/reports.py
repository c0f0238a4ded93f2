"""Read side of the audit log."""

from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from gie.audit.models import AuditEntry


def search_entries(
    session: Session, *, user_id=None, record_type=None, date_from=None, date_to=None, limit=200
) -> list[AuditEntry]:
    """The newest audit entries first, filtered by user, record type and dates (inclusive)."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if user_id:
        stmt = stmt.where(AuditEntry.user_id == user_id)
    if record_type:
        stmt = stmt.where(AuditEntry.record_type == record_type)
    if date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(date_from, datetime.min.time(), UTC))
    if date_to:
        stmt = stmt.where(
            AuditEntry.at
            < datetime.combine(date_to + relativedelta(days=1), datetime.min.time(), UTC)
        )
    return list(session.scalars(stmt.limit(limit)))


def record_types(session: Session) -> list[str]:
    return list(
        session.scalars(select(AuditEntry.record_type).distinct().order_by(AuditEntry.record_type))
    )
