"""The authorization matrix: every route, as anonymous and as each role, answers as the
permission table says; presidents never reach another cooperative's data."""

import re

import pytest

from gie.security import PERMISSIONS, PUBLIC, ROLES

# Path parameters filled with a record the visitor may see.
OWN = {"cooperative_id": "own_cooperative", "user_id": "some_user"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        yield rule, view, method


def _url(rule, ids):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[OWN[m.group(1)]]), rule.rule)


def test_every_route_declares_a_known_permission(app):
    for rule, view, _ in _routes(app):
        permission = getattr(view, "permission", None)
        assert permission is not None, f"{rule.rule} declares no permission"
        assert permission == PUBLIC or permission in PERMISSIONS, rule.rule


@pytest.fixture
def ids(make_cooperative, make_user):
    return {"own_cooperative": make_cooperative().id, "some_user": make_user("accountant").id}


def _visit(client, method, url):
    return client.open(url, method=method, data={})


def test_anonymous_visitors_are_sent_to_login(app, client, ids):
    for rule, view, method in _routes(app):
        response = _visit(client, method, _url(rule, ids))
        if view.permission == PUBLIC:
            assert response.status_code in (200, 302), rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert response.location.startswith("/login"), rule.rule


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_permissions(app, client, login_as, make_cooperative, role, ids):
    cooperative = None
    if role == "president":
        cooperative = make_cooperative()
        ids = dict(ids, own_cooperative=cooperative.id)
    user = login_as(role, cooperative)
    ids["some_user"] = user.id if role == "admin" else ids["some_user"]
    for rule, view, method in _routes(app):
        if rule.endpoint == "users.logout":
            continue
        response = _visit(client, method, _url(rule, ids))
        allowed = view.permission == PUBLIC or role in PERMISSIONS[view.permission]
        if allowed:
            assert response.status_code not in (401, 403, 404, 500), (
                rule.rule,
                response.status_code,
            )
        else:
            assert response.status_code == 403, (rule.rule, response.status_code)


def test_president_gets_404_on_every_page_of_another_cooperative(
    app, client, login_as, make_cooperative
):
    own, other = make_cooperative(), make_cooperative()
    login_as("president", own)
    for rule, view, method in _routes(app):
        if "cooperative_id" not in rule.arguments:
            continue
        if "president" not in PERMISSIONS.get(view.permission, ()):
            continue
        url = re.sub(r"<(?:\w+:)?cooperative_id>", str(other.id), rule.rule)
        response = _visit(client, method, url)
        assert response.status_code == 404, rule.rule
        assert other.name not in response.text


def test_president_sees_own_cooperative_and_its_export(client, login_as, make_cooperative):
    own = make_cooperative(name="Coopérative Fromagère Jbala")
    login_as("president", own)
    assert "Coopérative Fromagère Jbala" in client.get(f"/cooperatives/{own.id}").text
    export = client.get(f"/cooperatives/{own.id}/export.csv")
    assert export.status_code == 200
    assert own.code in export.text


def test_president_list_and_export_hold_only_their_cooperative(client, login_as, make_cooperative):
    own, other = make_cooperative(), make_cooperative()
    login_as("president", own)
    assert client.get("/cooperatives/").location == f"/cooperatives/{own.id}"
    export = client.get("/cooperatives/export.csv").text
    assert own.code in export
    assert other.code not in export
