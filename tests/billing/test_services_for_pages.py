"""Service functions the billing pages added: editing a customer, refusing bad prices,
keeping a draft's subscription when it is edited."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from billing.models import Invoice
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from billing.services import runs as billing_runs
from billing.services import subscriptions as billing_subscriptions
from gie.errors import ValidationError


def test_a_non_member_customer_is_updated_with_the_same_checks(session):
    customer = billing_customers.create_customer(
        session, code="HOTEL", kind="business", name="Hôtel"
    )
    billing_customers.update_customer(
        session,
        customer.id,
        name="Hôtel Dar Chaouen",
        ice="001561191000066",
        payment_terms_days=30,
        kind="non_member",
    )
    assert (customer.name, customer.ice, customer.kind) == (
        "Hôtel Dar Chaouen",
        "001561191000066",
        "non_member",
    )
    with pytest.raises(ValidationError) as refused:
        billing_customers.update_customer(
            session, customer.id, name="", ice="001561191000065", payment_terms_days=121
        )
    assert set(refused.value.field_errors) == {"name", "ice", "payment_terms_days"}
    with pytest.raises(ValidationError) as refused:
        billing_customers.update_customer(session, customer.id, name="Hôtel", kind="member")
    assert "kind" in refused.value.field_errors


def test_a_member_customer_takes_its_identity_from_the_registry(session, member):
    customer = member(with_books=False)
    customer.cooperative.address = "Route de Ouezzane, Chefchaouen"  # changed in the registry
    billing_customers.update_customer(
        session, customer.id, name="ignored", email="compta@coop.ma", payment_terms_days=90
    )
    assert customer.address == "Route de Ouezzane, Chefchaouen"
    assert customer.name == customer.cooperative.name
    assert (customer.email, customer.payment_terms_days) == ("compta@coop.ma", 90)


def test_a_member_price_above_the_public_price_is_refused(session, catalogue):
    with pytest.raises(ValidationError) as refused:
        billing_catalogue.set_price(
            session,
            catalogue["training"].id,
            valid_from=date(2026, 9, 1),
            public_price=Decimal("1000"),
            member_price=Decimal("1100"),
        )
    assert "member_price" in refused.value.field_errors


def test_an_edited_run_draft_keeps_its_lines_subscriptions(session, catalogue, member):
    customer = member()
    subscription = billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
    )
    invoice_id = billing_runs.run_billing(session, 2026, 2).invoice_ids[0]
    billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [
            billing_invoices.DraftLine(
                catalogue["bookkeeping"].id,
                Decimal("1"),
                unit_price=Decimal("1400"),
                subscription_id=subscription.id,
            )
        ],
        on=date(2026, 2, 1),
        invoice_id=invoice_id,
    )
    invoice = session.scalar(select(Invoice))
    assert [(line.subscription_id, line.net_amount) for line in invoice.lines] == [
        (subscription.id, Decimal("1400.00"))
    ]


def test_a_funders_line_names_its_share_as_people_write_it(session, catalogue, member):
    customer = member()
    funder = billing_customers.create_customer(session, code="NORESS", kind="funder", name="NORESS")
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["bookkeeping"].id,
        start_on=date(2026, 1, 1),
        funder_id=funder.id,
        funder_share_percent=Decimal("30"),
    )
    plan = billing_runs.plan_run(session, 2026, 3)
    funded = [line for line in plan.lines if line.payer.id == funder.id]
    assert funded[0].description.endswith(f"— 30 % {customer.code}")
