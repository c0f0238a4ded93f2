"""Supporting documents: checked by content, stored by hash outside static, downloaded with
the scoping of the entry or invoice they document, flagged on the entry list."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from accounting import services as accounting
from accounting import vat_rates
from accounting.models import Entry
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from financial_close import bank, documents
from financial_close.models import Document
from gie.errors import NotFound, ValidationError
from tests.audit import audit_row
from tests.financial_close.helpers import imported_one_line

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n"
    b"3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes(colour=(30, 110, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def store(app, tmp_path):
    app.config["GIE_UPLOAD_PATH"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def accountant(make_user):
    return make_user("accountant")


@pytest.fixture
def books(session, make_cooperative):
    """Books of a new cooperative with one posted entry; returns (cooperative, ledger, entry)."""

    def make(label="Achat de fournitures"):
        cooperative = make_cooperative()
        ledger = accounting.open_ledger(session, cooperative.code, first_year=date.today().year)
        entry = record(session, ledger, label)
        accounting.post_entry(session, entry.id)
        session.commit()
        return cooperative, ledger, entry

    return make


def record(session, ledger, label):
    return accounting.save_draft(
        session,
        ledger.id,
        journal_code="AC",
        entry_date=date.today(),
        label=label,
        lines=[
            accounting.LineInput("6125", debit=Decimal("240")),
            accounting.LineInput("5141", credit=Decimal("240")),
        ],
    )


def stored_files(store):
    return [p for p in (store / "documents").rglob("*") if p.is_file()] if store.exists() else []


def upload(client, url, content, filename, next_page=None):
    data = {"file": (io.BytesIO(content), filename)}
    if next_page:
        data["next"] = next_page
    return client.post(url, data=data, content_type="multipart/form-data")


def test_pdf_and_png_attach_to_a_posted_entry_and_download_byte_for_byte(
    client, login_as, books, store, session
):
    _cooperative, _ledger, entry = books()
    posted_hash = entry.hash
    login_as("accountant")
    image = png_bytes()
    for content, name in ((PDF, "facture-fournisseur.pdf"), (image, "reçu.png")):
        response = upload(client, f"/accounting/entries/{entry.id}/documents", content, name)
        assert response.status_code == 302
        assert response.location == f"/accounting/entries/{entry.id}"

    page = client.get(f"/accounting/entries/{entry.id}").text
    assert "facture-fournisseur.pdf" in page
    assert "reçu.png" in page
    pdf_doc, png_doc = documents.documents_of(session, entry_id=entry.id)

    download = client.get(f"/accounting/documents/{pdf_doc.id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "facture-fournisseur.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    shown = client.get(f"/accounting/documents/{png_doc.id}?inline=1")
    assert shown.data == image
    assert shown.mimetype == "image/png"
    assert shown.headers["Content-Disposition"].startswith("inline")

    # Stored outside static, named by the SHA-256 of the content.
    assert documents.document_file(store, pdf_doc.sha256).read_bytes() == PDF
    assert pdf_doc.size == len(PDF)
    # Documents are not part of a posted entry's hash.
    session.expire_all()
    assert session.get(Entry, entry.id).hash == posted_hash
    assert accounting.verify_ledger(session, entry.ledger_id).ok


def test_a_text_file_named_pdf_is_refused_and_nothing_is_saved(
    client, login_as, books, store, session
):
    _cooperative, _ledger, entry = books()
    login_as("accountant")
    response = upload(client, f"/accounting/entries/{entry.id}/documents", b"just text", "scan.pdf")
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Ce fichier n’est ni un PDF ni une image JPEG, PNG ou WebP." in page
    assert session.scalar(select(func.count()).select_from(Document)) == 0
    assert stored_files(store) == []


def test_an_oversize_file_is_refused_and_nothing_is_saved(session, books, store, accountant):
    _cooperative, _ledger, entry = books()
    too_big = PDF + b"0" * documents.MAX_DOCUMENT_BYTES
    with pytest.raises(ValidationError, match="10 MB"):
        documents.attach(
            session,
            entry_id=entry.id,
            filename="big.pdf",
            content=too_big,
            store=store,
            actor=accountant,
        )
    assert session.scalar(select(func.count()).select_from(Document)) == 0
    assert stored_files(store) == []


@pytest.mark.parametrize(
    ("sent_as", "saved_as"),
    [
        ("..\\..\\evil.html", "evil.pdf"),
        ("../../evil.pdf.html", "evil.pdf"),
        ("C:\\Users\\x\\.htaccess", "htaccess.pdf"),
        ("...", "document.pdf"),
        ("relevé.PDF", "relevé.pdf"),
    ],
)
def test_a_document_is_saved_under_its_base_name_and_the_extension_of_its_content(
    login_as, books, store, session, sent_as, saved_as
):
    _cooperative, _ledger, entry = books()
    document = documents.attach(
        session,
        entry_id=entry.id,
        filename=sent_as,
        content=PDF,
        store=store,
        actor=login_as("accountant"),
    )
    assert documents.download_name(document) == saved_as


def test_a_pdf_sent_as_a_page_downloads_as_an_attached_pdf(client, login_as, books, store, session):
    _cooperative, _ledger, entry = books()
    login_as("accountant")
    upload(client, f"/accounting/entries/{entry.id}/documents", PDF, "evil.html")
    (document,) = documents.documents_of(session, entry_id=entry.id)
    disposition = client.get(f"/accounting/documents/{document.id}").headers["Content-Disposition"]
    assert disposition == "attachment; filename=evil.pdf"


def test_president_downloads_own_entry_document_and_gets_404_on_another(
    client, login_as, books, store, session, accountant
):
    own_cooperative, _own_ledger, own_entry = books()
    _other_cooperative, _other_ledger, other_entry = books("Autre coopérative")
    own = documents.attach(
        session,
        entry_id=own_entry.id,
        filename="own.pdf",
        content=PDF,
        store=store,
        actor=accountant,
    )
    other = documents.attach(
        session,
        entry_id=other_entry.id,
        filename="other.pdf",
        content=PDF + b"%other\n",
        store=store,
        actor=accountant,
    )
    session.commit()
    login_as("president", own_cooperative)

    assert client.get(f"/accounting/documents/{own.id}").data == PDF
    assert client.get(f"/accounting/documents/{other.id}").status_code == 404
    assert client.get(f"/accounting/documents/{other.id}?inline=1").status_code == 404
    # A president sees the list of documents, but may neither add nor remove one.
    page = client.get(f"/accounting/entries/{own_entry.id}").text
    assert "own.pdf" in page
    assert "Attach" not in page
    assert (
        upload(client, f"/accounting/entries/{own_entry.id}/documents", PDF, "x.pdf").status_code
        == 403
    )
    assert client.post(f"/accounting/documents/{own.id}/delete").status_code == 403
    with pytest.raises(NotFound):
        documents.get_document(session, other.id, actor=login_as("president", own_cooperative))


def test_entry_list_marks_entries_without_document_and_filters_them(
    client, login_as, books, store, session, accountant
):
    _cooperative, ledger, documented = books("Facture EDF")
    lacking = record(session, ledger, "Frais bancaires")
    session.commit()
    documents.attach(
        session,
        entry_id=documented.id,
        filename="edf.pdf",
        content=PDF,
        store=store,
        actor=accountant,
    )
    session.commit()
    login_as("accountant")

    page = client.get(f"/accounting/ledgers/{ledger.id}/entries").text
    rows = {
        label: row
        for row in page.split("<tr")
        for label in ("Facture EDF", "Frais bancaires")
        if label in row
    }
    assert "avec pièce" in rows["Facture EDF"]
    assert "sans pièce" in rows["Frais bancaires"]

    filtered = client.get(f"/accounting/ledgers/{ledger.id}/entries?documents=missing").text
    assert "Frais bancaires" in filtered
    assert "Facture EDF" not in filtered
    assert "(1)" in filtered

    missing = client.get(f"/accounting/ledgers/{ledger.id}/documents/missing").text
    assert "Frais bancaires" in missing
    assert "Facture EDF" not in missing
    export = client.get(f"/accounting/ledgers/{ledger.id}/documents/missing.csv")
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert [row[3] for row in rows[1:]] == ["Frais bancaires"]
    assert rows[1][5] == "240,00"
    assert lacking.id in {
        e.id for e in documents.entries_without_documents(session, ledger.id).items
    }


def test_invoice_document_is_seen_by_its_cooperative_president_only(
    client, login_as, make_cooperative, session, store, accountant
):
    accounting.open_ledger(session, "GIE", first_year=date.today().year)
    vat_rates.ensure_vat_rates(session)
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
    customer_of, other_cooperative = make_cooperative(), make_cooperative()
    customer = billing_customers.member_customer(session, customer_of.id)
    invoice = billing_invoices.save_draft_invoice(
        session,
        customer.id,
        [billing_invoices.DraftLine(service.id, Decimal("1"))],
        on=date.today(),
    )
    session.commit()

    login_as("accountant")
    response = upload(
        client, f"/accounting/invoices/{invoice.id}/documents", png_bytes(), "bon.png"
    )
    assert response.location == f"/billing/invoices/{invoice.id}"
    assert "bon.png" in client.get(f"/billing/invoices/{invoice.id}").text
    (document,) = documents.documents_of(session, invoice_id=invoice.id)
    assert document.cooperative_id == customer_of.id

    client.post("/logout")
    login_as("president", customer_of)
    assert client.get(f"/accounting/documents/{document.id}").data == png_bytes()
    assert "bon.png" in client.get(f"/billing/invoices/{invoice.id}").text

    client.post("/logout")
    login_as("president", other_cooperative)
    assert client.get(f"/accounting/documents/{document.id}").status_code == 404


def test_removing_a_document_keeps_its_file_and_a_draft_goes_with_its_documents(
    client, login_as, books, store, session, accountant
):
    _cooperative, ledger, entry = books()
    draft = record(session, ledger, "Brouillon")
    session.commit()
    kept = documents.attach(
        session, entry_id=entry.id, filename="a.pdf", content=PDF, store=store, actor=accountant
    )
    documents.attach(
        session, entry_id=draft.id, filename="b.pdf", content=PDF, store=store, actor=accountant
    )
    session.commit()
    login_as("accountant")

    response = client.post(
        f"/accounting/documents/{kept.id}/delete", data={"next": f"/accounting/entries/{entry.id}"}
    )
    assert response.location == f"/accounting/entries/{entry.id}"
    page = client.get(response.location).text
    assert "Pièce a.pdf retirée." in page
    assert f"/accounting/documents/{kept.id}" not in page
    assert "Aucune pièce justificative pour l’instant." in page
    # Content-addressed and shared with the draft's document: the file stays.
    assert documents.document_file(store, kept.sha256).read_bytes() == PDF

    assert client.post(f"/accounting/entries/{draft.id}/delete").status_code == 302
    assert session.scalar(select(func.count()).select_from(Document)) == 0


def bank_line_of(session, ledger):
    """One imported bank line of the ledger's 5141 account."""
    statement = imported_one_line(session, ledger, label="FRAIS TENUE", amount="-24.00")
    return bank.statement_lines(session, statement.id)[0]


