"""Buyers and products belong to the adviser who created them or whom an admin gave them:
they edit them, other advisers read them, admins edit all."""

from decimal import Decimal

import pytest

from commercial import services
from gie.errors import PermissionDenied, ValidationError

PRODUCT = {
    "name": "Miel de thym",
    "unit": "jar",
    "price_min": Decimal("80"),
    "price_max": Decimal("90"),
}


def test_an_adviser_owns_what_they_create_whatever_owner_they_ask_for(
    session, make_user, make_cooperative
):
    adviser, other = make_user("sales_adviser"), make_user("sales_adviser")
    buyer = services.create_buyer(session, {"name": "Riad", "owner_id": other.id}, actor=adviser)
    product = services.create_product(
        session, make_cooperative().id, {**PRODUCT, "owner_id": other.id}, actor=adviser
    )
    assert buyer.owner_id == adviser.id
    assert product.owner_id == adviser.id


def test_an_adviser_cannot_give_away_their_buyer(session, make_user):
    adviser, other = make_user("sales_adviser"), make_user("sales_adviser")
    buyer = services.create_buyer(session, {"name": "Riad"}, actor=adviser)
    services.update_buyer(session, buyer.id, {"name": "Riad", "owner_id": other.id}, actor=adviser)
    assert buyer.owner_id == adviser.id


def test_the_admin_gives_a_record_to_an_adviser_who_then_edits_it(
    session, make_user, make_cooperative
):
    admin, adviser = make_user("admin"), make_user("sales_adviser")
    buyer = services.create_buyer(session, {"name": "Riad"}, actor=admin)
    assert buyer.owner_id is None
    with pytest.raises(PermissionDenied):
        services.update_buyer(session, buyer.id, {"name": "Riad Zman"}, actor=adviser)
    services.update_buyer(session, buyer.id, {"name": "Riad", "owner_id": adviser.id}, actor=admin)
    services.update_buyer(session, buyer.id, {"name": "Riad Zman"}, actor=adviser)
    assert buyer.name == "Riad Zman"
    product = services.create_product(
        session, make_cooperative().id, {**PRODUCT, "owner_id": adviser.id}, actor=admin
    )
    services.set_product_active(session, product.id, False, actor=adviser)
    assert not product.active


def test_only_an_active_adviser_or_admin_may_own_a_record(session, make_user):
    admin = make_user("admin")
    accountant = make_user("accountant")
    with pytest.raises(ValidationError) as refused:
        services.create_buyer(session, {"name": "Riad", "owner_id": accountant.id}, actor=admin)
    assert "owner_id" in refused.value.field_errors


def test_another_advisers_buyer_shows_no_edit_link(client, session, login_as, make_user):
    buyer = services.create_buyer(session, {"name": "Riad"}, actor=make_user("sales_adviser"))
    session.commit()
    login_as("sales_adviser")
    page = client.get(f"/commercial/buyers/{buyer.id}").text
    assert "Riad" in page
    assert f"/commercial/buyers/{buyer.id}/edit" not in page
    assert f"/commercial/buyers/{buyer.id}/contacts/new" not in page


def test_the_admin_chooses_the_adviser_on_the_edit_page(client, session, login_as, make_user):
    adviser = make_user("sales_adviser", name="Salma Adviser")
    buyer = services.create_buyer(session, {"name": "Riad"}, actor=None)
    session.commit()
    login_as("admin")
    assert "Salma Adviser" in client.get(f"/commercial/buyers/{buyer.id}/edit").text
    response = client.post(
        f"/commercial/buyers/{buyer.id}/edit",
        data={"name": "Riad", "kind": "hotel", "owner_id": str(adviser.id)},
    )
    assert response.status_code == 302
    session.expire_all()
    assert services.get_buyer(session, buyer.id).owner_id == adviser.id
