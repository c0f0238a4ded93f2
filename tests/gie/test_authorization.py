"""The authorization matrix: every route, as anonymous and as each role, answers as the
permission table says; presidents never reach another cooperative's data."""

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from accounting import services as accounting
from accounting import vat_rates
from accounting.models import GIE_LEDGER_CODE, Account, Ledger
from billing.models import Service
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from billing.services import subscriptions as billing_subscriptions
from commercial import services as commercial
from commercial.models import Activity, Buyer, Lead, Product
from financial_close import bank as bank_services
from financial_close import documents
from gie import config as gie_config
from gie.cooperatives.models import Cooperative
from gie.security import PERMISSIONS, PUBLIC, ROLES
from programme import services as programme
from programme.models import Project
from tests.financial_close.helpers import imported_one_line
from tests.snapshot import assert_unchanged, snapshot
from training.models import Attendance, Booking, Course, TrainingSession


def _routes(app) -> list:
    """Every route but the static files, with its view and the method to visit it with; a
    matrix over no route would pass while checking nothing."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        routes.append((rule, view, method))
    assert routes, "the app has no route to check"
    return routes


def _url(rule, ids):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule)


def test_every_route_declares_a_known_permission(app):
    for rule, view, _ in _routes(app):
        permission = getattr(view, "permission", None)
        assert permission is not None, f"{rule.rule} declares no permission"
        assert permission == PUBLIC or permission in PERMISSIONS, rule.rule


def _billing_records(session, cooperative) -> dict:
    """The cooperative as a customer of the GIE: a subscription, an issued invoice and a
    payment (posted in the GIE's books, opened the first time), and a catalogue service."""
    if session.scalar(select(Ledger.id).where(Ledger.code == GIE_LEDGER_CODE)) is None:
        accounting.open_ledger(session, GIE_LEDGER_CODE, first_year=date.today().year)
    vat_rates.ensure_vat_rates(session)
    service = session.scalar(select(Service).where(Service.code == "COMPTA"))
    if service is None:
        service = billing_catalogue.create_service(
            session,
            code="COMPTA",
            name="Tenue de comptabilité",
            category="bookkeeping",
            unit="month",
            public_price=Decimal("2000"),
            member_price=Decimal("1500"),
            valid_from=date(date.today().year, 1, 1),
        )
    customer = billing_customers.member_customer(session, cooperative.id)
    subscription = billing_subscriptions.create_subscription(
        session, customer_id=customer.id, service_id=service.id, start_on=date.today()
    )
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(service.id, Decimal("1"))],
        on=date.today(),
    )
    invoice = billing_invoices.issue_invoice(session, draft.id, on=date.today())
    payment = billing_payments.record_payment(
        session,
        customer_id=customer.id,
        received_on=date.today(),
        amount=Decimal("100"),
        method="transfer",
        reference="VIR-TEST",
    )
    return {
        "customer_id": customer.id,
        "subscription_id": subscription.id,
        "invoice_id": invoice.id,
        "payment_id": payment.id,
        "service_id": service.id,
    }


@pytest.fixture
def cooperative_records(session, make_cooperative, make_user):
    """A cooperative with open books, a posted entry and a draft, and its billing records:
    the ids of each kind of record that a route may name."""

    def make():
        cooperative = make_cooperative()
        ledger = accounting.open_ledger(session, cooperative.code, first_year=date.today().year)
        lines = [
            accounting.LineInput("5141", debit=Decimal("100")),
            accounting.LineInput("7124", credit=Decimal("100")),
        ]
        posted = accounting.save_draft(
            session,
            ledger.id,
            journal_code="BQ",
            entry_date=date.today(),
            label="Encaissement",
            lines=lines,
        )
        accounting.post_entry(session, posted.id)
        accounting.save_draft(
            session,
            ledger.id,
            journal_code="OD",
            entry_date=date.today(),
            label="Brouillon",
            lines=lines,
        )
        account = session.scalar(
            select(Account).where(Account.ledger_id == ledger.id, Account.code == "5141")
        )
        billing_ids = _billing_records(session, cooperative)
        commercial_ids = _commercial_records(session, cooperative, make_user("sales_adviser"))
        catalogue_ids = _catalogue_records(
            session, cooperative, commercial_ids["buyer_id"], make_user("admin")
        )
        training_ids = _training_records(session, cooperative)
        document_ids = _document_records(session, posted, make_user("admin"))
        programme_ids = _programme_records(session, cooperative)
        bank_ids = _bank_records(session, ledger)
        session.commit()
        return {
            "cooperative_id": cooperative.id,
            "ledger_id": ledger.id,
            # a VAT period of the ledger (a month or a quarter starts on 1 January)
            "period_start": date(date.today().year, 1, 1).isoformat(),
            "entry_id": posted.id,
            "account_id": account.id,
            "name": cooperative.name,
            **billing_ids,
            **commercial_ids,
            **catalogue_ids,
            **training_ids,
            **document_ids,
            **programme_ids,
            **bank_ids,
        }

    return make


