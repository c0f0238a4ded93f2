import io

import pytest
from sqlalchemy import func, select

from gie import create_app
from gie.cooperatives.models import Cooperative


@pytest.fixture
def csrf_app(engine, database_url):
    connection = engine.connect()
    outer = connection.begin()
    yield create_app({"SQLALCHEMY_DATABASE_URL": database_url, "GIE_BIND": connection})
    outer.rollback()
    connection.close()


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(csrf_app, session):
    client = csrf_app.test_client()
    before = session.scalar(select(func.count()).select_from(Cooperative))
    response = client.post("/login", data={"email": "x@example.ma", "password": "whatever"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.text
    assert session.scalar(select(func.count()).select_from(Cooperative)) == before


def test_an_unexpected_error_shows_a_500_page_in_the_users_language(app, client, login_as):
    login_as("accountant")
    client.post("/language", data={"locale": "ar", "next": "/"})

    def broken():
        raise RuntimeError("boom")

    app.view_functions["dashboard.home"] = broken
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/")
    assert response.status_code == 500
    assert 'dir="rtl"' in response.text
    assert "boom" not in response.text and "Traceback" not in response.text


def test_an_oversized_upload_is_refused_with_a_clear_page(app, client, login_as):
    login_as("accountant")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    big = io.BytesIO(b"code,name,filiere,province\n" + b"x" * 4096)
    response = client.post("/cooperatives/import", data={"file": (big, "big.csv")})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.text


def test_a_file_neither_utf8_nor_windows_1252_is_refused_by_line(client, login_as):
    login_as("accountant")
    # 0x81 and 0x8D are undefined in Windows-1252, and not UTF-8 here either
    body = io.BytesIO(b"code,name,filiere,province\nCOOP-1,Coop\x81\x8d,honey,MA-HOC\n")
    response = client.post("/cooperatives/import", data={"file": (body, "latin.csv")})
    assert response.status_code == 422
    assert "UTF-8" in response.text
