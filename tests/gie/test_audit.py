from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from gie.audit.services import acting_as, label_of
from gie.db import Base
from gie.money import Fixed, Money
from gie.users import services as user_services
from tests.audit import audit_row
from tests.conftest import PASSWORD


def test_audit_log_shows_an_edit_with_before_and_after(client, login_as, make_cooperative):
    admin = login_as("admin")
    cooperative = make_cooperative(commune="Tétouan")
    client.post(
        f"/cooperatives/{cooperative.id}/edit",
        data={
            "code": cooperative.code,
            "name": cooperative.name,
            "filiere": cooperative.filiere,
            "province": cooperative.province,
            "legal_form": "cooperative",
            "status": "active",
            "ice": cooperative.ice,
            "commune": "Martil",
        },
    )
    page = client.get("/admin/audit/?record_type=Cooperative").text
    row = page[page.index("<td>commune</td>") :][:300]
    assert '<td class="before">Tétouan</td>' in row
    assert '<td class="after">Martil</td>' in row
    assert admin.email in page


def test_audit_log_filters_by_user_type_and_date(client, login_as, make_cooperative):
    admin = login_as("admin")
    make_cooperative(code="COOP-777")
    by_system = client.get("/admin/audit/?record_type=Cooperative").text
    assert "COOP-777" in by_system
    by_admin = client.get(f"/admin/audit/?user_id={admin.id}&record_type=Cooperative").text
    assert "COOP-777" not in by_admin
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "COOP-777" not in client.get(f"/admin/audit/?date_from={tomorrow}").text
    assert "COOP-777" in client.get(f"/admin/audit/?date_to={tomorrow}").text


def test_passwords_never_reach_the_audit_log(client, login_as):
    login_as("admin")
    client.post(
        "/admin/users/new",
        data={
            "email": "new@example.ma",
            "name": "New",
            "role": "accountant",
            "password": "secret-password-1",
            "cooperative_id": "0",
        },
    )
    page = client.get("/admin/audit/?record_type=User").text
    assert "new@example.ma" in page
    assert "password_hash" not in page
    assert "scrypt" not in page


def _typical(column):
    if isinstance(column.type, (Money, Fixed)):
        return Decimal("-35.00")
    return {
        str: "FRAIS",
        int: 12,
        bool: True,
        date: date(2026, 3, 4),
        datetime: datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
        time: time(9, 30),
    }.get(column.type.python_type)


def test_every_audited_record_has_a_readable_label(app):
    audited = [
        mapper.class_
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__audited__", False)
    ]
    assert {"Entry", "Line", "Invoice", "BankLine", "Reconciliation", "ProductPhoto"} <= {
        model.__name__ for model in audited
    }
    for model in audited:
        values = {key: _typical(column) for key, column in model.__mapper__.columns.items()}
        record = model(**{key: value for key, value in values.items() if value is not None})
        label = label_of(record)
        assert "object at 0x" not in label, model.__name__
        assert label.strip(), model.__name__


def test_password_changes_and_resets_leave_a_row_without_the_hash(session, make_user):
    user = make_user("accountant")
    admin = make_user("admin")
    with acting_as(user.id):
        user_services.change_password(session, user, current=PASSWORD, new="another-password-2")
    session.commit()
    changed = audit_row(session, user, "update")
    assert changed.after == {"password": "changed"}
    assert changed.user_id == user.id
    assert changed.record_label == f"User {user.email}"
    with acting_as(admin.id):
        user_services.reset_password(session, user.id, "reset-by-admin-3")
    session.commit()
    reset = audit_row(session, user, "update")
    assert reset.id != changed.id
    assert reset.after == {"password": "changed"}
    assert reset.user_id == admin.id
    assert user.password_hash not in str(reset.before) + str(reset.after)
