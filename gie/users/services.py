"""Users: creation, edition, deactivation, passwords and login throttling."""

import math
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gie.audit.services import record_security_event
from gie.cooperatives.models import Cooperative
from gie.db import utcnow
from gie.errors import DomainError, NotFound, ValidationError
from gie.security import ROLES
from gie.users.models import LOCALES, LoginFailure, User, new_session_token

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
    """An administrator sets a new password, which also lifts the account's login locks, from
    every address, and ends the account's sessions."""
    user = get_user(session, user_id)
    _check_password_strength(new_password)
    user.password_hash = _hash(new_password)
    session.execute(delete(LoginFailure).where(LoginFailure.user_id == user.id))
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


@dataclass(frozen=True)
class LoginLimits:
    """How many failures lock an account or slow an address, and for how long (the
    `GIE_LOGIN_*` settings)."""

    account_max_failures: int
    account_lock_minutes: int
    address_max_failures: int
    address_block_minutes: int

    @classmethod
    def from_config(cls, config) -> "LoginLimits":
        return cls(
            account_max_failures=config["GIE_LOGIN_MAX_FAILURES"],
            account_lock_minutes=config["GIE_LOGIN_LOCK_MINUTES"],
            address_max_failures=config["GIE_LOGIN_ADDRESS_MAX_FAILURES"],
            address_block_minutes=config["GIE_LOGIN_ADDRESS_BLOCK_MINUTES"],
        )

    @property
    def address_block_failures(self) -> int:
        """Failures from one address that turn its waits into a block."""
        return 2 * self.address_max_failures

    @property
    def kept_minutes(self) -> int:
        """How long a failure can still count towards a lock."""
        return max(self.account_lock_minutes, self.address_block_minutes)


#: the wait after an address's first failures beyond its allowance, doubled at each further one
FIRST_WAIT_SECONDS = 5


def address_waits_until(newest_first: list[datetime], limits: LoginLimits) -> datetime | None:
    """Until when an address, whose failures still counting are `newest_first`, must wait.

    Up to `address_max_failures` failures it waits not at all; each one beyond makes it wait
    twice as long after its last failure, from `FIRST_WAIT_SECONDS`; at twice the allowance
    it is blocked until the oldest of those failures is `address_block_minutes` old.
    """
    count = len(newest_first)
    if count >= limits.address_block_failures:
        oldest = newest_first[limits.address_block_failures - 1]
        return oldest + relativedelta(minutes=limits.address_block_minutes)
    if count >= limits.address_max_failures:
        extra = count - limits.address_max_failures
        return newest_first[0] + relativedelta(seconds=FIRST_WAIT_SECONDS * 2**extra)
    return None


def account_locked_until(newest_first: list[datetime], limits: LoginLimits) -> datetime | None:
    """Until when an account is locked for one address whose failures on it are
    `newest_first`: `account_max_failures` of them lock it until the oldest of those is
    `account_lock_minutes` old."""
    if len(newest_first) < limits.account_max_failures:
        return None
    oldest = newest_first[limits.account_max_failures - 1]
    return oldest + relativedelta(minutes=limits.account_lock_minutes)


def _failure_times(session: Session, *conditions, since: datetime, limit: int) -> list[datetime]:
    return list(
        session.scalars(
            select(LoginFailure.at)
            .where(*conditions, LoginFailure.at > since)
            .order_by(LoginFailure.at.desc(), LoginFailure.id.desc())
            .limit(limit)
        )
    )


def _address_failures(session, address: str, limits: LoginLimits, now: datetime):
    return _failure_times(
        session,
        LoginFailure.address == address,
        since=now - relativedelta(minutes=limits.address_block_minutes),
        limit=limits.address_block_failures,
    )


def _account_failures(session, user_id: int, address: str, limits: LoginLimits, now: datetime):
    return _failure_times(
        session,
        LoginFailure.user_id == user_id,
        LoginFailure.address == address,
        since=now - relativedelta(minutes=limits.account_lock_minutes),
        limit=limits.account_max_failures,
    )


