"""The billing pages as the GIE's accountant uses them: customers, catalogue, subscriptions,
billing runs, drafts, issuing, credit notes, payments and statements."""

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select

from accounting import vat_rates
from billing.models import BilledPeriod, Customer, Invoice, Payment, ServicePrice, Subscription
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from billing.services import runs as billing_runs
from billing.services import subscriptions as billing_subscriptions
from tests.snapshot import assert_unchanged, snapshot

BAD_ICE = "001561191000065"  # 15 digits, wrong check number
GOOD_ICE = "001561191000066"


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def reload(session, record):
    """The record as the database has it now (each request works in a session of its own)."""
    return session.get(type(record), inspect(record).identity)


def figure(page: str, name: str) -> str:
    """The text of the element marked `data-<name>` on a page."""
    match = re.search(rf"data-{name}[^>]*>([^<]*)<", page)
    assert match, f"no data-{name} on the page"
    return match.group(1).strip()


def amounts(text: str) -> str:
    """Amounts as the French locale groups them, without the spaces."""
    return re.sub(r"[\s\u202f\xa0]", "", text)


def subscribe(session, customer, service, start=date(2026, 1, 1), **options):
    subscription = billing_subscriptions.create_subscription(
        session, customer_id=customer.id, service_id=service.id, start_on=start, **options
    )
    session.commit()
    return subscription


def billed_draft(session, customer, catalogue, month=3):
    subscribe(session, customer, catalogue["bookkeeping"])
    invoice_id = billing_runs.run_billing(session, 2026, month).invoice_ids[0]
    session.commit()
    return session.get(Invoice, invoice_id)


def issued(session, customer, catalogue, quantity="1", on=date(2026, 3, 2)):
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal(quantity))],
        on=on,
    )
    invoice = billing_invoices.issue_invoice(session, draft.id, on=on)
    session.commit()
    return invoice


@pytest.fixture
def accountant(login_as):
    return login_as("accountant")


# --- customers ---------------------------------------------------------------------------------


def test_a_customer_with_an_invalid_ice_is_refused_on_the_field_and_nothing_is_saved(
    client, session, accountant
):
    form = {
        "code": "hotel-tet",
        "kind": "business",
        "name": "Hôtel Dar Tétouan",
        "address": "Avenue des FAR, Tétouan",
        "ice": BAD_ICE,
        "payment_terms_days": "30",
    }
    response = client.post("/billing/customers/new", data=form)
    assert response.status_code == 422
    assert re.search(
        r'id="ice"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="ice"', response.text
    )
    assert count(session, Customer) == 0

    response = client.post("/billing/customers/new", data=dict(form, ice=GOOD_ICE))
    assert response.status_code == 302
    customer = session.scalar(select(Customer))
    assert (customer.code, customer.ice, customer.payment_terms_days) == ("HOTEL-TET", GOOD_ICE, 30)
    page = client.get(response.location).text
    assert "HOTEL-TET" in page and GOOD_ICE in page


def test_payment_terms_over_120_days_are_refused(client, session, accountant):
    form = {"code": "F1", "kind": "funder", "name": "Fonds", "payment_terms_days": "150"}
    response = client.post("/billing/customers/new", data=form)
    assert response.status_code == 422
    assert 'id="payment_terms_days-error"' in response.text
    assert count(session, Customer) == 0


def test_a_non_member_customer_is_edited(client, session, accountant):
    customer = billing_customers.create_customer(
        session, code="OTEL", kind="business", name="Hôtel"
    )
    session.commit()
    response = client.post(
        f"/billing/customers/{customer.id}/edit",
        data={
            "code": "OTEL",
            "kind": "business",
            "name": "Hôtel Chaouen",
            "ice": GOOD_ICE,
            "payment_terms_days": "45",
            "active": "y",
        },
    )
    assert response.status_code == 302
    customer = reload(session, customer)
    assert (customer.name, customer.ice, customer.payment_terms_days) == (
        "Hôtel Chaouen",
        GOOD_ICE,
        45,
    )
    refused = client.post(
        f"/billing/customers/{customer.id}/edit",
        data={
            "code": "OTEL",
            "kind": "business",
            "name": "X",
            "ice": BAD_ICE,
            "payment_terms_days": "45",
        },
    )
    assert refused.status_code == 422
    customer = reload(session, customer)
    assert customer.name == "Hôtel Chaouen"


