"""Programme pages: the directory, an actor with its relations both ways, a project with its
cooperatives (a president sees only their own), a cooperative's projects; read-only routes."""

import pytest

from gie.security import ROLES
from tests.programme.records import actor_id, project_id

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def test_no_programme_route_accepts_a_write(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("programme.")]
    # six pages, and the two rules of their former /press/ addresses
    assert len(rules) == 8
    for rule in rules:
        assert not rule.methods & WRITE_METHODS, rule.rule


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_directory_from_the_menu(client, login_as, shipped, role):
    cooperative = shipped["COOP-001"] if role == "president" else None
    login_as(role, cooperative)
    home = client.get("/")
    assert 'href="/programme/"' in home.text
    page = client.get("/programme/")
    assert page.status_code == 200
    for text in ("Maison de l'Économie Sociale et Solidaire", "ORESS", "Route des fromages"):
        assert text.replace("'", "&#39;") in page.text
    assert page.text.index("Conseil régional de Provence") < page.text.index("Alternatives Sans")


def test_directory_in_arabic_shows_the_arabic_names(client, login_as, shipped):
    login_as("accountant", locale="ar")
    page = client.get("/programme/")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    for text in ("دار الاقتصاد الاجتماعي والتضامني", "مسار أجبان جبال جبالة", "بدائل بلا حدود"):
        assert text in page.text


def test_actor_shows_its_relations_both_ways(session, client, login_as, shipped):
    login_as("sales_adviser", locale="fr")
    page = client.get(f"/programme/actors/{actor_id(session, 'mess')}")
    assert page.status_code == 200
    assert f'href="/programme/actors/{actor_id(session, "press")}"' in page.text
    for key in ("cress_paca", "asf"):
        assert f'href="/programme/actors/{actor_id(session, key)}"' in page.text
    assert 'data-relation="axis_of"' in page.text
    assert page.text.count('data-relation="trained-reverse"') == 2
    noress = client.get(f"/programme/actors/{actor_id(session, 'noress')}")
    assert noress.text.count('href="/programme/projects/') == 3
    assert "2012" in noress.text


def test_actor_page_in_arabic(session, client, login_as, shipped):
    login_as("training_coordinator", locale="ar")
    page = client.get(f"/programme/actors/{actor_id(session, 'oress')}")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert "المرصد الجهوي للاقتصاد الاجتماعي والتضامني" in page.text
    assert "أُحدث سنة 2008" in page.text


def test_unknown_actor_or_project_is_not_found(client, login_as, shipped):
    login_as("admin")
    assert client.get("/programme/actors/999999").status_code == 404
    assert client.get("/programme/projects/999999").status_code == 404


def test_staff_see_every_cooperative_of_a_project(session, client, login_as, shipped):
    login_as("accountant")
    page = client.get(f"/programme/projects/{project_id(session, 'demo-vitrine-artisanat')}")
    assert page.status_code == 200
    assert "data-demo" in page.text
    for code in ("COOP-003", "COOP-004", "COOP-007", "COOP-010"):
        assert f'href="/cooperatives/{shipped[code].id}"' in page.text
        assert f"Coopérative {code}" in page.text
    assert "data-others" not in page.text


def test_president_sees_only_their_own_cooperative_and_a_count(session, client, login_as, shipped):
    login_as("president", shipped["COOP-004"])
    page = client.get(f"/programme/projects/{project_id(session, 'demo-vitrine-artisanat')}")
    assert page.status_code == 200
    assert f'href="/cooperatives/{shipped["COOP-004"].id}"' in page.text
    for hidden in ("COOP-003", "COOP-007", "COOP-010"):
        assert hidden not in page.text
    assert 'data-others="3"' in page.text
    assert "Autres coopératives participantes\xa0: 3" in page.text


def test_president_of_a_cooperative_outside_the_project_sees_only_the_count(
    session, client, login_as, shipped
):
    login_as("president", shipped["COOP-005"])
    page = client.get(f"/programme/projects/{project_id(session, 'demo-fromages-jbala')}")
    assert page.status_code == 200
    assert "COOP-001" not in page.text and "COOP-002" not in page.text
    assert 'data-others="2"' in page.text


def test_project_page_in_arabic(session, client, login_as, shipped):
    login_as("president", shipped["COOP-006"], locale="ar")
    page = client.get(f"/programme/projects/{project_id(session, 'demo-terroirs-rif')}")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert "منتوجات مجال الريف: الزيت والعسل والنباتات" in page.text


def test_cooperative_page_shows_its_projects(session, client, login_as, shipped):
    login_as("president", shipped["COOP-003"])
    page = client.get(f"/cooperatives/{shipped['COOP-003'].id}")
    assert page.status_code == 200
    assert "data-press-projects" in page.text
    link = f'href="/programme/projects/{project_id(session, "demo-vitrine-artisanat")}"'
    assert link in page.text
    assert "Vitrine commune de l&#39;artisanat du Nord" in page.text
    assert "Route des fromages" not in page.text


def test_cooperative_without_project_has_no_programme_panel(client, login_as, make_cooperative):
    cooperative = make_cooperative()
    login_as("accountant")
    page = client.get(f"/cooperatives/{cooperative.id}")
    assert page.status_code == 200
    assert "data-press-projects" not in page.text


def test_former_press_addresses_move_permanently_to_the_programme(client, login_as, shipped):
    login_as("accountant")
    page = client.get("/press/observatory?year=2024&by=filiere")
    assert page.status_code == 301
    assert page.location == "/programme/observatory?year=2024&by=filiere"
    directory = client.get("/press/")
    assert directory.status_code == 301
    assert directory.location == "/programme/"
    assert client.get("/press/", follow_redirects=True).status_code == 200
