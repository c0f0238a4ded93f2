from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gie.db import Base, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "gie_audit_entry"
    __table_args__ = (Index("ix_gie_audit_entry_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"), index=True)
    #: create, update or delete; or a security event (`gie.audit.services.SECURITY_EVENTS`)
    action: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(60))
    #: empty for a security event about an email or an address that names no account
    record_id: Mapped[int | None]
    record_label: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
