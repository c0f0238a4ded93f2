"""Users: creation, edition, deactivation, passwords and login throttling."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gie.cooperatives.models import Cooperative
from gie.db import utcnow
from gie.errors import DomainError, NotFound, ValidationError
from gie.security import ROLES
from gie.users.models import LOCALES, User, new_session_token

MIN_PASSWORD_LENGTH = 12
#: passwords refused however long they are, shipped with the application (never fetched)
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
#: werkzeug's method for new password hashes; the test suite swaps in a cheap one, since
#: scrypt spends a large share of a test's time (tests about logging in keep scrypt)
PASSWORD_METHOD = "scrypt"


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a login: the user let in, or the reason shown on the login page."""

    user: User | None = None
    refusal: str = ""
    locked_until: datetime | None = None


def _hash(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-case, read once."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _check_password_strength(password: str) -> None:
    """At least MIN_PASSWORD_LENGTH characters, and not a common password in any case."""
    if len(password) < MIN_PASSWORD_LENGTH:
        message = _l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    elif password.strip().lower() in common_passwords():
        message = _l("This password is among the most common ones: choose another.")
    else:
        return
    raise ValidationError(message, field_errors={"password": [message]})


def _check_fields(
    session: Session,
    *,
    email: str,
    role: str,
    cooperative_id: int | None,
    user_id: int | None = None,
) -> None:
    errors: dict[str, list] = {}
    if role not in ROLES:
        errors["role"] = [_l("Choose a role.")]
    if role == "president" and not cooperative_id:
        errors["cooperative_id"] = [_l("A president belongs to one cooperative.")]
    if cooperative_id and session.get(Cooperative, cooperative_id) is None:
        errors["cooperative_id"] = [_l("Unknown cooperative.")]
    taken = session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
    if taken and taken != user_id:
        errors["email"] = [_l("Another account already uses this email.")]
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    cooperative_id: int | None = None,
    locale: str = "fr",
) -> User:
    """Create an account. Raises ValidationError."""
    email = email.strip().lower()
    _check_fields(session, email=email, role=role, cooperative_id=cooperative_id)
    _check_password_strength(password)
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        cooperative_id=cooperative_id if role == "president" else None,
        password_hash=_hash(password),
        locale=locale if locale in LOCALES else "fr",
    )
    session.add(user)
    session.flush()
    return user


def end_sessions(session: Session, user: User) -> None:
    """Log the user out everywhere: every session cookie names the user by the old token."""
    user.session_token = new_session_token()
    session.flush()


def end_sessions_of(session: Session, user_id: int) -> User:
    """An administrator logs an account out everywhere. Raises NotFound."""
    user = get_user(session, user_id)
    end_sessions(session, user)
    return user


def find_by_session_token(session: Session, token: str) -> User | None:
    """The active user a session cookie names, None when the token is stale."""
    user = session.scalar(select(User).where(User.session_token == token))
    return user if user is not None and user.active else None


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_l("This page does not exist."))
    return user


def update_user(
    session: Session, user_id: int, *, email: str, name: str, role: str, cooperative_id: int | None
) -> User:
    """Change an account's identity and role; a new role or cooperative ends the account's
    sessions, which were opened with the rights of the old one. Raises NotFound,
    ValidationError."""
    user = get_user(session, user_id)
    email = email.strip().lower()
    _check_fields(session, email=email, role=role, cooperative_id=cooperative_id, user_id=user.id)
    rights_before = (user.role, user.cooperative_id)
    user.email = email
    user.name = name.strip()
    user.role = role
    user.cooperative_id = cooperative_id if role == "president" else None
    if (user.role, user.cooperative_id) != rights_before:
        end_sessions(session, user)
    session.flush()
    return user


def set_active(session: Session, user_id: int, active: bool, *, actor: User) -> User:
    """Deactivate (or reactivate) an account; an admin cannot deactivate themself. Either way
    the sessions opened before end: a reactivated account starts afresh."""
    user = get_user(session, user_id)
    if not active and user.id == actor.id:
        raise DomainError(_l("You cannot deactivate your own account."))
    user.active = active
    end_sessions(session, user)
    return user


def reset_password(session: Session, user_id: int, new_password: str) -> User:
    """An administrator sets a new password, which also lifts a login lock and ends the
    account's sessions."""
    user = get_user(session, user_id)
    _check_password_strength(new_password)
    user.password_hash = _hash(new_password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(session, user)
    return user


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """The user changes their own password, which ends every session opened with the old
    one (the caller logs the current one in again). Raises ValidationError."""
    if not check_password_hash(user.password_hash, current):
        raise ValidationError(
            _l("The current password is wrong."),
            field_errors={"current_password": [_l("The current password is wrong.")]},
        )
    _check_password_strength(new)
    user.password_hash = _hash(new)
    end_sessions(session, user)


def set_locale(session: Session, user: User, locale: str) -> None:
    if locale in LOCALES:
        user.locale = locale
        session.flush()


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    max_failures: int,
    lock_minutes: int,
    now: datetime | None = None,
) -> LoginAttempt:
    """Check a login. After `max_failures` wrong passwords in a row the account is locked
    for `lock_minutes`; the counter lives in the database so every worker agrees.

    A refusal is an answer, not an error: the attempt says why. A wrong password is counted
    on the user's row, which the caller keeps even though the login is refused.

    The answer tells nobody which emails have an account: an unknown email, an inactive
    account, a wrong password and a locked account with a wrong password get the same message
    after the same work (a password hash checked every time); that an account is locked is
    said only to whoever gives its password.
    """
    now = now or utcnow()
    refused = LoginAttempt(refusal=_l("Wrong email or password."))
    user = session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower()).with_for_update(of=User)
    )
    if user is None or not user.active:
        check_password_hash(_stand_in_hash(PASSWORD_METHOD), password)
        return refused
    password_matches = check_password_hash(user.password_hash, password)
    if user.locked_until and user.locked_until > now:
        return _locked(user.locked_until, now) if password_matches else refused
    if not password_matches:
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.failed_logins = 0
            user.locked_until = now + relativedelta(minutes=lock_minutes)
        session.flush()
        return refused
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    return LoginAttempt(user=user)


@cache
def _stand_in_hash(method: str) -> str:
    """A hash of nobody's password, made as real ones are, checked when no account answers
    so that a login takes as long whether the email has an account or not."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def _locked(until: datetime, now: datetime) -> LoginAttempt:
    minutes = max(1, -int((now - until).total_seconds() // 60))
    return LoginAttempt(
        refusal=_l(
            "Too many failed attempts: this account is locked for %(minutes)d minutes.",
            minutes=minutes,
        ),
        locked_until=until,
    )
