"""What the audit trail tests ask of every write: a row naming the record readably."""

from sqlalchemy import select

from gie.audit.models import AuditEntry


def audit_row(session, record, action: str) -> AuditEntry:
    """The latest audit row of `action` on `record`, whose label is no Python repr."""
    row = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.record_type == type(record).__name__,
            AuditEntry.record_id == record.id,
            AuditEntry.action == action,
        )
        .order_by(AuditEntry.id.desc())
    ).first()
    assert row is not None, f"no {action} audit row for {type(record).__name__} {record.id}"
    assert "object at 0x" not in row.record_label
    return row
