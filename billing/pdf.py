"""Billing documents as PDF: invoices and credit notes, statements of account and reminder
letters, in French or Arabic whatever the reader's own language, printed from HTML templates
by gie.pdf (WeasyPrint shapes the Arabic with HarfBuzz).

The legal formulae of an invoice (its title and the total in words, CGI art. 145 and
Moroccan practice) are written here in the two languages documents are issued in, not left
to the interface's translations: they are part of the document, like the legal mentions.
"""

import json
import unicodedata
from datetime import date
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from billing.models import Customer, Invoice
from billing.reports import Statement
from billing.services.invoices import legal_mentions, vat_breakdown
from gie import pdf
from gie.amounts_in_words import amount_in_words
from gie.money import ZERO

DOCUMENT_STYLESHEET = Path(__file__).parent / "static" / "documents.css"

TITLES = {
    "fr": {"invoice": "Facture", "credit_note": "Avoir"},
    "ar": {"invoice": "فاتورة", "credit_note": "إشعار دائن"},
}
#: "Arrêtée la présente facture à la somme de ..." closes every invoice
CLOSING = {
    "fr": {
        "invoice": "Arrêtée la présente facture à la somme de {words}.",
        "credit_note": "Arrêté le présent avoir à la somme de {words}.",
    },
    "ar": {
        "invoice": "حصرت هذه الفاتورة في مبلغ {words}.",
        "credit_note": "حصر هذا الإشعار الدائن في مبلغ {words}.",
    },
}


def issuer() -> dict:
    """The GIE's legal mentions, from the settings (gie/config.py)."""
    config = current_app.config
    return {
        "name": config["GIE_LEGAL_NAME"],
        "address": config["GIE_ADDRESS"],
        "ice": config["GIE_ICE"],
        "if_number": config["GIE_IF"],
        "rc_number": config["GIE_RC"],
        "tp_number": config["GIE_TP"],
        "rib": config["GIE_BANK_RIB"],
    }


def party(invoice: Invoice) -> dict:
    """The customer's mentions as frozen at issue; a draft shows the customer's current ones."""
    if invoice.customer_snapshot:
        return json.loads(invoice.customer_snapshot)
    return legal_mentions(invoice.customer)


def dir_of(text: str) -> str:
    """The direction of a text by its first strong letter, as dir="auto" would find it
    (WeasyPrint has no dir="auto"): names and addresses written in Latin letters stay in order
    inside an Arabic document, and Arabic ones inside a French one."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _print(template: str, language: str, **context) -> bytes:
    with force_locale(language):
        html = render_template(
            template,
            issuer=issuer(),
            language=language,
            printed_on=date.today(),
            dir_of=dir_of,
            **context,
        )
    return pdf.render_pdf(html, stylesheets=(DOCUMENT_STYLESHEET,))


def invoice_pdf(invoice: Invoice, language: str) -> bytes:
    words = amount_in_words(invoice.total_gross, language)
    return _print(
        "billing/print/invoice.html",
        language,
        invoice=invoice,
        customer=party(invoice),
        vat=vat_breakdown(invoice),
        title=TITLES[language][invoice.kind],
        credited_title=TITLES[language]["invoice"],
        closing=CLOSING[language][invoice.kind].format(words=words),
    )


def statement_pdf(statement: Statement, language: str) -> bytes:
    return _print("billing/print/statement.html", language, statement=statement)


def reminder_pdf(customer: Customer, invoices: list[Invoice], on: date, language: str) -> bytes:
    total = sum((invoice.open_amount for invoice in invoices), ZERO)
    return _print(
        "billing/print/reminder.html",
        language,
        customer=customer,
        invoices=invoices,
        on=on,
        total=total,
        words=amount_in_words(total, language),
    )