def _still_counts(until: datetime | None, now: datetime) -> datetime | None:
    return until if until is not None and until > now else None


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    address: str,
    limits: LoginLimits,
    now: datetime | None = None,
) -> LoginAttempt:
    """Check a login from the client `address`. Failures are rows of their own
    (`LoginFailure`), so every worker counts the same ones.

    An address that failed too often, on whichever accounts, waits longer and longer, then is
    blocked (`address_waits_until`): it is told so before any password is read, which stops
    password spraying across accounts. An account whose password was given wrong
    `account_max_failures` times from one address is locked for that address only
    (`account_locked_until`): a stranger cannot lock the owner out by failing on purpose, the
    owner logs in from their own address. A success forgets that address's failures on the
    account, not its failures on the others.

    A refusal is an answer, not an error: the attempt says why. The failure it records is
    kept by the caller even though the login is refused.

    The answer tells nobody which emails have an account: an unknown email, an inactive
    account, a wrong password and a locked account with a wrong password get the same message
    after the same work (a password hash checked every time); that an account is locked is
    said only to whoever gives its password.
    """
    now = now or utcnow()
    address = address[: LoginFailure.address.type.length]
    waits_until = _still_counts(
        address_waits_until(_address_failures(session, address, limits, now), limits), now
    )
    if waits_until is not None:
        return _address_waits(waits_until, now)
    refused = LoginAttempt(refusal=_l("Wrong email or password."))
    user = session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower()).with_for_update(of=User)
    )
    if user is None or not user.active:
        check_password_hash(_stand_in_hash(PASSWORD_METHOD), password)
        _record_failure(session, email, address, None, limits, now)
        return refused
    password_matches = check_password_hash(user.password_hash, password)
    locked_until = _still_counts(
        account_locked_until(_account_failures(session, user.id, address, limits, now), limits),
        now,
    )
    if locked_until is not None and password_matches:
        return _locked(locked_until, now)
    if not password_matches:
        _record_failure(session, email, address, user, limits, now)
        return refused
    session.execute(
        delete(LoginFailure).where(LoginFailure.user_id == user.id, LoginFailure.address == address)
    )
    user.last_login_at = now
    session.flush()
    record_security_event(
        session,
        "login",
        label=_event_label(user.email, address),
        details={"email": email, "address": address},
        record_id=user.id,
        actor_id=user.id,
    )
    return LoginAttempt(user=user)


def _event_label(email: str, address: str) -> str:
    return f"{email} ← {address}"


def _record_failure(
    session: Session,
    email: str,
    address: str,
    user: User | None,
    limits: LoginLimits,
    now: datetime,
) -> None:
    """Count a failure, audit it, and audit the lock it starts, if any. Failures too old to
    count any more are deleted on the way, so the table holds only what may still lock."""
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.at <= now - relativedelta(minutes=limits.kept_minutes)
        )
    )
    typed = email[: LoginFailure.email.type.length]
    user_id = user.id if user else None
    session.add(LoginFailure(at=now, address=address, email=typed, user_id=user_id))
    session.flush()
    details = {"email": typed, "address": address}
    record_security_event(
        session,
        "login_failed",
        label=_event_label(typed, address),
        details=details,
        record_id=user_id,
    )
    if user is not None:
        failures = _account_failures(session, user.id, address, limits, now)
        if len(failures) == limits.account_max_failures:
            record_security_event(
                session,
                "lockout",
                label=_event_label(user.email, address),
                details=details,
                record_id=user.id,
            )
    if len(_address_failures(session, address, limits, now)) == limits.address_block_failures:
        record_security_event(
            session,
            "lockout",
            label=address,
            details={"address": address},
            record_type="LoginAddress",
        )


def lift_login_lock(session: Session, *, address: str, user_id: int | None) -> None:
    """An administrator forgets the failures that lock an account for an address (`user_id`
    given) or that slow or block the address itself. Raises DomainError when there were
    none left."""
    conditions = [LoginFailure.address == address]
    if user_id is not None:
        conditions.append(LoginFailure.user_id == user_id)
    lifted = session.execute(delete(LoginFailure).where(*conditions)).rowcount
    if not lifted:
        raise DomainError(_l("This lock no longer exists."))
    user = session.get(User, user_id) if user_id is not None else None
    record_security_event(
        session,
        "unlock",
        label=_event_label(user.email, address) if user else address,
        details={"address": address, "failures_forgotten": lifted},
        record_type="User" if user else "LoginAddress",
        record_id=user_id,
    )


def log_out(session: Session, user: User, *, address: str) -> None:
    """The user logs out: every session of theirs ends, and the audit log says so."""
    end_sessions(session, user)
    record_security_event(
        session,
        "logout",
        label=_event_label(user.email, address),
        details={"email": user.email, "address": address},
        record_id=user.id,
    )


@cache
def _stand_in_hash(method: str) -> str:
    """A hash of nobody's password, made as real ones are, checked when no account answers
    so that a login takes as long whether the email has an account or not."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def _address_waits(until: datetime, now: datetime) -> LoginAttempt:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return LoginAttempt(
        refusal=_l("Too many attempts: try again in %(seconds)d seconds.", seconds=seconds),
        locked_until=until,
    )


def _locked(until: datetime, now: datetime) -> LoginAttempt:
    minutes = max(1, -int((now - until).total_seconds() // 60))
    return LoginAttempt(
        refusal=_l(
            "Too many failed attempts: this account is locked for %(minutes)d minutes.",
            minutes=minutes,
        ),
        locked_until=until,
    )