def _commercial_records(session, cooperative, adviser) -> dict:
    """The default pipeline stages, a buyer, a lead of `adviser` involving the cooperative
    and an activity on it."""
    stages = commercial.ensure_default_stages(session)
    buyer = Buyer(name="Hôtel Test", kind="hotel")
    session.add(buyer)
    session.flush()
    lead = commercial.save_lead(
        session,
        {
            "title": "Lead test",
            "buyer_id": buyer.id,
            "amount": Decimal("1000"),
            "owner_id": adviser.id,
            "cooperative_ids": [cooperative.id],
        },
        actor=adviser,
    )
    activity = commercial.save_activity(
        session,
        {"kind": "call", "subject": "Appel", "due_on": date.today()},
        actor=adviser,
        lead_id=lead.id,
    )
    return {
        "stage_id": stages[0].id,
        "buyer_id": buyer.id,
        "lead_id": lead.id,
        "activity_id": activity.id,
    }


def _catalogue_records(session, cooperative, buyer_id, admin) -> dict:
    """A product of the cooperative with one photo (in the default upload store), and a
    contact of the buyer."""
    product = commercial.create_product(
        session,
        cooperative.id,
        {
            "name": "Produit test",
            "unit": "piece",
            "price_min": Decimal("10"),
            "price_max": Decimal("20"),
        },
        actor=admin,
    )
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 90, 30)).save(image, "PNG")
    store = Path(gie_config.from_environment()["GIE_UPLOAD_PATH"])
    photo = commercial.add_photo(session, product.id, image.getvalue(), store=store, actor=admin)
    contact = commercial.add_contact(session, buyer_id, {"name": "Contact test"}, actor=None)
    return {"product_id": product.id, "photo_id": photo.id, "contact_id": contact.id}


def _document_records(session, entry, admin) -> dict:
    """A supporting document (a minimal PDF, in the default upload store) of the posted entry."""
    store = Path(gie_config.from_environment()["GIE_UPLOAD_PATH"])
    document = documents.attach(
        session,
        entry_id=entry.id,
        filename="piece.pdf",
        content=b"%PDF-1.4\n%%EOF\n",
        store=store,
        actor=admin,
    )
    return {"document_id": document.id}


def _bank_records(session, ledger) -> dict:
    """A bank format (one per ledger: names are unique), a bank account of the ledger
    on 5141, an imported statement of one line and a bank rule of the ledger."""
    statement = imported_one_line(session, ledger, label="VIR RECU", amount="100.00")
    bank_account = statement.bank_account
    return {
        "bank_format_id": bank_account.bank_format_id,
        "bank_account_id": bank_account.id,
        "statement_id": statement.id,
        "bank_line_id": bank_services.statement_lines(session, statement.id)[0].id,
        "rule_id": bank_services.save_rule(
            session, ledger_id=ledger.id, pattern="FRAIS", account_code="6147"
        ).id,
    }


def _training_records(session, cooperative) -> dict:
    """A course, an open session of it and a confirmed booking of the cooperative that was
    attended (so that its certificate prints)."""
    course = Course(code=f"AUTH-{cooperative.code}", title="Formation test", hours=7)
    session.add(course)
    session.flush()
    training_session = TrainingSession(
        course_id=course.id,
        start_on=date.today(),
        end_on=date.today(),
        town="Tétouan",
        capacity=10,
        state="open",
    )
    session.add(training_session)
    session.flush()
    booking = Booking(
        session_id=training_session.id,
        cooperative_id=cooperative.id,
        participant_name="Participante test",
        sex="female",
        age_band="25_34",
        state="confirmed",
    )
    session.add(booking)
    session.flush()
    session.add(Attendance(booking_id=booking.id, day=date.today(), half="am"))
    return {
        "course_id": course.id,
        "session_id": training_session.id,
        "booking_id": booking.id,
    }


