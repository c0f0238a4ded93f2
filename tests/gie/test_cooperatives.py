import csv
import io
from decimal import Decimal

from sqlalchemy import func, select

from gie.cooperatives.models import Cooperative
from gie.demo import ice_for

VALID_ICE = "001561191000066"


def _count(session):
    return session.scalar(select(func.count()).select_from(Cooperative))


def _form(**overrides):
    data = {
        "code": "COOP-050",
        "name": "Coopérative Tissage Akhmas",
        "name_ar": "تعاونية أخماس",
        "legal_form": "cooperative",
        "filiere": "weaving",
        "province": "MA-CHE",
        "commune": "Bab Berred",
        "ice": VALID_ICE,
        "share_capital": "12500.50",
        "status": "active",
        "members_women": "20",
        "members_men": "3",
        "members_youth": "9",
        "membership_start_on": "2025-01-01",
    }
    data.update(overrides)
    return data


def test_accountant_registers_a_cooperative(client, session, login_as):
    login_as("accountant")
    response = client.post("/cooperatives/new", data=_form())
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "COOP-050" in page
    assert "Coopérative Tissage Akhmas" in page
    assert "12\u202f500,50\xa0MAD" in page
    saved = session.scalar(select(Cooperative).where(Cooperative.code == "COOP-050"))
    assert str(saved.share_capital) == "12500.50"
    assert saved.members_women == 20


def test_invalid_ice_is_refused_with_a_field_error_and_nothing_saved(client, session, login_as):
    login_as("accountant")
    before = _count(session)
    response = client.post("/cooperatives/new", data=_form(ice="001561191000065"))
    assert response.status_code == 422
    assert 'id="ice-error"' in response.text
    assert _count(session) == before


def test_ice_is_stored_compact_when_typed_with_spaces(client, session, login_as):
    login_as("accountant")
    client.post("/cooperatives/new", data=_form(ice="001 561 191 000 066"))
    saved = session.scalar(select(Cooperative).where(Cooperative.code == "COOP-050"))
    assert saved.ice == VALID_ICE


def test_duplicate_code_and_inconsistent_members_are_field_errors(
    client, login_as, make_cooperative
):
    login_as("accountant")
    taken = make_cooperative()
    response = client.post("/cooperatives/new", data=_form(code=taken.code, members_youth="40"))
    assert response.status_code == 422
    assert 'id="code-error"' in response.text
    assert 'id="members_youth-error"' in response.text


def test_membership_cannot_end_before_it_starts(client, login_as):
    login_as("accountant")
    response = client.post(
        "/cooperatives/new",
        data=_form(membership_start_on="2025-06-01", membership_end_on="2025-01-01"),
    )
    assert response.status_code == 422
    assert 'id="membership_end_on-error"' in response.text


def test_edit_changes_the_record(client, session, login_as, make_cooperative):
    login_as("accountant")
    cooperative = make_cooperative(name="Ancien nom")
    response = client.post(
        f"/cooperatives/{cooperative.id}/edit",
        data=_form(code=cooperative.code, name="Nouveau nom"),
    )
    assert response.status_code == 302
    assert "Nouveau nom" in client.get(f"/cooperatives/{cooperative.id}").text


def test_list_searches_filters_and_paginates(client, login_as, make_cooperative):
    login_as("sales_adviser")
    make_cooperative(name="Miel du Rif", filiere="honey", province="MA-HOC")
    make_cooperative(
        name="Huile de Ouezzane", filiere="olive_oil", province="MA-OUZ", status="suspended"
    )
    for _ in range(55):
        make_cooperative(filiere="wood")

    found = client.get("/cooperatives/?q=rif").text
    assert "Miel du Rif" in found and "Huile de Ouezzane" not in found

    by_filiere = client.get("/cooperatives/?filiere=olive_oil").text
    assert "Huile de Ouezzane" in by_filiere and "Miel du Rif" not in by_filiere

    by_status = client.get("/cooperatives/?status=suspended&province=MA-OUZ").text
    assert "Huile de Ouezzane" in by_status

    first = client.get("/cooperatives/?filiere=wood").text
    second = client.get("/cooperatives/?filiere=wood&page=2").text
    assert first.count('href="/cooperatives/') - second.count('href="/cooperatives/') > 0
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_export_csv_follows_the_filters_and_reads_back(client, login_as, make_cooperative):
    login_as("accountant")
    honey = make_cooperative(name="Miel du Rif", filiere="honey", share_capital=Decimal("1500.75"))
    make_cooperative(filiere="wood")
    response = client.get("/cooperatives/export.csv?filiere=honey")
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [r["code"] for r in rows] == [honey.code]
    assert rows[0]["share_capital"] == "1500,75"
    assert rows[0]["filiere"] == "honey"


def _csv(*lines):
    return io.BytesIO("\n".join(lines).encode())


def test_csv_import_creates_every_row(client, session, login_as):
    login_as("accountant")
    body = _csv(
        "code,name,filiere,province,ice,share_capital,members_women",
        f"COOP-201,Coopérative Un,honey,MA-HOC,{ice_for(123)},1000.50,4",
        "COOP-202,Coopérative Deux,Huile d'olive,Tétouan,,,",
    )
    response = client.post("/cooperatives/import", data={"file": (body, "coops.csv")})
    assert response.status_code == 302
    two = session.scalar(select(Cooperative).where(Cooperative.code == "COOP-202"))
    assert (two.filiere, two.province) == ("olive_oil", "MA-TET")


