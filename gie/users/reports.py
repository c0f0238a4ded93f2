"""Read side of accounts."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from gie.db import utcnow
from gie.users.models import LoginFailure, User
from gie.users.services import (
    LoginLimits,
    account_locked_until,
    address_waits_until,
)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.email)))


@dataclass(frozen=True)
class AddressLock:
    """An address that must wait, or is blocked, before its next login attempt."""

    address: str
    failures: int
    until: datetime
    blocked: bool


@dataclass(frozen=True)
class AccountLock:
    """An account locked for the address that failed on it."""

    user: User
    address: str
    failures: int
    until: datetime


@dataclass(frozen=True)
class LoginLocks:
    addresses: list[AddressLock]
    accounts: list[AccountLock]


def current_login_locks(
    session: Session, limits: LoginLimits, now: datetime | None = None
) -> LoginLocks:
    """The locks in force, by the rules `gie.users.services.authenticate` applies. The table
    holds only the failures that may still count, so it is read whole."""
    now = now or utcnow()
    by_address: dict[str, list[datetime]] = defaultdict(list)
    by_account: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    failures = session.execute(
        select(LoginFailure.address, LoginFailure.user_id, LoginFailure.at).order_by(
            LoginFailure.at.desc(), LoginFailure.id.desc()
        )
    )
    for address, user_id, at in failures:
        if at > now - relativedelta(minutes=limits.address_block_minutes):
            by_address[address].append(at)
        if user_id is not None and at > now - relativedelta(minutes=limits.account_lock_minutes):
            by_account[user_id, address].append(at)
    addresses = []
    for address, times in sorted(by_address.items()):
        until = address_waits_until(times, limits)
        if until is not None and until > now:
            blocked = len(times) >= limits.address_block_failures
            addresses.append(AddressLock(address, len(times), until, blocked))
    accounts = []
    for (user_id, address), times in by_account.items():
        until = account_locked_until(times, limits)
        if until is not None and until > now:
            accounts.append(AccountLock(session.get(User, user_id), address, len(times), until))
    accounts.sort(key=lambda lock: (lock.user.email, lock.address))
    return LoginLocks(addresses, accounts)
