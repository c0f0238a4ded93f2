import pytest
from sqlalchemy import select

from gie.errors import ValidationError
from gie.users.models import User
from gie.users.services import create_user
from tests.conftest import PASSWORD


def test_admin_creates_a_president_bound_to_a_cooperative(
    client, session, login_as, make_cooperative
):
    login_as("admin")
    cooperative = make_cooperative()
    response = client.post(
        "/admin/users/new",
        data={
            "email": "Pres@Example.ma",
            "name": "Amina",
            "role": "president",
            "password": "long-enough-1",
            "cooperative_id": str(cooperative.id),
        },
    )
    assert response.status_code == 302
    user = session.scalar(select(User).where(User.email == "pres@example.ma"))
    assert user.cooperative_id == cooperative.id


def test_a_president_needs_a_cooperative(client, session, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "p@example.ma",
            "name": "P",
            "role": "president",
            "password": "long-enough-1",
            "cooperative_id": "0",
        },
    )
    assert response.status_code == 422
    assert 'id="cooperative_id-error"' in response.text
    assert session.scalar(select(User).where(User.email == "p@example.ma")) is None


def test_short_password_and_taken_email_are_refused(client, login_as, make_user):
    login_as("admin")
    taken_email = make_user("accountant").email
    short = client.post(
        "/admin/users/new",
        data={
            "email": "x@example.ma",
            "name": "X",
            "role": "accountant",
            "password": "short",
            "cooperative_id": "0",
        },
    )
    assert 'id="password-error"' in short.text
    dup = client.post(
        "/admin/users/new",
        data={
            "email": taken_email,
            "name": "X",
            "role": "accountant",
            "password": "long-enough-1",
            "cooperative_id": "0",
        },
    )
    assert 'id="email-error"' in dup.text


def test_admin_edits_a_role(client, session, login_as, make_user):
    login_as("admin")
    user = make_user("accountant")
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            "email": user.email,
            "name": "Renamed",
            "role": "sales_adviser",
            "cooperative_id": "0",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, user.id).role == "sales_adviser"


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("accountant")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/").status_code == 200
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert other.get("/").status_code == 302
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_admin_cannot_deactivate_themself(client, session, login_as):
    admin = login_as("admin")
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    session.expire_all()
    assert session.get(User, admin.id).active
    assert client.get("/").status_code == 200


def test_admin_reset_password_lifts_a_lock(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("accountant")
    other = app.test_client()
    for _ in range(5):
        other.post("/login", data={"email": user.email, "password": "wrong-password"})
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
    client.post(f"/admin/users/{user.id}/password", data={"reset-password": "brand-new-password"})
    assert (
        other.post(
            "/login", data={"email": user.email, "password": "brand-new-password"}
        ).status_code
        == 302
    )


def test_create_admin_command(runner, session):
    result = runner.invoke(
        args=["users", "create-admin", "Boss@Example.ma", "--password", "first-admin-pass"]
    )
    assert result.exit_code == 0, result.output
    assert session.scalar(select(User.role).where(User.email == "boss@example.ma")) == "admin"
    again = runner.invoke(
        args=["users", "create-admin", "boss@example.ma", "--password", "first-admin-pass"]
    )
    assert again.exit_code == 1


@pytest.mark.parametrize(
    "password",
    ["short-pass1", "Password1234", "AZERTYUIOP123", "123456789012", "casablanca2026"],
)
def test_a_short_or_common_password_is_refused(session, password):
    with pytest.raises(ValidationError) as refused:
        create_user(
            session, email="new@example.ma", name="New", role="accountant", password=password
        )
    assert "password" in refused.value.field_errors


@pytest.mark.parametrize("password", ["demo-gie-2026", "correct-horse-battery"])
def test_the_demo_and_test_passwords_stay_valid(session, password):
    user = create_user(
        session, email="new@example.ma", name="New", role="accountant", password=password
    )
    assert user.id
