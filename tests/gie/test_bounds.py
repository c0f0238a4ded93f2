"""Numbers out of range in an address or a query: a page that does not exist, or the value
ignored, never a server error."""

import re

import pytest

from accounting import services as accounting

TOO_BIG = "99999999999999999999"


@pytest.mark.parametrize(
    "role", ["admin", "accountant", "sales_adviser", "training_coordinator", "president"]
)
@pytest.mark.parametrize("too_big", [TOO_BIG, str(2**70)])
def test_every_int_route_answers_404_to_an_id_no_database_holds(
    app, client, login_as, role, too_big
):
    login_as(role)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        url = re.sub(r"<int:\w+>", too_big, rule.rule)
        url = re.sub(r"<(?:\w+:)?\w+>", "x", url)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(url, method=method)
        assert response.status_code == 404, (method, url, response.status_code)
        checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    "url",
    [
        f"/cooperatives/{TOO_BIG}",
        f"/cooperatives/?page={TOO_BIG}",
        "/cooperatives/?page=-3",
        "/cooperatives/?page=deux",
        "/commercial/catalogue?price_min=-1e309",
        "/commercial/catalogue?price_max=1e400",
        f"/commercial/catalogue?cooperative_id={TOO_BIG}",
        "/training/indicators?year=-1",
        f"/training/indicators?year={TOO_BIG}",
        f"/admin/audit/?user_id={TOO_BIG}",
    ],
)
def test_out_of_range_query_values_are_no_server_error(client, login_as, url):
    login_as("admin")
    status = client.get(url).status_code
    assert status == (404 if url.startswith(f"/cooperatives/{TOO_BIG}") else 200), url


def test_an_amount_filter_beyond_any_amount_is_ignored(client, session, login_as, make_cooperative):
    ledger = accounting.open_ledger(session, make_cooperative().code, first_year=2026)
    session.commit()
    login_as("admin")
    for amount in ("1e400", "-1e309", "NaN", "Infinity"):
        response = client.get(f"/accounting/ledgers/{ledger.id}/entries?amount={amount}")
        assert response.status_code == 200, amount


def test_a_page_beyond_the_last_shows_the_last(client, login_as, make_cooperative):
    login_as("admin")
    cooperative = make_cooperative()
    assert cooperative.code in client.get(f"/cooperatives/?q={cooperative.code}&page=999").text
