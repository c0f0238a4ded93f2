"""Billing documents as PDF: the invoice in French and Arabic with the legal mentions and the
total in words, the credit note, the statement of account and the reminder letter."""

import re
import subprocess
import unicodedata
from datetime import date
from decimal import Decimal

import pytest

from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from gie.amounts_in_words import amount_in_words

#: the invisible marks pdftotext puts around right-to-left runs and Babel around amounts
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return BIDI_MARKS.sub("", unicodedata.normalize("NFKC", text))


def compact(text: str) -> str:
    return re.sub(r"[\s\u202f\xa0]", "", text)


def lam_alef(text: str) -> str:
    """poppler extracts the lam-alef ligature (لا) of a right-to-left line as "ال": read both
    orders as one, so that the words of the PDF compare with the words we wrote."""
    return text.replace("ال", "لا")


def words_in_order(text: str, words: str) -> bool:
    """Whether every word of `words` shows in `text`, in that order on one line."""
    wanted = " ".join(lam_alef(words).split())
    return any(wanted in " ".join(line.split()) for line in lam_alef(text).splitlines())


@pytest.fixture
def invoice(session, gie_books, catalogue, member):
    customer = member()
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [
            billing_invoices.DraftLine(catalogue["bookkeeping"].id, Decimal("1")),
            billing_invoices.DraftLine(
                catalogue["training"].id, Decimal("2"), "Formation fiscalité"
            ),
        ],
        on=date(2026, 3, 1),
    )
    invoice = billing_invoices.issue_invoice(session, draft.id, on=date(2026, 3, 31))
    session.commit()
    return invoice  # 1,500.00 + 1,600.00 = 3,100.00; VAT 620.00; 3,720.00


def test_the_invoice_pdf_in_french_carries_the_legal_mentions_and_the_total_in_words(
    app, client, login_as, invoice
):
    login_as("accountant")
    response = client.get(f"/billing/invoices/{invoice.id}.pdf?lang=fr")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    flat = compact(text)
    assert "FA-2026-00001" in text
    assert "31/03/2026" in text and "30/05/2026" in text  # issued on, due on (60 days)
    assert "3100,00" in flat and "620,00" in flat and "3720,00" in flat
    assert "Arrêtée la présente facture à la somme de" in text
    assert "trois mille sept cent vingt dirhams" in text
    # both parties' identifiers: the GIE's from the settings, the customer's frozen at issue
    for mention in ("GIE_ICE", "GIE_IF", "GIE_RC", "GIE_TP"):
        assert app.config[mention] in text, mention
    assert invoice.customer.ice in text and invoice.customer.code in text
    assert "Formation fiscalité" in text


def test_the_invoice_pdf_in_arabic_is_real_shaped_arabic(client, login_as, invoice):
    login_as("accountant")
    data = client.get(f"/billing/invoices/{invoice.id}.pdf?lang=ar").data
    text = pdf_text(data)
    assert "FA-2026-00001" in text
    assert "3.720,00" in text  # ar_MA groups with "." and marks decimals with ","
    assert "فاتورة" in text
    words = amount_in_words(Decimal("3720.00"), "ar")  # ثلاثة آلاف و سبعمائة و عشرون درهم
    assert words_in_order(text, words), words
    assert "حصرت هذه الفاتورة في مبلغ" in text


def test_the_reader_language_is_the_default_and_other_languages_are_not_found(
    client, login_as, invoice
):
    login_as("accountant")
    client.post("/language", data={"locale": "ar", "next": "/"})
    assert "فاتورة" in pdf_text(client.get(f"/billing/invoices/{invoice.id}.pdf").data)
    assert client.get(f"/billing/invoices/{invoice.id}.pdf?lang=de").status_code == 404


def test_a_credit_note_prints_as_an_avoir_naming_the_invoice(session, client, login_as, invoice):
    login_as("accountant")
    credit = billing_invoices.create_credit_note(
        session, invoice.id, on=date(2026, 4, 2), amount_net=Decimal("100"), reason="Remise"
    )
    session.commit()
    french = pdf_text(client.get(f"/billing/invoices/{credit.id}.pdf?lang=fr").data)
    assert "Avoir" in french and "AV-2026-00001" in french and "FA-2026-00001" in french
    assert "Arrêté le présent avoir à la somme de cent vingt dirhams" in french
    arabic = pdf_text(client.get(f"/billing/invoices/{credit.id}.pdf?lang=ar").data)
    assert "إشعار دائن" in arabic and "FA-2026-00001" in arabic


def test_a_draft_prints_without_a_number(session, client, login_as, catalogue, member):
    login_as("accountant")
    customer = member()
    draft = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(catalogue["training"].id, Decimal("1"))],
        on=date(2026, 3, 1),
    )
    session.commit()
    text = pdf_text(client.get(f"/billing/invoices/{draft.id}.pdf?lang=fr").data)
    assert "FA-" not in text and "960,00" in compact(text)


def test_statement_and_reminder_pdfs(session, client, login_as, invoice):
    login_as("accountant")
    billing_payments.record_payment(
        session,
        customer_id=invoice.customer_id,
        received_on=date(2026, 4, 10),
        amount=Decimal("1000.00"),
        method="transfer",
        reference="VIR-1000",
    )
    session.commit()
    customer_id = invoice.customer_id
    statement = pdf_text(
        client.get(
            f"/billing/customers/{customer_id}/statement.pdf?date_from=2026-01-01&date_to=2026-12-31&lang=fr"
        ).data
    )
    assert "FA-2026-00001" in statement and "VIR-1000" in statement
    assert "2720,00" in compact(statement)  # 3,720.00 − 1,000.00
    arabic = pdf_text(
        client.get(
            f"/billing/customers/{customer_id}/statement.pdf?date_to=2026-12-31&lang=ar"
        ).data
    )
    assert "2.720,00" in arabic

    reminder = client.get(f"/billing/customers/{customer_id}/reminder.pdf?on=2026-07-01&lang=fr")
    text = pdf_text(reminder.data)
    assert "FA-2026-00001" in text and "2720,00" in compact(text)
    assert "deux mille sept cent vingt dirhams" in text
    arabic_reminder = pdf_text(
        client.get(f"/billing/customers/{customer_id}/reminder.pdf?on=2026-07-01&lang=ar").data
    )
    assert words_in_order(arabic_reminder, amount_in_words(Decimal("2720.00"), "ar"))
