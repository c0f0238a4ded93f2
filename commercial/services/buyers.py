"""Buyers (the GIE's address book, belonging to no cooperative) and their contacts, with the
phone and email keys that find duplicates."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commercial.models import BUYER_KINDS, Buyer, Contact
from commercial.services.fields import refuse_field_errors
from commercial.services.ownership import (
    assigns_owners,
    check_edit,
    checked_owner,
    owner_of_new_record,
)
from gie.errors import NotFound, ValidationError

BUYER_FIELDS = ("name", "kind", "city", "phone", "email", "notes")
CONTACT_FIELDS = ("name", "role", "phone", "email")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_phone(text: str | None) -> str:
    """The digits of a phone number, Moroccan numbers with their 212 prefix, so that
    `06 12 34 56 78`, `+212 6 12 34 56 78`, `00212 612345678` and `+212 (0)6...` give one key.
    """
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0") and len(digits) == 10:
        digits = "212" + digits[1:]
    if digits.startswith("2120"):
        digits = "212" + digits[4:]
    return digits[:20]


def normalise_email(text: str | None) -> str:
    return (text or "").strip().lower()


def find_duplicates(session: Session, *, phone: str = "", email: str = "", ignore=()) -> list:
    """The buyers and contacts sharing the phone key or the email key of `phone`/`email`
    (buyers first), leaving out the records in `ignore`. For the forms and the CSV import."""
    phone_key, email_key = normalise_phone(phone), normalise_email(email)
    found: list = []
    for model in (Buyer, Contact):
        keys = []
        if phone_key:
            keys.append(model.phone_key == phone_key)
        if email_key:
            keys.append(model.email_key == email_key)
        if keys:
            found.extend(session.scalars(select(model).where(or_(*keys)).order_by(model.id)))
    return [record for record in found if record not in ignore]


class DuplicateFound(ValidationError):
    """A buyer or contact with the same phone or email exists; `duplicates` lists them.
    The user may confirm and save anyway."""

    def __init__(self, message, duplicates: list):
        super().__init__(message)
        self.duplicates = duplicates


def _buyer_of(record) -> Buyer:
    return record if isinstance(record, Buyer) else record.buyer


def _check_contact_details(data: dict, errors: dict) -> None:
    if not data["name"]:
        errors.setdefault("name", []).append(_l("This field is required."))
    if data["email"] and not EMAIL_PATTERN.fullmatch(data["email"]):
        errors.setdefault("email", []).append(_l("This is not an email address."))
    if data["phone"] and len(normalise_phone(data["phone"])) < 6:
        errors.setdefault("phone", []).append(_l("This is not a phone number."))


def _refuse_duplicates(session, data, *, ignore, confirmed: bool) -> None:
    """Refuse a record sharing a phone or email with a buyer or contact, naming the
    existing buyer, unless the user confirmed ("create anyway")."""
    if confirmed:
        return
    duplicates = find_duplicates(session, phone=data["phone"], email=data["email"], ignore=ignore)
    if duplicates:
        names = ", ".join(dict.fromkeys(str(_buyer_of(record)) for record in duplicates))
        raise DuplicateFound(
            _l(
                "The buyer %(names)s already has this phone number or email. Check it is "
                "not the same, or confirm to save anyway.",
                names=names,
            ),
            duplicates,
        )


def _clean(data: dict, fields) -> dict:
    return {name: (data.get(name) or "").strip() for name in fields}


def _set_keys(record) -> None:
    record.phone_key = normalise_phone(record.phone)
    record.email_key = normalise_email(record.email)


def get_buyer(session: Session, buyer_id: int) -> Buyer:
    buyer = session.get(Buyer, buyer_id)
    if buyer is None:
        raise NotFound(_l("This page does not exist."))
    return buyer


def get_contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(_l("This page does not exist."))
    return contact


def get_editable_buyer(session: Session, buyer_id: int, *, actor) -> Buyer:
    """A buyer the actor may change, with its contacts: its adviser's or any for an admin.
    Raises NotFound, PermissionDenied."""
    buyer = get_buyer(session, buyer_id)
    check_edit(actor, buyer, _l("Only the buyer's adviser or an admin may change it."))
    return buyer


def get_editable_contact(session: Session, contact_id: int, *, actor) -> Contact:
    """A contact of a buyer the actor may change. Raises NotFound, PermissionDenied."""
    contact = get_contact(session, contact_id)
    get_editable_buyer(session, contact.buyer_id, actor=actor)
    return contact


def _check_buyer(data: dict) -> dict:
    errors: dict[str, list] = {}
    data["kind"] = data["kind"] or "other"
    if data["kind"] not in BUYER_KINDS:
        errors.setdefault("kind", []).append(_l("Unknown kind of buyer."))
    _check_contact_details(data, errors)
    return errors


def create_buyer(session: Session, data: dict, *, actor, create_anyway: bool = False) -> Buyer:
    """Register a buyer, owned by the adviser creating it (an admin chooses the adviser, or
    none). A buyer whose phone or email matches an existing buyer or contact is refused
    (DuplicateFound, naming the existing buyer) unless `create_anyway`: the user saw the
    warning and confirmed. Raises ValidationError."""
    clean = _clean(data, BUYER_FIELDS)
    refuse_field_errors(_check_buyer(clean))
    owner_id = owner_of_new_record(session, actor, data.get("owner_id"))
    _refuse_duplicates(session, clean, ignore=(), confirmed=create_anyway)
    buyer = Buyer(owner_id=owner_id, **clean)
    _set_keys(buyer)
    session.add(buyer)
    session.flush()
    return buyer


def update_buyer(
    session: Session, buyer_id: int, data: dict, *, actor, save_anyway: bool = False
) -> Buyer:
    """Change a buyer (its adviser or an admin; only an admin gives it to another adviser);
    a new phone or email shared with another record needs confirming. Raises NotFound,
    PermissionDenied, ValidationError."""
    buyer = get_editable_buyer(session, buyer_id, actor=actor)
    clean = _clean(data, BUYER_FIELDS)
    refuse_field_errors(_check_buyer(clean))
    if assigns_owners(actor) and "owner_id" in data:
        buyer.owner_id = checked_owner(session, data["owner_id"])
    ignore = (buyer, *buyer.contacts)
    _refuse_duplicates(session, clean, ignore=ignore, confirmed=save_anyway)
    for name, value in clean.items():
        setattr(buyer, name, value)
    _set_keys(buyer)
    session.flush()
    return buyer


def add_contact(
    session: Session, buyer_id: int, data: dict, *, actor, create_anyway: bool = False
) -> Contact:
    """Add a person to a buyer the actor may change. A phone or email already known (any
    case, any way of writing the number) is refused with DuplicateFound unless
    `create_anyway`."""
    buyer = get_editable_buyer(session, buyer_id, actor=actor)
    clean = _clean(data, CONTACT_FIELDS)
    errors: dict[str, list] = {}
    _check_contact_details(clean, errors)
    refuse_field_errors(errors)
    _refuse_duplicates(session, clean, ignore=(buyer,), confirmed=create_anyway)
    contact = Contact(buyer_id=buyer.id, **clean)
    _set_keys(contact)
    session.add(contact)
    session.flush()
    return contact


def update_contact(
    session: Session, contact_id: int, data: dict, *, actor, save_anyway: bool = False
) -> Contact:
    contact = get_editable_contact(session, contact_id, actor=actor)
    clean = _clean(data, CONTACT_FIELDS)
    errors: dict[str, list] = {}
    _check_contact_details(clean, errors)
    refuse_field_errors(errors)
    _refuse_duplicates(session, clean, ignore=(contact, contact.buyer), confirmed=save_anyway)
    for name, value in clean.items():
        setattr(contact, name, value)
    _set_keys(contact)
    session.flush()
    return contact