def test_csv_import_with_one_bad_row_imports_nothing_and_names_the_row(client, session, login_as):
    login_as("accountant")
    before = _count(session)
    body = _csv(
        "code,name,filiere,province,ice",
        f"COOP-301,Coopérative Un,honey,MA-HOC,{ice_for(301)}",
        "COOP-302,Coopérative Deux,honey,MA-HOC,123456789012345",
        f"COOP-303,Coopérative Trois,honey,MA-HOC,{ice_for(303)}",
    )
    response = client.post("/cooperatives/import", data={"file": (body, "coops.csv")})
    assert response.status_code == 422
    assert '<td class="num">3</td>' in response.text
    assert '<td class="num">2</td>' not in response.text
    assert _count(session) == before


def test_csv_import_reads_semicolons_decimal_commas_and_day_first_dates(session, runner, tmp_path):
    path = tmp_path / "coops.csv"
    path.write_text(
        "code;name;filiere;province;share_capital;created_on\n"
        "COOP-401;Coopérative Miel;honey;MA-HOC;2 500,25;31/03/2019\n",
        encoding="utf-8-sig",
    )
    result = runner.invoke(args=["cooperatives", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    saved = session.scalar(select(Cooperative).where(Cooperative.code == "COOP-401"))
    assert str(saved.share_capital) == "2500.25"
    assert saved.created_on.isoformat() == "2019-03-31"


def test_cli_import_refuses_the_whole_file_on_one_bad_line(session, runner, tmp_path):
    before = _count(session)
    path = tmp_path / "coops.csv"
    path.write_text(
        "code,name,filiere,province\n"
        "COOP-501,Coopérative A,honey,MA-HOC\n"
        "COOP-502,Coopérative B,unknown-filiere,MA-HOC\n"
    )
    result = runner.invoke(args=["cooperatives", "import", str(path)])
    assert result.exit_code == 1
    assert "line 3" in result.output
    assert _count(session) == before


def test_csv_import_without_required_columns_is_refused(client, session, login_as):
    login_as("accountant")
    response = client.post(
        "/cooperatives/import", data={"file": (_csv("code,name", "COOP-601,X"), "c.csv")}
    )
    assert response.status_code == 422
    assert "filiere, province" in response.text


def test_csv_import_updates_existing_codes_with_the_given_columns(
    runner, session, make_cooperative, tmp_path
):
    cooperative = make_cooperative(commune="Tétouan", members_women=5)
    path = tmp_path / "update.csv"
    path.write_text(
        f"code,name,filiere,province,members_women\n{cooperative.code},Nouveau,honey,MA-HOC,12\n"
    )
    result = runner.invoke(args=["cooperatives", "import", str(path)])
    assert "1 updated" in result.output
    session.expire_all()
    saved = session.get(Cooperative, cooperative.id)
    assert (saved.name, saved.members_women, saved.commune) == ("Nouveau", 12, "Tétouan")


def test_sales_adviser_cannot_edit_or_import(client, login_as, make_cooperative):
    login_as("sales_adviser")
    cooperative = make_cooperative()
    assert client.get(f"/cooperatives/{cooperative.id}/edit").status_code == 403
    assert client.post("/cooperatives/import").status_code == 403


# A French Excel's "CSV (separator: semicolon)": Windows-1252, CRLF, decimal comma, day first.
COOPERATIVES_1252 = "\r\n".join(
    [
        "code;name;filiere;province;share_capital;created_on",
        "COOP-501;Coopérative Façonnière à Chefchaouen;honey;MA-HOC;1 500,75;31/03/2019",
        "",
    ]
).encode("cp1252")


def test_a_windows_1252_file_imports_through_the_page(client, session, login_as):
    login_as("accountant")
    page = client.get("/cooperatives/import").text
    assert 'name="encoding"' in page and "Windows-1252" in page
    response = client.post(
        "/cooperatives/import", data={"file": (io.BytesIO(COOPERATIVES_1252), "coops.csv")}
    )
    assert response.status_code == 302, response.text
    saved = session.scalar(select(Cooperative).where(Cooperative.code == "COOP-501"))
    assert saved.name == "Coopérative Façonnière à Chefchaouen"
    assert str(saved.share_capital) == "1500.75"


def test_a_windows_1252_file_imports_through_the_command(session, runner, tmp_path):
    path = tmp_path / "coops.csv"
    path.write_bytes(COOPERATIVES_1252)
    result = runner.invoke(args=["cooperatives", "import", str(path), "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output
    saved = session.scalar(select(Cooperative).where(Cooperative.code == "COOP-501"))
    assert saved.name == "Coopérative Façonnière à Chefchaouen"
    assert saved.created_on.isoformat() == "2019-03-31"


def test_the_export_in_the_international_dialect_when_asked(client, login_as, make_cooperative):
    login_as("accountant")
    honey = make_cooperative(filiere="honey", share_capital=Decimal("1500.75"))
    response = client.get("/cooperatives/export.csv?filiere=honey&dialect=intl")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [(r["code"], r["share_capital"]) for r in rows] == [(honey.code, "1500.75")]


def test_an_export_runs_no_formula_and_imports_back_unchanged(
    client, session, login_as, make_cooperative
):
    login_as("accountant")
    cooperative = make_cooperative(
        name='=HYPERLINK("http://x")', president_phone="+212612345678", filiere="honey"
    )
    exported = client.get("/cooperatives/export.csv?filiere=honey&dialect=intl").data
    row = next(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert (row["name"], row["president_phone"]) == ('\'=HYPERLINK("http://x")', "'+212612345678")

    cooperative.name, cooperative.president_phone = "Changed", None
    session.commit()
    response = client.post(
        "/cooperatives/import", data={"file": (io.BytesIO(exported), "coops.csv")}
    )
    assert response.status_code == 302
    session.expire_all()
    saved = session.get(Cooperative, cooperative.id)
    assert (saved.name, saved.president_phone) == ('=HYPERLINK("http://x")', "+212612345678")
