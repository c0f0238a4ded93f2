"""A session ends: at logout, on a new password, a reset, a deactivation (and what a
reactivation does not bring back), a change of role, a "log out everywhere", after an idle
half hour and at the end of its lifetime. A cookie copied before then opens nothing."""

import time

import pytest

from gie.app import SESSION_SEEN_AT, SESSION_STARTED_AT
from gie.users import services
from tests.conftest import PASSWORD

NEW_PASSWORD = "another-horse-battery"


@pytest.fixture
def copy_of(app):
    """A second browser holding a copy of `client`'s session cookie, as a thief would."""

    def copy(client):
        name = app.config["SESSION_COOKIE_NAME"]
        thief = app.test_client()
        thief.set_cookie(name, client.get_cookie(name).value)
        assert thief.get("/").status_code == 200, "the copy opens the books before"
        return thief

    return copy


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_a_copied_cookie_dies_at_logout(client, login_by_form, copy_of):
    login_by_form("accountant")
    thief = copy_of(client)
    client.post("/logout")
    assert not _logged_in(thief)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(client, login_by_form, copy_of):
    login_by_form("accountant")
    thief = copy_of(client)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _logged_in(thief)
    assert _logged_in(client)


@pytest.mark.parametrize(
    "change",
    [
        lambda session, user, admin: services.reset_password(session, user.id, NEW_PASSWORD),
        lambda session, user, admin: services.set_active(session, user.id, False, actor=admin),
        lambda session, user, admin: services.update_user(
            session,
            user.id,
            email=user.email,
            name=user.name,
            role="sales_adviser",
            cooperative_id=None,
        ),
        lambda session, user, admin: services.end_sessions_of(session, user.id),
    ],
    ids=["reset", "deactivation", "role", "log-out-everywhere"],
)
def test_an_administrators_change_ends_the_accounts_sessions(
    client, session, login_by_form, make_user, copy_of, change
):
    user = login_by_form("accountant")
    thief = copy_of(client)
    change(session, user, make_user("admin"))
    session.commit()
    assert not _logged_in(client)
    assert not _logged_in(thief)


def test_reactivating_an_account_does_not_revive_its_old_cookies(
    client, session, login_by_form, make_user, copy_of
):
    user = login_by_form("accountant")
    thief = copy_of(client)
    admin = make_user("admin")
    services.set_active(session, user.id, False, actor=admin)
    session.commit()
    services.set_active(session, user.id, True, actor=admin)
    session.commit()
    assert not _logged_in(thief)
    assert not _logged_in(client)


def test_log_out_everywhere_from_ones_own_account_page(client, login_by_form, copy_of):
    login_by_form("accountant")
    thief = copy_of(client)
    assert "/account/sessions/end" in client.get("/account/password").text
    response = client.post("/account/sessions/end")
    assert response.status_code == 302 and response.location == "/login"
    assert not _logged_in(client)
    assert not _logged_in(thief)


def test_an_admin_logs_an_account_out_everywhere_from_its_page(app, client, login_as, make_user):
    user = make_user("accountant")
    users_browser = app.test_client()
    users_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert _logged_in(users_browser)
    login_as("admin")
    assert f"/admin/users/{user.id}/sessions/end" in client.get(f"/admin/users/{user.id}/edit").text
    assert client.post(f"/admin/users/{user.id}/sessions/end").status_code == 302
    assert not _logged_in(users_browser)
    assert _logged_in(client)


def _age(client, **seconds_ago):
    now = time.time()
    with client.session_transaction() as flask_session:
        for key, ago in seconds_ago.items():
            flask_session[key] = now - ago


def test_a_session_idle_longer_than_the_setting_ends(app, client, login_as):
    login_as("accountant")
    idle = app.config["GIE_SESSION_IDLE_MINUTES"] * 60
    _age(client, **{SESSION_SEEN_AT: idle - 60})
    assert _logged_in(client)  # and the request counts as activity
    _age(client, **{SESSION_SEEN_AT: idle + 1})
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert not _logged_in(client)


def test_a_busy_session_still_ends_at_its_lifetime(app, client, login_as):
    login_as("accountant")
    lifetime = app.config["GIE_SESSION_MAX_HOURS"] * 3600
    _age(client, **{SESSION_STARTED_AT: lifetime - 60, SESSION_SEEN_AT: 1})
    assert _logged_in(client)
    _age(client, **{SESSION_STARTED_AT: lifetime + 1, SESSION_SEEN_AT: 1})
    assert not _logged_in(client)


def test_the_lifetimes_default_to_half_an_hour_and_twelve_hours(app):
    assert app.config["GIE_SESSION_IDLE_MINUTES"] == 30
    assert app.config["GIE_SESSION_MAX_HOURS"] == 12