def _programme_records(session, cooperative) -> dict:
    """Two actors and a project with the cooperative, loaded as the loader does (the keys
    stay the same, so a second cooperative of the same test reloads the same records)."""
    text = f"""
[[actor]]
key = "auth-press"
kind = "programme"
name = "PRESS"
name_ar = "PRESS"
description = "Programme"
description_ar = "Programme"

[[actor]]
key = "auth-noress"
kind = "platform"
name = "NORESS"
name_ar = "NORESS"
description = "Plateforme"
description_ar = "Plateforme"

  [[actor.relation]]
  kind = "axis_of"
  target = "auth-press"

[[project]]
key = "auth-project"
funder = "auth-noress"
name = "Projet test"
name_ar = "Projet test"
description = "Projet"
description_ar = "Projet"
started = 2025-01-01

  [[project.cooperative]]
  code = "{cooperative.code}"
"""
    programme.load_actors(session, text)
    project = session.scalar(select(Project).where(Project.key == "auth-project"))
    # `path`: a page under a former address, /press/ (the programme) or /books/ (the close)
    return {"actor_id": project.funder_id, "project_id": project.id, "path": "observatory"}


def _own_the_commercial_records(session, ids, user):
    """An adviser edits only their own leads, buyers and products: give them to the adviser
    visiting."""
    lead = session.get(Lead, ids["lead_id"])
    lead.owner_id = user.id
    session.get(Activity, ids["activity_id"]).owner_id = user.id
    session.get(Buyer, ids["buyer_id"]).owner_id = user.id
    session.get(Product, ids["product_id"]).owner_id = user.id
    session.commit()


#: route arguments that name a cooperative's record (a service of the catalogue does not)
SCOPED_ARGUMENTS = {
    "document_id",
    "cooperative_id",
    "ledger_id",
    "entry_id",
    "account_id",
    "customer_id",
    "subscription_id",
    "invoice_id",
    "payment_id",
    "lead_id",
    "product_id",
    "photo_id",
    "booking_id",
    "bank_account_id",
    "statement_id",
    "bank_line_id",
    "rule_id",
}


def _visit(client, method, url):
    return client.open(url, method=method, data={})


def test_anonymous_visitors_are_sent_to_login(app, client, cooperative_records, make_user):
    ids = dict(cooperative_records(), user_id=make_user("accountant").id)
    for rule, view, method in _routes(app):
        response = _visit(client, method, _url(rule, ids))
        if view.permission == PUBLIC:
            assert response.status_code in (200, 302), rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert response.location.startswith("/login"), rule.rule


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_permissions(
    app, session, client, login_as, make_user, cooperative_records, role
):
    ids = cooperative_records()
    cooperative = None
    if role == "president":
        cooperative = session.get(Cooperative, ids["cooperative_id"])
    user = login_as(role, cooperative)
    if role == "sales_adviser":
        _own_the_commercial_records(session, ids, user)
    ids["user_id"] = user.id if role == "admin" else make_user("accountant").id
    for rule, view, method in _routes(app):
        # Routes that end the visitor's own sessions would log the rest of the walk out
        # (the admin's `user_id` is their own); tests/gie/test_sessions.py visits them.
        if rule.endpoint in ("users.logout", "users.end_my_sessions") or (
            role == "admin" and rule.endpoint == "users.user_end_sessions"
        ):
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


#: route arguments that name a buyer, a product or a photo, which their adviser owns
OWNED_COMMERCIAL_ARGUMENTS = {"buyer_id", "contact_id", "product_id", "photo_id"}


def test_another_adviser_gets_403_on_every_write_of_a_buyer_product_or_photo(
    app, session, client, login_as, make_user, cooperative_records
):
    ids = cooperative_records()
    _own_the_commercial_records(session, ids, make_user("sales_adviser"))
    login_as("sales_adviser")
    before = snapshot(session)
    visited = 0
    for rule, view, _method in _routes(app):
        if not set(rule.arguments) & OWNED_COMMERCIAL_ARGUMENTS:
            continue
        if view.permission != "commercial.edit" or "POST" not in rule.methods:
            continue
        data = {"name": "Renamed", "kind": "other", "unit": "piece", "price_min": "1"}
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(_url(rule, ids), method=method, data=data)
            assert response.status_code == 403, (rule.rule, method, response.status_code)
        visited += 1
    assert visited >= 7, "the write routes of buyers, products and photos were not all visited"
    assert_unchanged(session, before)


def test_president_gets_404_on_every_page_of_another_cooperative(
    app, client, login_as, make_cooperative, cooperative_records
):
    other = cooperative_records()
    login_as("president", make_cooperative())
    visited = 0
    for rule, view, method in _routes(app):
        if not set(rule.arguments) & SCOPED_ARGUMENTS:
            continue
        if "president" not in PERMISSIONS.get(view.permission, ()):
            continue
        response = _visit(client, method, _url(rule, other))
        assert response.status_code == 404, rule.rule
        assert other["name"] not in response.text
        visited += 1
    assert visited, "no page of a cooperative's records was visited"


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
