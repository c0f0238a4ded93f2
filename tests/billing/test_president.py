"""A cooperative president sees their own cooperative's invoices, credit notes, payments and
statement, with the PDFs; nothing of another customer (404), and no write route (403)."""

from datetime import date
from decimal import Decimal

import pytest

from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from gie.cooperatives.models import Cooperative


@pytest.fixture
def two_members(session, gie_books, catalogue, member):
    """Two member cooperatives, each with an issued invoice, a credit note and a payment."""
    records = []
    for _ in range(2):
        customer = member()
        draft = billing_invoices.save_draft_invoice(
            session,
            customer.id,
            [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
            on=date(2026, 3, 1),
        )
        invoice = billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, 2))
        credit = billing_invoices.create_credit_note(
            session, invoice.id, on=date(2026, 3, 3), amount_net=Decimal("100")
        )
        payment = billing_payments.record_payment(
            session,
            customer_id=customer.id,
            received_on=date(2026, 3, 20),
            amount=Decimal("500"),
            method="cash",
            reference=f"ESP-{customer.code}",
        )
        records.append(
            {
                "customer": customer.id,
                "code": customer.code,
                "cooperative": customer.cooperative_id,
                "invoice": invoice.id,
                "number": invoice.number,
                "credit": credit.id,
                "credit_number": credit.number,
                "payment": payment.id,
            }
        )
    session.commit()
    return records


def _login_president_of(session, login_as, record):
    return login_as("president", session.get(Cooperative, record["cooperative"]))


def test_a_president_reads_their_invoices_payments_statement_and_pdfs(
    session, client, login_as, two_members
):
    own, other = two_members
    _login_president_of(session, login_as, own)
    assert client.get("/billing/").location == f"/billing/customers/{own['customer']}"
    listing = client.get("/billing/invoices/").text
    assert own["number"] in listing and own["credit_number"] in listing
    assert other["number"] not in listing and other["code"] not in listing
    page = client.get(f"/billing/invoices/{own['invoice']}").text
    assert own["number"] in page
    assert "/issue" not in page and "/credit-note" not in page  # no buttons for what is refused
    assert client.get(f"/billing/invoices/{own['credit']}").status_code == 200
    payments = client.get("/billing/payments/").text
    assert f"ESP-{own['code']}" in payments and f"ESP-{other['code']}" not in payments
    assert client.get(f"/billing/payments/{own['payment']}").status_code == 200
    statement = client.get(
        f"/billing/customers/{own['customer']}/statement?date_from=2026-01-01&date_to=2026-12-31"
    ).text
    assert own["number"] in statement and own["credit_number"] in statement
    customers = client.get("/billing/customers/").text
    assert own["code"] in customers and other["code"] not in customers
    for url in (
        f"/billing/invoices/{own['invoice']}.pdf?lang=fr",
        f"/billing/invoices/{own['invoice']}.pdf?lang=ar",
        f"/billing/invoices/{own['credit']}.pdf?lang=fr",
        f"/billing/customers/{own['customer']}/statement.pdf?lang=ar",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), url


def test_a_president_gets_404_on_another_cooperatives_records(
    session, client, login_as, two_members
):
    own, other = two_members
    _login_president_of(session, login_as, own)
    for url in (
        f"/billing/invoices/{other['invoice']}",
        f"/billing/invoices/{other['credit']}",
        f"/billing/invoices/{other['invoice']}.pdf?lang=fr",
        f"/billing/payments/{other['payment']}",
        f"/billing/customers/{other['customer']}",
        f"/billing/customers/{other['customer']}/statement",
        f"/billing/customers/{other['customer']}/statement.pdf",
        f"/billing/customers/{other['customer']}/reminder.pdf?on=2026-12-31",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert other["code"] not in response.text and other["number"] not in response.text


def test_a_president_may_not_write(session, client, login_as, two_members):
    own, _other = two_members
    _login_president_of(session, login_as, own)
    for url in (
        "/billing/customers/new",
        f"/billing/customers/{own['customer']}/edit",
        f"/billing/customers/members/{own['cooperative']}",
        "/billing/services/new",
        "/billing/subscriptions/new",
        "/billing/run",
        "/billing/invoices/new",
        f"/billing/invoices/{own['invoice']}/edit",
        f"/billing/invoices/{own['invoice']}/issue",
        f"/billing/invoices/{own['invoice']}/delete",
        f"/billing/invoices/{own['invoice']}/credit-note",
        "/billing/payments/new",
    ):
        assert client.post(url, data={}).status_code == 403, url
    assert client.get("/billing/run").status_code == 403  # the preview shows every customer
    assert (
        client.post(
            f"/billing/invoices/{own['invoice']}/credit-note", data={"credit_date": "2026-04-01"}
        ).status_code
        == 403
    )
