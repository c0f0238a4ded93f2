"""Login throttling by client address and by account, the locks page and the security events
in the audit log, with passwords hashed as in production."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from gie import create_app, db
from gie.audit.models import AuditEntry
from gie.audit.services import SECURITY_EVENTS
from gie.users import services
from gie.users.models import LoginFailure
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("shipped_password_hashing")

ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"


def _client_from(app, address):
    """A browser at `address`: every request it makes comes from there."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def _refusal_message(response) -> str:
    return response.text.split('class="flash flash-', 1)[1].split("</", 1)[0]


def test_an_address_spraying_passwords_is_slowed_but_the_owner_logs_in_elsewhere(
    app, make_user, monkeypatch
):
    client = _client_from(app, ATTACKER)
    users = [make_user("accountant") for _ in range(6)]
    for user in users:
        assert _login(client, user.email, "wrong-password").status_code == 401

    checks = []
    real_check = services.check_password_hash
    monkeypatch.setattr(
        services,
        "check_password_hash",
        lambda stored, password: checks.append(stored) or real_check(stored, password),
    )
    slowed = _login(client, users[0].email, PASSWORD)
    assert slowed.status_code == 401
    assert checks == []  # refused before any password was read, the right one included
    assert "Trop de tentatives : réessayez dans 5 secondes." in _refusal_message(slowed)
    assert client.get("/").status_code == 302

    owner = _client_from(app, OWNER)
    assert _login(owner, users[0].email, PASSWORD).status_code == 302
    assert owner.get("/").status_code == 200


def test_the_wait_doubles_then_turns_into_a_block(app, session, client):
    limits = services.LoginLimits.from_config(app.config)
    for _ in range(limits.address_block_failures):
        session.add(LoginFailure(address=ATTACKER, email="x@example.ma"))
    session.flush()
    times = list(session.scalars(select(LoginFailure.at).order_by(LoginFailure.at.desc())))
    newest, oldest = times[0], times[-1]
    assert services.address_waits_until(times[:5], limits) is None
    assert services.address_waits_until(times[:6], limits) == newest + timedelta(seconds=5)
    assert services.address_waits_until(times[:7], limits) == newest + timedelta(seconds=10)
    assert services.address_waits_until(times, limits) == oldest + timedelta(minutes=15)


def test_a_stranger_cannot_lock_the_owner_out(app, make_user):
    user = make_user("accountant")
    stranger = _client_from(app, ATTACKER)
    for _ in range(5):
        _login(stranger, user.email, "wrong-password")
    locked = _login(stranger, user.email, PASSWORD)
    assert locked.status_code == 401 and "15 minutes" in locked.text

    owner = _client_from(app, OWNER)
    assert _login(owner, user.email, PASSWORD).status_code == 302
    assert owner.get("/").status_code == 200


def test_the_admin_sees_and_lifts_a_lock(app, client, session, make_user, login_as):
    victim = make_user("accountant")
    stranger = _client_from(app, ATTACKER)
    for _ in range(5):
        _login(stranger, victim.email, "wrong-password")
    assert _login(stranger, victim.email, PASSWORD).status_code == 401

    admin = login_as("admin")
    page = client.get("/admin/users/locks")
    assert page.status_code == 200
    accounts = page.text.split('class="dense locks-accounts"', 1)[1]
    assert victim.email in accounts and ATTACKER in accounts

    lifted = client.post(
        "/admin/users/locks/lift", data={"address": ATTACKER, "user_id": victim.id}
    )
    assert lifted.status_code == 302
    assert (
        victim.email
        not in client.get("/admin/users/locks").text.split('class="dense locks-accounts"', 1)[1]
    )
    unlock = session.scalar(select(AuditEntry).where(AuditEntry.action == "unlock"))
    assert unlock.user_id == admin.id and unlock.record_id == victim.id
    assert _login(stranger, victim.email, PASSWORD).status_code == 302

    gone = client.post("/admin/users/locks/lift", data={"address": ATTACKER}, follow_redirects=True)
    assert "Ce blocage n&#39;existe plus." in gone.text


def test_security_events_are_in_the_audit_log_without_passwords(
    app, client, session, make_user, login_as
):
    user = make_user("accountant")
    stranger, owner = _client_from(app, ATTACKER), _client_from(app, OWNER)
    for _ in range(5):
        _login(stranger, user.email, "wrong-password")
    _login(owner, "  Nobody@Example.ma", "wrong-password")
    assert _login(owner, user.email, PASSWORD).status_code == 302
    assert owner.post("/logout").status_code == 302

    events = list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(SECURITY_EVENTS)).order_by(AuditEntry.id)
        )
    )
    actions = [event.action for event in events]
    assert actions.count("login_failed") == 6
    assert "lockout" in actions and "login" in actions and "logout" in actions
    unknown = next(e for e in events if e.after.get("email") == "  Nobody@Example.ma")
    assert unknown.record_id is None and unknown.after["address"] == OWNER
    for event in events:
        assert "wrong-password" not in str(event.after) and PASSWORD not in str(event.after)

    login_as("admin")
    page = client.get("/admin/audit/")
    for label in ("connexion", "connexion refusée", "blocage", "déconnexion"):
        assert f">{label}<" in page.text
    assert "Nobody@Example.ma" in page.text


def test_the_address_behind_trusted_proxies_is_the_one_throttled(app, session, make_user):
    user = make_user("accountant")
    connection = session.get_bind()
    db.session.remove()  # create_app configures the session, which must hold none by then
    proxied = create_app({**app.config, "GIE_TRUSTED_PROXIES": 1, "GIE_BIND": connection})
    client = _client_from(proxied, "10.0.0.1")  # the proxy
    client.post(
        "/login",
        data={"email": user.email, "password": "wrong-password"},
        headers={"X-Forwarded-For": f"192.0.2.99, {ATTACKER}"},  # the first, the client's word
    )
    assert db.session.scalar(select(LoginFailure.address)) == ATTACKER