def test_an_unbilled_member_becomes_a_customer_with_one_click(
    client, session, accountant, make_cooperative
):
    cooperative = make_cooperative(name="Coopérative Tissage Akhmas")
    listing = client.get("/billing/customers/").text
    assert f"/billing/customers/members/{cooperative.id}" in listing
    response = client.post(f"/billing/customers/members/{cooperative.id}")
    customer = session.scalar(select(Customer).where(Customer.cooperative_id == cooperative.id))
    assert response.location == f"/billing/customers/{customer.id}"
    assert (customer.kind, customer.code, customer.ice) == (
        "member",
        cooperative.code,
        cooperative.ice,
    )
    assert (
        f"/billing/customers/members/{cooperative.id}" not in client.get("/billing/customers/").text
    )


def test_customers_are_searched_by_code_name_or_ice(client, session, accountant, member):
    billing_customers.create_customer(
        session, code="NORESS", kind="funder", name="Plateforme NORESS"
    )
    coop = member()
    session.commit()
    found = client.get("/billing/customers/?q=noress").text
    assert "NORESS" in found and coop.code not in found
    assert coop.code in client.get(f"/billing/customers/?q={coop.ice}").text
    assert "NORESS" not in client.get("/billing/customers/?kind=member").text


# --- catalogue ---------------------------------------------------------------------------------


