"""Supporting documents (pièces justificatives) of entries, bank lines and invoices: checked by
their content, stored in the upload store under their SHA-256, seen with the same scoping as
the record they document."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath, PureWindowsPath

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, event, exists, func, select
from sqlalchemy.orm import Session

from accounting import services as accounting
from accounting.models import Entry, Journal, Ledger, Line
from accounting.reports import lists as accounting_lists
from billing.models import Invoice
from billing.services import invoices as billing_invoices
from financial_close import bank
from financial_close.models import BankLine, Document
from gie.errors import ValidationError
from gie.files import content_hash, image_format, stored_path, write_once
from gie.pagination import Page
from gie.security import get_scoped

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: Pillow's name of each accepted image format -> the content type it is served with.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF_TYPE = "application/pdf"
#: the extension a document is downloaded with, from the type its content was found to be
EXTENSIONS = {PDF_TYPE: "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
STORE_AREA = "documents"


def document_file(store: Path, sha256: str) -> Path:
    return stored_path(store, STORE_AREA, sha256)


def _refuse(message) -> ValidationError:
    return ValidationError(message, field_errors={"file": [message]})


def _content_type(content: bytes) -> str:
    """What the bytes are, whatever the file is called: a PDF by its header, an image by
    Pillow managing to read it. Raises ValidationError for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF_TYPE
    found = image_format(content)
    if found not in IMAGE_TYPES:
        raise _refuse(_l("This file is neither a PDF nor a JPEG, PNG or WebP image."))
    return IMAGE_TYPES[found]


def _clean_filename(filename: str, content_type: str) -> str:
    """The name the user's file had, without any folder (browsers on Windows may send one)
    or control character; a name to show and to download under, never a path in the store."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = "".join(c for c in name if c.isprintable()).strip()
    if not name:
        name = "document." + content_type.rsplit("/", 1)[1]
    return name[-255:]


def download_name(document: Document) -> str:
    """The name a document is saved under: the base of the name it was uploaded with, without
    any folder or extension, and the extension of what its content is, so that a PDF sent as
    `..\\..\\evil.html` downloads as `evil.pdf` and never as a page a browser would run."""
    name = _clean_filename(document.filename, document.content_type)
    base = name.lstrip(".").split(".")[0].strip()
    return f"{base or 'document'}.{EXTENSIONS[document.content_type]}"


@dataclass
class _Owner:
    """The record a document belongs to, and the cooperative that sees it."""

    column: str
    record_id: int
    cooperative_id: int | None


def visible_record(session: Session, kind: str, record_id: int, *, actor):
    """The entry, bank line or invoice named, loaded with the actor's scoping (a president
    sees only their own cooperative's). Raises NotFound."""
    if kind == "entry":
        return accounting.get_entry(session, record_id, actor=actor)
    if kind == "bank_line":
        return bank.get_bank_line(session, record_id, actor=actor)
    return billing_invoices.get_invoice(session, record_id, actor=actor)


def _owner(
    session: Session,
    *,
    entry_id: int | None,
    bank_line_id: int | None,
    invoice_id: int | None,
    actor,
) -> _Owner:
    """The one record named, loaded with the actor's scoping. Raises NotFound."""
    named = [x for x in (entry_id, bank_line_id, invoice_id) if x is not None]
    if len(named) != 1:
        raise ValueError("name exactly one of entry_id, bank_line_id, invoice_id")
    if entry_id is not None:
        entry = visible_record(session, "entry", entry_id, actor=actor)
        return _Owner("entry_id", entry.id, entry.ledger.cooperative_id)
    if bank_line_id is not None:
        bank_line = visible_record(session, "bank_line", bank_line_id, actor=actor)
        ledger = session.get(Ledger, bank_line.ledger_id)
        return _Owner("bank_line_id", bank_line.id, ledger.cooperative_id)
    invoice = visible_record(session, "invoice", invoice_id, actor=actor)
    return _Owner("invoice_id", invoice.id, invoice.cooperative_id)