def test_bank_line_document_follows_the_ledger_scoping(
    client, login_as, books, store, session, accountant
):
    cooperative, ledger, _entry = books()
    other_cooperative, _other_ledger, _other_entry = books()
    line = bank_line_of(session, ledger)
    session.commit()
    login_as("accountant")
    response = upload(client, f"/accounting/bank/lines/{line.id}/documents", PDF, "avis.pdf")
    assert response.location == f"/accounting/bank/lines/{line.id}"
    (document,) = documents.documents_of(session, bank_line_id=line.id)
    assert document.cooperative_id == cooperative.id

    client.post("/logout")
    login_as("president", cooperative)
    assert client.get(f"/accounting/documents/{document.id}").data == PDF
    client.post("/logout")
    login_as("president", other_cooperative)
    assert client.get(f"/accounting/documents/{document.id}").status_code == 404


def test_an_upload_is_audited_with_its_uploader(client, login_as, books, store, session):
    _cooperative, _ledger, entry = books()
    accountant = login_as("accountant")
    upload(client, f"/accounting/entries/{entry.id}/documents", PDF, "facture.pdf")
    [document] = documents.documents_of(session, entry_id=entry.id)
    row = audit_row(session, document, "create")
    assert row.record_label == "Document facture.pdf"
    assert row.user_id == accountant.id
