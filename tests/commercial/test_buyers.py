"""Buyers and their contacts: phone and email keys, and the duplicate warning."""

import pytest
from sqlalchemy import func, select

from commercial import services
from commercial.models import Buyer, Contact


@pytest.mark.parametrize(
    "written",
    [
        "0612345678",
        "06 12 34 56 78",
        "+212 6 12 34 56 78",
        "00212 612345678",
        "+212 (0)6-12-34-56-78",
    ],
)
def test_moroccan_numbers_written_any_way_give_one_key(written):
    assert services.normalise_phone(written) == "212612345678"


def test_keys_are_set_by_the_services(session):
    buyer = services.create_buyer(
        session,
        {
            "name": "Riad Tétouan",
            "kind": "hotel",
            "phone": "05 39 99 00 11",
            "email": "  Contact@Riad.MA ",
        },
        actor=None,
    )
    assert buyer.phone_key == "212539990011"
    assert buyer.email_key == "contact@riad.ma"


def test_find_duplicates_returns_buyers_and_contacts(session):
    buyer = services.create_buyer(
        session, {"name": "Hôtel Kasbah", "phone": "0612345678"}, actor=None
    )
    contact = services.add_contact(
        session, buyer.id, {"name": "Amina", "email": "Amina@Kasbah.ma"}, actor=None
    )
    assert services.find_duplicates(session, phone="+212 6 12 34 56 78") == [buyer]
    assert services.find_duplicates(session, email="amina@kasbah.MA ") == [contact]
    assert services.find_duplicates(session) == []


def buyers(session) -> int:
    return session.scalar(select(func.count()).select_from(Buyer))


def test_buyer_with_a_phone_written_differently_is_flagged_until_confirmed(
    client, session, login_as
):
    login_as("sales_adviser")
    first = {"name": "Hôtel Kasbah", "kind": "hotel", "phone": "0612345678"}
    assert client.post("/commercial/buyers/new", data=first).status_code == 302
    second = {"name": "Kasbah Hotel SARL", "kind": "hotel", "phone": "+212 6 12 34 56 78"}
    response = client.post("/commercial/buyers/new", data=second)
    assert response.status_code == 422
    assert "Hôtel Kasbah" in response.text
    assert 'name="save_anyway"' in response.text
    assert buyers(session) == 1

    response = client.post("/commercial/buyers/new", data=dict(second, save_anyway="y"))
    assert response.status_code == 302
    assert buyers(session) == 2


def test_service_refuses_a_duplicate_naming_the_existing_buyer(session):
    services.create_buyer(
        session, {"name": "Bazar Chaouen", "email": "bazar@chaouen.ma"}, actor=None
    )
    with pytest.raises(services.DuplicateFound) as refused:
        services.create_buyer(session, {"name": "Autre", "email": "BAZAR@chaouen.ma"}, actor=None)
    assert "Bazar Chaouen" in str(refused.value.message)
    assert services.create_buyer(
        session, {"name": "Autre", "email": "BAZAR@chaouen.ma"}, create_anyway=True, actor=None
    )


def test_contact_duplicate_by_email_case(client, session, login_as):
    first = services.create_buyer(session, {"name": "Export Nord", "kind": "exporter"}, actor=None)
    services.add_contact(
        session, first.id, {"name": "Omar", "email": "omar@export-nord.ma"}, actor=None
    )
    other = services.create_buyer(
        session, {"name": "Épicerie fine Tanger", "kind": "shop"}, actor=None
    )
    session.commit()
    login_as("admin")
    data = {"name": "O. Benali", "role": "Acheteur", "email": "Omar@Export-Nord.MA"}
    response = client.post(f"/commercial/buyers/{other.id}/contacts/new", data=data)
    assert response.status_code == 422
    assert "Export Nord" in response.text
    assert session.scalar(select(func.count()).select_from(Contact)) == 1
    response = client.post(
        f"/commercial/buyers/{other.id}/contacts/new", data=dict(data, save_anyway="y")
    )
    assert response.status_code == 302
    contact = session.scalar(select(Contact).where(Contact.buyer_id == other.id))
    assert contact.email_key == "omar@export-nord.ma"


def test_buyers_list_search_and_detail(client, session, login_as):
    buyer = services.create_buyer(
        session, {"name": "Riad Dar Zman", "city": "Chefchaouen", "phone": "0661000111"}, actor=None
    )
    services.add_contact(session, buyer.id, {"name": "Khadija", "role": "Gérante"}, actor=None)
    services.create_buyer(session, {"name": "Hôtel Atlas", "city": "Tanger"}, actor=None)
    session.commit()
    login_as("sales_adviser")
    text = client.get("/commercial/buyers?q=Khadija").text
    assert "Riad Dar Zman" in text and "Hôtel Atlas" not in text
    text = client.get("/commercial/buyers?q=+212 661 000").text
    assert "Riad Dar Zman" in text and "Hôtel Atlas" not in text
    detail = client.get(f"/commercial/buyers/{buyer.id}").text
    assert "Khadija" in detail and "Gérante" in detail


def test_editing_a_buyer_keeps_its_own_phone(client, session, login_as):
    adviser = login_as("sales_adviser")
    buyer = services.create_buyer(
        session, {"name": "Hôtel Kasbah", "phone": "0612345678"}, actor=adviser
    )
    session.commit()
    response = client.post(
        f"/commercial/buyers/{buyer.id}/edit",
        data={"name": "Hôtel Kasbah", "kind": "hotel", "phone": "06 12 34 56 78"},
    )
    assert response.status_code == 302


def test_presidents_do_not_reach_the_buyers(client, login_as):
    login_as("president")
    assert client.get("/commercial/buyers").status_code == 403
