import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gie.db import Base, UTCDateTime, utcnow

LOCALES = ("fr", "ar", "en")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Base):
    __tablename__ = "gie_user"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'accountant', 'sales_adviser', 'training_coordinator', 'president')",
            name="role",
        ),
        CheckConstraint(
            "(role = 'president') = (cooperative_id IS NOT NULL)", name="president_coop"
        ),
    )
    __audited__ = True
    __audit_exclude__ = {
        "password_hash",
        "session_token",
        "last_login_at",
    }
    __audit_events__ = {"password_hash": "password"}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  #: stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    #: the cooperative a president belongs to; empty for every other role
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: what the session cookie names the user by (Flask-Login's alternative id): a new one
    #: ends every session opened with the old one (`gie.users.services.end_sessions`)
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)

    cooperative = relationship("Cooperative", lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the token, never the id, so that a cookie
        outlives neither a logout, a new password nor a change of role."""
        return self.session_token

    @property
    def audit_label(self) -> str:
        return f"User {self.email}"

    def __str__(self) -> str:
        return self.email


class LoginFailure(Base):
    """A refused login, kept while it can still count towards a lock
    (`gie.users.services.authenticate`): every worker reads the same failures."""

    __tablename__ = "gie_login_failure"
    __table_args__ = (
        Index("ix_gie_login_failure_address_at", "address", "at"),
        Index("ix_gie_login_failure_user_address", "user_id", "address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the client's address, as the trusted proxies report it (IPv6 at most 45 characters)
    address: Mapped[str] = mapped_column(String(45))
    #: the email as typed, for the administrator reading the locks; never the password
    email: Mapped[str] = mapped_column(String(254))
    #: the account the email names, empty when it names none
    user_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id", ondelete="CASCADE"))
