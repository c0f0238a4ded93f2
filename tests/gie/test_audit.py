from datetime import date, timedelta


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