def test_a_service_is_created_and_its_price_changes_from_a_date(client, session, accountant):
    vat_rates.ensure_vat_rates(session)
    session.commit()
    response = client.post(
        "/billing/services/new",
        data={
            "code": "appui",
            "name": "Appui commercial",
            "category": "commercial_support",
            "unit": "hour",
            "vat_code": "TVA20",
            "income_account": "7124",
            "public_price": "450",
            "member_price": "300,00",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    service_url = response.location
    service_id = int(service_url.rsplit("/", 1)[1])

    refused = client.post(
        f"/billing/services/{service_id}/prices",
        data={"valid_from": "2026-07-01", "public_price": "400", "member_price": "500"},
    )
    assert refused.status_code == 422
    assert 'id="member_price-error"' in refused.text
    assert count(session, ServicePrice, ServicePrice.service_id == service_id) == 1

    client.post(
        f"/billing/services/{service_id}/prices",
        data={"valid_from": "2026-07-01", "public_price": "500", "member_price": "350"},
    )
    history = client.get(service_url).text
    assert amounts("350,00 MAD") in amounts(history) and amounts("300,00 MAD") in amounts(history)
    assert "APPUI" in client.get("/billing/services/").text
    assert count(session, ServicePrice, ServicePrice.service_id == service_id) == 2


# --- subscriptions -----------------------------------------------------------------------------


def test_a_subscription_for_an_unbilled_cooperative_makes_it_a_customer(
    client, session, accountant, catalogue, make_cooperative
):
    cooperative = make_cooperative()
    form_page = client.get("/billing/subscriptions/new").text
    assert f'value="coop-{cooperative.id}"' in form_page
    data = {
        "customer_id": f"coop-{cooperative.id}",
        "service_id": str(catalogue["bookkeeping"].id),
        "quantity": "1",
        "period": "monthly",
        "start_on": "2026-02-01",
        "end_on": "2026-01-01",
    }
    refused = client.post("/billing/subscriptions/new", data=data)
    assert refused.status_code == 422
    assert 'id="end_on-error"' in refused.text
    assert count(session, Subscription) == 0
    assert count(session, Customer) == 0

    response = client.post("/billing/subscriptions/new", data=dict(data, end_on=""))
    assert response.status_code == 302
    subscription = session.scalar(select(Subscription))
    assert subscription.customer.cooperative_id == cooperative.id
    assert subscription.cooperative_id == cooperative.id
    assert subscription.start_on == date(2026, 2, 1)


def test_a_funded_subscription_with_a_discount(client, session, accountant, catalogue, member):
    customer = member()
    funder = billing_customers.create_customer(session, code="NORESS", kind="funder", name="NORESS")
    session.commit()
    response = client.post(
        "/billing/subscriptions/new",
        data={
            "customer_id": str(customer.id),
            "service_id": str(catalogue["training"].id),
            "quantity": "1,5",
            "period": "quarterly",
            "start_on": "2026-01-01",
            "discount_percent": "10",
            "funder_id": str(funder.id),
            "funder_share_percent": "30",
        },
    )
    assert response.status_code == 302
    subscription = session.scalar(select(Subscription))
    assert (
        subscription.quantity,
        subscription.discount_percent,
        subscription.funder_share_percent,
    ) == (
        Decimal("1.500"),
        Decimal("10.00"),
        Decimal("30.00"),
    )
    listing = client.get(f"/billing/subscriptions/?customer_id={funder.id}").text
    assert customer.code in listing  # a funder sees the subscriptions it pays a share of


def test_a_subscription_is_suspended_resumed_and_ended(
    client, session, accountant, catalogue, member
):
    subscription = subscribe(session, member(), catalogue["bookkeeping"])
    url = f"/billing/subscriptions/{subscription.id}/status"
    client.post(url, data={"status": "suspended"})
    subscription = reload(session, subscription)
    assert subscription.status == "suspended"
    assert 'data-status="suspended"' in client.get("/billing/subscriptions/?status=suspended").text
    client.post(url, data={"status": "active"})
    subscription = reload(session, subscription)
    assert subscription.status == "active"
    client.post(url, data={"status": "ended", "end_on": "2026-04-30"})
    subscription = reload(session, subscription)
    assert (subscription.status, subscription.end_on) == ("ended", date(2026, 4, 30))


# --- billing runs ------------------------------------------------------------------------------


def test_a_billing_month_is_previewed_run_and_run_again_for_nothing(
    client, session, accountant, catalogue, member
):
    first, second = member(), member()
    subscribe(session, first, catalogue["bookkeeping"])
    subscribe(session, second, catalogue["bookkeeping"], start=date(2026, 3, 21))  # 11 of 31 days

    preview = client.get("/billing/run?month=2026-03").text
    assert (
        figure(preview, "lines"),
        figure(preview, "payers"),
        figure(preview, "already-billed"),
    ) == (
        "2",
        "2",
        "0",
    )
    # 1,500.00 + 1,500.00 × 11/31 = 1,500.00 + 532.26
    assert amounts(figure(preview, "total")) == amounts("2 032,26 MAD")
    assert count(session, Invoice) == 0  # a preview changes nothing

    done = client.post("/billing/run", data={"month": "2026-03"})
    assert done.status_code == 200
    assert (figure(done.text, "created"), figure(done.text, "skipped")) == ("2", "0")
    assert count(session, Invoice, Invoice.state == "draft") == 2

    again = client.post("/billing/run", data={"month": "2026-03"})
    assert (figure(again.text, "created"), figure(again.text, "skipped")) == ("0", "2")
    assert count(session, Invoice) == 2
    preview = client.get("/billing/run?month=2026-03").text
    assert (figure(preview, "lines"), figure(preview, "already-billed")) == ("0", "2")

    drafts = client.get("/billing/invoices/?period=2026-03&state=draft").text
    assert first.code in drafts and second.code in drafts


def test_a_month_that_is_not_a_month_is_refused(client, accountant):
    assert client.get("/billing/run?month=2026-13").status_code == 422
    response = client.post("/billing/run", data={"month": "March"})
    assert response.status_code == 302


# --- invoices ----------------------------------------------------------------------------------


def test_a_draft_is_edited_issued_and_then_cannot_change(
    client, session, accountant, gie_books, catalogue, member
):
    customer = member()
    draft = billed_draft(session, customer, catalogue)
    line = draft.lines[0]
    edit_page = client.get(f"/billing/invoices/{draft.id}/edit")
    assert edit_page.status_code == 200 and line.description in edit_page.text

    response = client.post(
        f"/billing/invoices/{draft.id}/edit",
        data={
            "customer_id": str(customer.id),
            "lines-0-service_id": str(catalogue["bookkeeping"].id),
            "lines-0-text": line.description,
            "lines-0-quantity": "1",
            "lines-0-unit_price": "1 500,00",
            "lines-0-subscription_id": str(line.subscription_id),
            "lines-1-service_id": str(catalogue["training"].id),
            "lines-1-quantity": "2",
            "lines-1-text": "Formation fiscalité",
        },
    )
    assert response.status_code == 302
    draft = reload(session, draft)
    assert [(each.net_amount, each.subscription_id is not None) for each in draft.lines] == [
        (Decimal("1500.00"), True),
        (Decimal("1600.00"), False),  # 2 days at the member price
    ]
    assert draft.total_gross == Decimal("3720.00")

    issued_page = client.post(
        f"/billing/invoices/{draft.id}/issue",
        data={"issue_date": "2026-03-31"},
        follow_redirects=True,
    ).text
    draft = reload(session, draft)
    assert draft.number == "FA-2026-00001"
    assert figure(issued_page, "number") == "FA-2026-00001"
    assert draft.due_date == date(2026, 5, 30)  # 60 days

    blocked = client.get(f"/billing/invoices/{draft.id}/edit")
    assert blocked.status_code == 302 and blocked.location == f"/billing/invoices/{draft.id}"
    client.post(
        f"/billing/invoices/{draft.id}/edit",
        data={
            "customer_id": str(customer.id),
            "lines-0-service_id": str(catalogue["training"].id),
            "lines-0-quantity": "9",
        },
    )
    assert "FA-2026-00001" in client.get(f"/billing/invoices/{draft.id}").text
    draft = reload(session, draft)
    assert draft.total_gross == Decimal("3720.00") and len(draft.lines) == 2
    invoice_id = draft.id
    deleted = client.post(f"/billing/invoices/{invoice_id}/delete", follow_redirects=True)
    assert "FA-2026-00001" in deleted.text and session.get(Invoice, invoice_id) is not None


def test_a_refused_issue_changes_nothing_and_says_why(
    client, session, accountant, gie_books, catalogue, member
):
    draft = billed_draft(session, member(), catalogue)
    before = snapshot(session)
    page = client.post(
        f"/billing/invoices/{draft.id}/issue",
        data={"issue_date": "2025-12-31"},
        follow_redirects=True,
    ).text
    assert_unchanged(session, before)
    assert "2025-12-31" in page  # no fiscal year of the GIE's books covers that day
    assert 'class="flash flash-error"' in page
    draft = reload(session, draft)
    assert (draft.state, draft.number) == ("draft", None)

    client.post("/language", data={"locale": "ar", "next": "/"})
    arabic = client.post(
        f"/billing/invoices/{draft.id}/issue",
        data={"issue_date": "2025-12-31"},
        follow_redirects=True,
    ).text
    refusal = re.search(r'class="flash flash-error">([^<]*)<', arabic).group(1)
    assert "2025-12-31" in refusal and re.search("[\u0600-\u06ff]", refusal)  # in Arabic
    assert reload(session, draft).state == "draft"


def test_an_invoice_typed_by_hand(client, session, accountant, catalogue, member):
    customer = member()
    customer_id, training_id = customer.id, catalogue["training"].id
    incomplete = client.post(
        "/billing/invoices/new",
        data={"customer_id": str(customer_id), "lines-0-service_id": str(training_id)},
    )
    assert incomplete.status_code == 422
    assert count(session, Invoice) == 0
    more = client.post(
        "/billing/invoices/new",
        data={"customer_id": str(customer_id), "lines-0-quantity": "1", "add_line": "1"},
    )
    assert 'name="lines-3-service_id"' in more.text
    response = client.post(
        "/billing/invoices/new",
        data={
            "customer_id": str(customer_id),
            "lines-0-service_id": str(training_id),
            "lines-0-quantity": "3",
            "lines-0-unit_price": "700",
        },
    )
    assert response.status_code == 302
    invoice = session.scalar(select(Invoice))
    assert (invoice.state, invoice.total_net, invoice.total_gross) == (
        "draft",
        Decimal("2100.00"),
        Decimal("2520.00"),
    )


def test_a_draft_left_by_a_run_is_deleted_and_its_month_can_be_billed_again(
    client, session, accountant, catalogue, member
):
    draft = billed_draft(session, member(), catalogue)
    response = client.post(f"/billing/invoices/{draft.id}/delete")
    assert response.location == "/billing/invoices/"
    assert count(session, Invoice) == 0 and count(session, BilledPeriod) == 0
    again = client.post("/billing/run", data={"month": "2026-03"})
    assert figure(again.text, "created") == "1"


def test_credit_notes_partial_then_full(client, session, accountant, gie_books, catalogue, member):
    invoice = issued(session, member(), catalogue, quantity="2")  # 1,600.00 + VAT = 1,920.00
    response = client.post(
        f"/billing/invoices/{invoice.id}/credit-note",
        data={"credit_date": "2026-03-10", "mode": "amount", "amount": "500", "reason": "Geste"},
    )
    credit = session.scalar(select(Invoice).where(Invoice.kind == "credit_note"))
    assert response.location == f"/billing/invoices/{credit.id}"
    assert (credit.number, credit.total_gross) == ("AV-2026-00001", Decimal("600.00"))
    invoice = reload(session, invoice)
    assert (invoice.state, invoice.open_amount) == ("issued", Decimal("1320.00"))
    assert "FA-2026-00001" in client.get(response.location).text  # the credit note names it

    too_much = client.post(
        f"/billing/invoices/{invoice.id}/credit-note",
        data={"credit_date": "2026-03-11", "mode": "amount", "amount": "5000"},
        follow_redirects=True,
    )
    assert 'class="flash flash-error"' in too_much.text
    assert count(session, Invoice, Invoice.kind == "credit_note") == 1

    client.post(
        f"/billing/invoices/{invoice.id}/credit-note",
        data={"credit_date": "2026-03-12", "mode": "full"},
    )
    invoice = reload(session, invoice)
    assert invoice.state == "cancelled"
    assert count(session, Invoice, Invoice.kind == "credit_note") == 2
    page = client.get(f"/billing/invoices/{invoice.id}").text
    assert "AV-2026-00002" in page and 'data-state="cancelled"' in page


def test_invoice_list_filters_and_totals(client, session, accountant, gie_books, catalogue, member):
    first, second = member(), member()
    issued(session, first, catalogue, on=date(2026, 3, 2))  # 960.00
    issued(session, second, catalogue, quantity="2", on=date(2026, 4, 2))  # 1,920.00
    everything = client.get("/billing/invoices/").text
    assert "FA-2026-00001" in everything and "FA-2026-00002" in everything
    assert amounts("2 880,00 MAD") in amounts(everything)
    april = client.get("/billing/invoices/?date_from=2026-04-01").text
    assert "FA-2026-00001" not in april and "FA-2026-00002" in april
    mine = client.get(f"/billing/invoices/?customer_id={first.id}").text
    assert "FA-2026-00001" in mine and "FA-2026-00002" not in mine
    assert "FA-2026-00001" not in client.get("/billing/invoices/?state=paid").text
    assert client.get("/billing/invoices/?date_from=31-02-2026").status_code == 422


# --- payments and statements -------------------------------------------------------------------


def test_a_payment_is_allocated_as_asked_and_states_follow(
    client, session, accountant, gie_books, catalogue, member
):
    customer = member()
    older = issued(session, customer, catalogue, on=date(2026, 3, 2))  # 960.00
    newer = issued(session, customer, catalogue, on=date(2026, 3, 3))  # 960.00
    step_two = client.get(f"/billing/payments/new?customer_id={customer.id}").text
    assert "FA-2026-00001" in step_two and "FA-2026-00002" in step_two

    data = {
        "customer_id": str(customer.id),
        "received_on": "2026-03-20",
        "amount": "1 000,00",
        "method": "cheque",
        "reference": "CHQ-77",
        "allocations-0-invoice_id": str(older.id),
        "allocations-0-amount": "",
        "allocations-1-invoice_id": str(newer.id),
        "allocations-1-amount": "960",
    }
    before = snapshot(session)
    too_much = client.post(
        "/billing/payments/new", data=dict(data, **{"allocations-0-amount": "900"})
    )
    assert too_much.status_code == 422
    assert_unchanged(session, before)
    # no fiscal year of the books covers the day: refused when posting, after the payment
    # and its allocations were written, and none of them is left behind
    outside = client.post("/billing/payments/new", data=dict(data, received_on="2025-06-30"))
    assert outside.status_code == 422 and "2025-06-30" in outside.text
    assert 'value="CHQ-77"' in outside.text
    assert_unchanged(session, before)

    response = client.post("/billing/payments/new", data=data)
    payment = session.scalar(select(Payment))
    assert response.location == f"/billing/payments/{payment.id}"
    older = reload(session, older)
    newer = reload(session, newer)
    assert (older.state, newer.state) == ("issued", "paid")
    page = client.get(response.location).text
    assert amounts(figure(page, "unallocated")) == amounts("40,00 MAD")
    assert "FA-2026-00002" in page and "FA-2026-00001" not in page

    # blank allocations: the oldest open invoice first
    client.post(
        "/billing/payments/new",
        data={
            "customer_id": str(customer.id),
            "received_on": "2026-03-25",
            "amount": "500",
            "method": "transfer",
        },
    )
    older = reload(session, older)
    assert (older.state, older.amount_paid) == ("partially_paid", Decimal("500.00"))
    listing = client.get(f"/billing/payments/?customer_id={customer.id}").text
    assert "CHQ-77" in listing and amounts("1 500,00 MAD") in amounts(listing)


def test_a_payment_without_amount_is_refused_on_the_field(
    client, session, accountant, gie_books, member
):
    customer = member()
    response = client.post(
        "/billing/payments/new",
        data={
            "customer_id": str(customer.id),
            "received_on": "2026-03-20",
            "amount": "0",
            "method": "cash",
        },
    )
    assert response.status_code == 422
    assert 'id="amount-error"' in response.text
    assert count(session, Payment) == 0


def test_the_statement_shows_the_running_balance_and_an_overpayment_credit(
    client, session, accountant, gie_books, catalogue, member
):
    customer = member()
    issued(session, customer, catalogue, on=date(2026, 1, 10))  # 960.00
    issued(session, customer, catalogue, quantity="2", on=date(2026, 3, 1))  # 1,920.00
    billing_payments.record_payment(
        session,
        customer_id=customer.id,
        received_on=date(2026, 3, 5),
        amount=Decimal("3000.00"),
        method="transfer",
        reference="VIR-3000",
    )
    session.commit()
    page = client.get(
        f"/billing/customers/{customer.id}/statement?date_from=2026-02-01&date_to=2026-12-31"
    ).text
    balances = [amounts(b) for b in re.findall(r"data-balance>([^<]*)<", page)]
    # opening 960.00, then the invoice (2,880.00) and the payment (−120.00)
    assert balances == [amounts("2 880,00 MAD"), amounts("-120,00 MAD")]
    assert amounts(figure(page, "closing")) == amounts("-120,00 MAD")
    assert amounts(figure(page, "unallocated")) == amounts("120,00 MAD")
    assert "VIR-3000" in page and "FA-2026-00002" in page and "FA-2026-00001" not in page

    summary = client.get(f"/billing/customers/{customer.id}").text
    assert amounts(figure(summary, "balance")) == amounts("-120,00 MAD")
    assert (
        client.get(
            f"/billing/customers/{customer.id}/statement?date_from=2026-12-31&date_to=2026-01-01"
        ).status_code
        == 422
    )


def test_overdue_invoices_are_listed_by_customer_with_their_reminders(
    client, session, accountant, gie_books, catalogue, member
):
    late, on_time = member(), member()
    issued(session, late, catalogue, on=date(2026, 1, 5))  # due 6 March
    issued(session, on_time, catalogue, on=date(2026, 3, 1))  # due 30 April
    page = client.get("/billing/overdue/?on=2026-04-01").text
    assert late.code in page and on_time.code not in page
    assert f"/billing/customers/{late.id}/reminder.pdf" in page
    assert amounts(figure(page, "total")) == amounts("960,00 MAD")
    nothing = client.get(f"/billing/customers/{on_time.id}/reminder.pdf?on=2026-04-01")
    assert nothing.status_code == 302


def test_billing_pages_have_no_inline_script_or_style_and_confirm_what_destroys(
    client, session, accountant, gie_books, catalogue, member
):
    customer = member()
    draft = billed_draft(session, customer, catalogue)
    invoice = issued(session, customer, catalogue)
    urls = [
        "/billing/invoices/",
        f"/billing/invoices/{draft.id}",
        f"/billing/invoices/{draft.id}/edit",
        f"/billing/invoices/{invoice.id}",
        "/billing/customers/",
        f"/billing/customers/{customer.id}",
        f"/billing/customers/{customer.id}/statement",
        "/billing/subscriptions/",
        "/billing/subscriptions/new",
        "/billing/services/",
        "/billing/run?month=2026-04",
        f"/billing/payments/new?customer_id={customer.id}",
        "/billing/overdue/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), url
        assert "style=" not in response.text, url
    draft_page = client.get(f"/billing/invoices/{draft.id}").text
    assert re.search(r'action="[^"]*/delete"\s+data-confirm=', draft_page)
    assert re.search(r'action="[^"]*/issue"[^>]*data-confirm=', draft_page, re.S)
