"""CSV import of leads and buyers (contacts collected at a trade fair): all rows or none,
every error named by its line. A row whose buyer has the phone or the email of a buyer
already known (or of an earlier row) is a duplicate: the buyer is not created again, the
row's lead goes to the existing buyer, and the row is listed as a duplicate. A file is
imported once: the same file again is refused unless the user forces it (kept in the audit
log with the record of the import)."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from commercial import services
from commercial.models import BUYER_KINDS, SOURCES, Buyer, Contact, ImportedLeadsFile, Stage
from gie.cooperatives.models import Cooperative
from gie.csvfiles import parse_date, parse_decimal, read_rows
from gie.errors import ImportFailed, ValidationError
from gie.imported_files import file_sha256, same_file_refused, when

COLUMNS = (
    "buyer",
    "kind",
    "city",
    "phone",
    "email",
    "contact",
    "title",
    "amount",
    "stage",
    "source",
    "expected_close",
    "cooperatives",
    "notes",
)
REQUIRED = ("buyer",)


@dataclass
class ImportResult:
    buyers_created: int = 0
    leads_created: int = 0
    #: (line, buyer name in the file, the existing buyer it matched)
    duplicates: list[tuple[int, str, Buyer]] = field(default_factory=list)


def _existing_buyer(session: Session, phone: str, email: str) -> Buyer | None:
    """The buyer already known by this phone or email (directly or through a contact)."""
    for record in services.find_duplicates(session, phone=phone, email=email):
        return record if isinstance(record, Buyer) else record.buyer
    return None


def import_leads(
    session: Session,
    data: bytes,
    *,
    actor,
    filename: str = "",
    encoding: str = "auto",
    allow_duplicate: bool = False,
) -> ImportResult:
    """Create the buyers, contacts and leads of a CSV file, and record the file.

    `encoding` is one of `gie.csvfiles.ENCODINGS`. Raises AlreadyImported when this file was
    imported before, unless `allow_duplicate`; ImportFailed listing every bad line. Nothing is
    saved then.
    """
    header, rows = read_rows(data, encoding=encoding)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFailed(
            _l("Required columns are missing."),
            [(1, _l("Missing columns: %(columns)s", columns=", ".join(missing)))],
        )
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        raise ImportFailed(
            _l("The file has columns this import does not know."),
            [(1, _l("Unknown columns: %(columns)s", columns=", ".join(unknown)))],
        )
    if not rows:
        raise ImportFailed(_l("The file has no line."), [(2, _l("No data line."))])
    sha256 = file_sha256(data)
    previous = session.scalars(
        select(ImportedLeadsFile)
        .where(ImportedLeadsFile.sha256 == sha256)
        .order_by(ImportedLeadsFile.imported_at.desc(), ImportedLeadsFile.id.desc())
        .limit(1)
    ).first()
    if previous is not None and not allow_duplicate:
        raise same_file_refused(previous)
    stages = {s.name.casefold(): s for s in services.ensure_default_stages(session)}
    stages.update({s.name_ar: s for s in stages.values() if s.name_ar})
    cooperatives = {c.code: c.id for c in session.execute(select(Cooperative.code, Cooperative.id))}
    errors: list[tuple[int, str]] = []
    records = []
    for line, row in rows:
        record, messages = _record(row, stages, cooperatives)
        errors += [(line, m) for m in messages]
        records.append((line, record))
    if errors:
        raise ImportFailed(_l("Nothing was imported: correct these lines."), errors)

    result = ImportResult()
    seen: dict[str, Buyer] = {}
    try:
        with session.begin_nested():
            for line, record in records:
                _save(session, line, record, seen, result, actor)
    except ValidationError as error:
        raise ImportFailed(
            _l("Nothing was imported: correct these lines."), [(line, str(error.message))]
        ) from None
    session.add(
        ImportedLeadsFile(
            sha256=sha256,
            filename=filename[:255],
            imported_by_id=getattr(actor, "id", None),
            buyers=result.buyers_created,
            leads=result.leads_created,
            forced=previous is not None,
            forced_over=(
                f"same file as import {previous.id} of {when(previous)}" if previous else ""
            ),
        )
    )
    session.flush()
    return result


def _record(row: dict, stages: dict, cooperatives: dict) -> tuple[dict, list]:
    messages = []
    record = {name: row.get(name, "").strip() for name in COLUMNS}
    if not record["buyer"]:
        messages.append(_l("buyer: a name is required."))
    kind = record["kind"] or "other"
    if kind not in BUYER_KINDS:
        messages.append(_l("kind: “%(value)s” is not a kind of buyer.", value=kind))
    record["kind"] = kind
    source = record["source"] or "trade_fair"
    if source not in SOURCES:
        messages.append(_l("source: “%(value)s” is not a source.", value=source))
    record["source"] = source
    try:
        record["amount"] = parse_decimal(record["amount"]) if record["amount"] else None
        if record["amount"] is not None and record["amount"] < 0:
            raise ValueError
    except ValueError:
        messages.append(_l("amount: “%(value)s” cannot be read.", value=row.get("amount")))
    try:
        record["expected_close"] = (
            parse_date(record["expected_close"], strict=True) if record["expected_close"] else None
        )
    except ValueError:
        messages.append(
            _l("expected_close: “%(value)s” cannot be read.", value=row.get("expected_close"))
        )
    stage_name = record["stage"]
    record["stage"] = None
    if stage_name:
        record["stage"] = stages.get(stage_name.casefold()) or stages.get(stage_name)
        if record["stage"] is None:
            messages.append(_l("stage: “%(value)s” is not a stage.", value=stage_name))
        elif record["stage"].kind == "lost":
            messages.append(_l("stage: an imported lead cannot start lost."))
    codes = [c.upper() for c in re.split(r"[\s|,]+", record["cooperatives"]) if c]
    unknown = [c for c in codes if c not in cooperatives]
    if unknown:
        messages.append(_l("cooperatives: unknown codes %(codes)s", codes=", ".join(unknown)))
    record["cooperative_ids"] = [cooperatives[c] for c in codes if c in cooperatives]
    if record["email"] and not services.EMAIL_PATTERN.fullmatch(record["email"]):
        messages.append(_l("email: “%(value)s” is not an email.", value=record["email"]))
    if record["amount"] is not None and not record["title"]:
        record["title"] = record["buyer"]
    return record, messages


def _save(session, line, record, seen, result, actor) -> None:
    phone_key = services.normalise_phone(record["phone"])
    email_key = services.normalise_email(record["email"])
    buyer = seen.get("p" + phone_key) if phone_key else None
    buyer = buyer or (seen.get("e" + email_key) if email_key else None)
    buyer = buyer or _existing_buyer(session, record["phone"], record["email"])
    if buyer is not None:
        result.duplicates.append((line, record["buyer"], buyer))
    else:
        buyer = services.create_buyer(
            session,
            {
                "name": record["buyer"],
                "kind": record["kind"],
                "city": record["city"],
                "phone": record["phone"],
                "email": record["email"],
                "notes": "" if record["title"] else record["notes"],
                "owner_id": actor.id,
            },
            actor=actor,
            create_anyway=True,
        )
        result.buyers_created += 1
    if phone_key:
        seen["p" + phone_key] = buyer
    if email_key:
        seen["e" + email_key] = buyer
    contact_id = None
    if record["contact"]:
        contact = session.scalar(
            select(Contact).where(Contact.buyer_id == buyer.id, Contact.name == record["contact"])
        )
        # A buyer of another adviser keeps its contacts as they are: the lead names none then.
        if contact is None and services.can_edit(actor, buyer):
            contact = services.add_contact(
                session,
                buyer.id,
                {"name": record["contact"], "phone": record["phone"], "email": record["email"]},
                actor=actor,
                create_anyway=True,
            )
        contact_id = contact.id if contact else None
    if not record["title"]:
        return
    stage: Stage | None = record["stage"]
    services.save_lead(
        session,
        {
            "title": record["title"],
            "buyer_id": buyer.id,
            "contact_id": contact_id,
            "amount": record["amount"] if record["amount"] is not None else Decimal("0"),
            "stage_id": stage.id if stage else None,
            "owner_id": actor.id,
            "source": record["source"],
            "expected_close_on": record["expected_close"],
            "notes": record["notes"],
            "cooperative_ids": record["cooperative_ids"],
        },
        actor=actor,
    )
    result.leads_created += 1