def attach(
    session: Session,
    *,
    entry_id: int | None = None,
    bank_line_id: int | None = None,
    invoice_id: int | None = None,
    filename: str,
    content: bytes,
    store: Path,
    actor,
) -> Document:
    """Attach a supporting document to one entry, bank line or invoice. Only PDF files and
    JPEG, PNG or WebP images of at most 10 MB, recognised by their content. A posted entry
    takes documents too: they are not part of its hash. Raises NotFound, ValidationError
    (nothing saved then: no row, no file)."""
    owner = _owner(
        session, entry_id=entry_id, bank_line_id=bank_line_id, invoice_id=invoice_id, actor=actor
    )
    if not content:
        raise _refuse(_l("Choose a PDF file or an image."))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise _refuse(_l("A document may weigh at most 10 MB."))
    content_type = _content_type(content)
    sha256 = content_hash(content)
    write_once(document_file(store, sha256), lambda out: out.write(content))
    document = Document(
        cooperative_id=owner.cooperative_id,
        sha256=sha256,
        filename=_clean_filename(filename, content_type),
        content_type=content_type,
        size=len(content),
        uploaded_by_id=actor.id,
        **{owner.column: owner.record_id},
    )
    session.add(document)
    session.flush()
    return document


def documents_of(
    session: Session,
    *,
    entry_id: int | None = None,
    bank_line_id: int | None = None,
    invoice_id: int | None = None,
) -> list[Document]:
    """The documents of one record, oldest first. The caller has loaded the record with the
    user's scoping, and so may show them."""
    if entry_id is not None:
        condition = Document.entry_id == entry_id
    elif bank_line_id is not None:
        condition = Document.bank_line_id == bank_line_id
    elif invoice_id is not None:
        condition = Document.invoice_id == invoice_id
    else:
        raise ValueError("name one of entry_id, bank_line_id, invoice_id")
    return list(session.scalars(select(Document).where(condition).order_by(Document.id)))


def get_document(session: Session, document_id: int, *, actor) -> Document:
    """A document the actor may see: a president only their own cooperative's (an invoice's
    documents follow the invoice's cooperative). Raises NotFound."""
    return get_scoped(session, Document, document_id, actor)


def delete_document(session: Session, document_id: int, *, actor) -> Document:
    """Detach a document from its record. The file stays in the store: it is named by its
    content, so another document may share it, and a rolled-back transaction must not lose
    it. Returns the removed document (to go back to its record). Raises NotFound."""
    document = get_document(session, document_id, actor=actor)
    session.delete(document)
    session.flush()
    return document


def lacks_document() -> ColumnElement[bool]:
    """SQL condition on accounting_entry: the entry has no supporting document."""
    return ~exists().where(Document.entry_id == Entry.id)


def entry_ids_with_documents(session: Session, entry_ids) -> set[int]:
    """Which of these entries have at least one document (one query for a page of them)."""
    ids = list(entry_ids)
    if not ids:
        return set()
    return set(
        session.scalars(select(Document.entry_id).where(Document.entry_id.in_(ids)).distinct())
    )


def entries_without_documents(
    session: Session, ledger_id: int, *, page: int = 1, size: int = 50
) -> Page:
    """A page of the ledger's entries that have no supporting document, newest first."""
    return accounting_lists.search_entries(
        session,
        ledger_id,
        accounting_lists.EntryFilters(),
        page=page,
        size=size,
        conditions=[lacks_document()],
    )


@dataclass
class MissingRow:
    number: str | None
    date: date
    journal: str
    label: str
    reference: str
    amount: Decimal
    state: str


def all_entries_without_documents(session: Session, ledger_id: int) -> list[MissingRow]:
    """Every entry of the ledger without a supporting document, oldest first, with its
    amount summed in SQL: the list an accountant exports to chase the missing papers."""
    rows = session.execute(
        select(
            Entry.number,
            Entry.date,
            Journal.code,
            Entry.label,
            Entry.reference,
            func.coalesce(func.sum(Line.debit), 0),
            Entry.state,
        )
        .join(Journal, Journal.id == Entry.journal_id)
        .outerjoin(Line, Line.entry_id == Entry.id)
        .where(Entry.ledger_id == ledger_id, lacks_document())
        .group_by(Entry.id, Journal.code)
        .order_by(Entry.date, Entry.id)
    )
    return [MissingRow(*row) for row in rows]


@event.listens_for(Session, "before_flush", insert=True)
def _documents_go_with_their_record(session, _flush_context, _instances):
    """A draft entry or invoice (or a bank line) that is deleted takes its documents along,
    whatever the code path, rather than failing on the foreign key; listening first lets
    the audit log record those deletions too. The files stay in the store."""
    columns = {
        Entry: Document.entry_id,
        Invoice: Document.invoice_id,
        BankLine: Document.bank_line_id,
    }
    doomed = [
        columns[type(obj)] == obj.id
        for obj in session.deleted
        if type(obj) in columns and obj.id is not None
    ]
    if not doomed:
        return
    with session.no_autoflush:
        for condition in doomed:
            for document in session.scalars(select(Document).where(condition)):
                session.delete(document)
