"""Logging in through the form, with passwords hashed as in production."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from gie.db import utcnow
from gie.users import services
from gie.users.models import LoginFailure, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("shipped_password_hashing")


@pytest.fixture
def login_as(login_by_form):
    """Logging in is the subject here: through the form, never by writing the session."""
    return login_by_form


def _login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_right_password_logs_in_and_lands_on_home(client, make_user):
    user = make_user("accountant")
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_passwords_are_stored_as_scrypt_hashes(make_user):
    assert make_user("accountant").password_hash.startswith("scrypt:")


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user("accountant")
    response = _login(client, user.email, "not-the-password")
    assert response.status_code == 401
    assert (
        "Adresse e-mail ou mot de passe incorrect" in response.text or "incorrect" in response.text
    )
    assert client.get("/").status_code == 302


@pytest.fixture
def lenient_address(app):
    """The account's lock is the subject, not the address's allowance (test_throttling.py),
    which these tests' failures from one address would otherwise exhaust first."""
    app.config["GIE_LOGIN_ADDRESS_MAX_FAILURES"] = 50


def test_repeated_failures_lock_the_account_until_the_lock_expires(
    client, session, make_user, lenient_address
):
    user = make_user("accountant")
    for _ in range(5):
        wrong = _login(client, user.email, "wrong-password")
        assert wrong.status_code == 401 and "15 minutes" not in wrong.text
    # Locked: a wrong password still says only that it is wrong.
    assert "15 minutes" not in _login(client, user.email, "wrong-password").text

    locked = _login(client, user.email, PASSWORD)
    assert locked.status_code == 401
    assert "15 minutes" in locked.text
    assert client.get("/").status_code == 302

    # Time passes: the failures are older than the lock lasts.
    session.execute(
        update(LoginFailure)
        .where(LoginFailure.user_id == user.id)
        .values(at=utcnow() - timedelta(minutes=15, seconds=1))
    )
    session.commit()
    assert _login(client, user.email, PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_success_resets_the_failure_count(client, session, make_user):
    user = make_user("accountant")
    for _ in range(4):
        _login(client, user.email, "wrong-password")
    assert _login(client, user.email, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        _login(client, user.email, "wrong-password")
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_deactivated_account_cannot_log_in(client, session, make_user):
    user = make_user("sales_adviser")
    session.execute(update(User).where(User.id == user.id).values(active=False))
    session.commit()
    assert _login(client, user.email, PASSWORD).status_code == 401


def test_login_follows_next_only_within_the_site(client, make_user):
    user = make_user("accountant")
    inside = client.post(
        "/login?next=/cooperatives/", data={"email": user.email, "password": PASSWORD}
    )
    assert inside.location == "/cooperatives/"
    client.post("/logout")
    outside = client.post(
        "/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD}
    )
    assert outside.location == "/"


def test_logout_ends_the_session(client, login_as):
    login_as("accountant")
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_change_password_needs_the_current_one(client, login_as):
    user = login_as("accountant")
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "password": "a-new-password-1",
            "confirm": "a-new-password-1",
        },
    )
    assert wrong.status_code == 422
    ok = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a-new-password-1",
            "confirm": "a-new-password-1",
        },
    )
    assert ok.status_code == 302
    client.post("/logout")
    assert _login(client, user.email, PASSWORD).status_code == 401
    assert _login(client, user.email, "a-new-password-1").status_code == 302


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    user = make_user("accountant")
    response = _login(client, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def _refusal_message(response) -> str:
    return response.text.split('class="flash flash-', 1)[1].split("</", 1)[0]


def test_login_answers_the_same_whether_the_email_has_an_account_or_not(
    client, session, make_user, monkeypatch, lenient_address
):
    known = make_user("accountant")
    inactive = make_user("accountant")
    session.execute(update(User).where(User.id == inactive.id).values(active=False))
    session.commit()
    checks = []
    real_check = services.check_password_hash
    monkeypatch.setattr(
        services,
        "check_password_hash",
        lambda stored, password: (
            checks.append(stored.split(":", 1)[0]) or real_check(stored, password)
        ),
    )

    answers = {}
    for case, email, password in (
        ("unknown", "nobody@example.ma", PASSWORD),
        ("inactive", inactive.email, PASSWORD),
        ("wrong", known.email, "wrong-password"),
    ):
        checks.clear()
        response = _login(client, email, password)
        answers[case] = (response.status_code, _refusal_message(response))
        assert checks == ["scrypt"], case  # one hash of the production method, every time
    assert len(set(answers.values())) == 1, answers

    # Five failures lock an account: what a stranger sees does not change.
    for _ in range(5):
        _login(client, known.email, "wrong-password")
    for email in (known.email, "nobody@example.ma"):
        response = _login(client, email, "wrong-password")
        assert (response.status_code, _refusal_message(response)) == answers["unknown"]
