"""Member cooperatives: every rule about a cooperative's record lives here."""

import re
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ma import ice as ice_number

from gie.cooperatives.models import FILIERES, LEGAL_FORMS, PROVINCES, STATUSES, Cooperative
from gie.errors import ValidationError
from gie.security import get_scoped

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")

#: Every field a person may set, with its Python type; the form, the CSV import and the
#: CSV export all follow this one list.
FIELDS: dict[str, type] = {
    "code": str,
    "name": str,
    "name_ar": str,
    "legal_form": str,
    "filiere": str,
    "province": str,
    "commune": str,
    "address": str,
    "ice": str,
    "if_number": str,
    "rc_number": str,
    "local_register_number": str,
    "created_on": date,
    "share_capital": Decimal,
    "membership_start_on": date,
    "membership_end_on": date,
    "status": str,
    "members_women": int,
    "members_men": int,
    "members_youth": int,
    "president_name": str,
    "president_phone": str,
    "president_email": str,
}

REQUIRED = ("code", "name", "filiere", "province")

DEFAULTS = {
    "legal_form": "cooperative",
    "status": "candidate",
    "share_capital": Decimal("0.00"),
    "members_women": 0,
    "members_men": 0,
    "members_youth": 0,
}


def normalise(data: dict) -> dict:
    """Trim text, upper-case the code, compact the ICE, fill defaults for missing values."""
    clean = {}
    for name, kind in FIELDS.items():
        value = data.get(name)
        if kind is str:
            value = (value or "").strip()
            if name == "code":
                value = value.upper()
            elif name == "ice":
                value = ice_number.compact(value)
            elif name == "president_email":
                value = value.lower()
        if value in (None, "") and name in DEFAULTS:
            value = DEFAULTS[name]
        clean[name] = value
    return clean


def check(session: Session, data: dict, *, cooperative_id: int | None = None) -> dict[str, list]:
    """Return the field errors of a normalised record (empty when it may be saved)."""
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    for field in REQUIRED:
        if not data[field]:
            add(field, _l("This field is required."))
    if data["code"] and not CODE_PATTERN.match(data["code"]):
        add("code", _l("Use capital letters, digits and dashes, e.g. COOP-017."))
    elif data["code"]:
        taken = session.scalar(select(Cooperative.id).where(Cooperative.code == data["code"]))
        if taken and taken != cooperative_id:
            add("code", _l("Another cooperative already has this code."))
    if data["filiere"] and data["filiere"] not in FILIERES:
        add("filiere", _l("Unknown filière."))
    if data["province"] and data["province"] not in PROVINCES:
        add("province", _l("Not a prefecture or province of the region."))
    if data["status"] not in STATUSES:
        add("status", _l("Unknown status."))
    if data["legal_form"] not in LEGAL_FORMS:
        add("legal_form", _l("Unknown legal form."))
    if data["ice"]:
        try:
            ice_number.validate(data["ice"])
        except StdnumError:
            add("ice", _l("This is not a valid ICE: 15 digits with a valid check number."))
    if data["share_capital"] is not None and data["share_capital"] < 0:
        add("share_capital", _l("The share capital cannot be negative."))
    for field in ("members_women", "members_men", "members_youth"):
        if data[field] is not None and data[field] < 0:
            add(field, _l("A number of members cannot be negative."))
    if data["members_youth"] > data["members_women"] + data["members_men"]:
        add("members_youth", _l("There cannot be more young members than members."))
    start, end = data["membership_start_on"], data["membership_end_on"]
    if start and end and end < start:
        add("membership_end_on", _l("The membership cannot end before it starts."))
    email = data["president_email"]
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        add("president_email", _l("This is not an email address."))
    return errors


def _refuse_if(errors: dict) -> None:
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)


def create_cooperative(session: Session, data: dict) -> Cooperative:
    """Register a member cooperative. Raises ValidationError and saves nothing then."""
    clean = normalise(data)
    _refuse_if(check(session, clean))
    cooperative = Cooperative(**clean)
    session.add(cooperative)
    session.flush()
    return cooperative


def update_cooperative(session: Session, cooperative_id: int, data: dict, *, actor) -> Cooperative:
    """Change a cooperative's record. Raises NotFound, ValidationError."""
    cooperative = get_cooperative(session, cooperative_id, actor=actor)
    clean = normalise(data)
    _refuse_if(check(session, clean, cooperative_id=cooperative.id))
    for name, value in clean.items():
        setattr(cooperative, name, value)
    session.flush()
    return cooperative


def get_cooperative(session: Session, cooperative_id: int, *, actor) -> Cooperative:
    """A cooperative the actor may see. Raises NotFound otherwise."""
    return get_scoped(session, Cooperative, cooperative_id, actor)


def save_all(session: Session, records: list[dict]) -> tuple[int, int]:
    """Create or update (by code) already checked records, all in one savepoint.

    Returns (created, updated).
    """
    existing = {
        c.code: c
        for c in session.scalars(
            select(Cooperative).where(Cooperative.code.in_([r["code"] for r in records]))
        )
    }
    created = updated = 0
    with session.begin_nested():
        for record in records:
            cooperative = existing.get(record["code"])
            if cooperative is None:
                session.add(Cooperative(**record))
                created += 1
            else:
                for name, value in record.items():
                    setattr(cooperative, name, value)
                updated += 1
        session.flush()
    return created, updated
