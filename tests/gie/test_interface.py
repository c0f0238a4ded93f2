import re
import tomllib
from decimal import Decimal
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_arabic_turns_the_layout_right_to_left_with_arabic_navigation(client, login_as):
    login_as("accountant")
    french = client.get("/").text
    assert 'dir="ltr"' in french and ">Coopératives<" in french
    client.post("/language", data={"locale": "ar", "next": "/"})
    arabic = client.get("/").text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert ">التعاونيات<" in arabic
    assert ">الرئيسية<" in arabic


def test_language_choice_is_kept_with_the_user(app, client, login_as):
    user = login_as("accountant")
    client.post("/language", data={"locale": "ar", "next": "/"})
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert 'dir="rtl"' in elsewhere.get("/").text


def test_anonymous_visitor_can_switch_the_login_page_to_english(client):
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert ">Log in<" in client.get("/login").text


def test_amounts_and_dates_follow_the_locale(client, login_as, make_cooperative):
    login_as("accountant")
    cooperative = make_cooperative(share_capital=Decimal("1234567.50"))
    french = client.get(f"/cooperatives/{cooperative.id}").text
    assert "1\u202f234\u202f567,50\xa0MAD" in french
    client.post("/language", data={"locale": "ar", "next": "/"})
    arabic = client.get(f"/cooperatives/{cooperative.id}").text
    assert "1.234.567,50" in arabic and "د.م." in arabic


def test_error_pages_speak_the_users_language(client, login_as):
    login_as("accountant")
    assert "Page introuvable" in client.get("/cooperatives/999999").text
    client.post("/language", data={"locale": "ar", "next": "/"})
    page = client.get("/cooperatives/999999")
    assert page.status_code == 404
    assert 'dir="rtl"' in page.text


def test_pages_carry_security_headers_and_no_inline_script(client, login_as):
    login_as("admin")
    for url in ("/", "/cooperatives/", "/admin/users/", "/admin/audit/", "/login"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), url
        assert "style=" not in response.text, url


def test_static_assets_are_served_locally(client):
    page = client.get("/login").text
    assert "http://" not in page and "https://" not in page
    with client.get("/static/css/app.css") as stylesheet:
        assert stylesheet.status_code == 200


def _packages() -> list[str]:
    """Every package of the application, as the import contracts list them."""
    with (ROOT / "pyproject.toml").open("rb") as project:
        return tomllib.load(project)["tool"]["importlinter"]["root_packages"]


def test_every_message_is_translated_in_french_and_arabic(tmp_path):
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-k", "_l", "-F", str(ROOT / "babel.cfg"), "-o", str(template)]
        + [str(ROOT / package) for package in _packages()]
    )
    with template.open("rb") as extracted:
        wanted = {m.id for m in read_po(extracted) if m.id}
    for language in ("fr", "ar"):
        path = ROOT / "gie" / "translations" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as po:
            catalog = read_po(po)
        translated = {
            m.id
            for m in catalog
            if m.id and not m.fuzzy and (all(m.string) if m.pluralizable else m.string)
        }
        assert wanted - translated == set(), language


def test_language_picked_on_the_login_page_becomes_the_accounts(client, make_user):
    user = make_user("accountant")
    client.post("/language", data={"locale": "ar", "next": "/login"})
    client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert 'dir="rtl"' in client.get("/").text
