"""Commercial support: every rule about products, buyers, leads and activities.

Sections: products and photos; buyers and contacts; stages; leads; activities.
"""

import io
import re
from decimal import Decimal
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commercial.models import BUYER_KINDS, Buyer, Contact, Product, ProductPhoto
from gie.cooperatives.models import FILIERES, Cooperative
from gie.errors import NotFound, ValidationError
from gie.files import content_hash, image_format, stored_path, write_once
from gie.security import get_scoped

# ---- products and photos --------------------------------------------------------------

#: Every field of a product a person may set, with its Python type.
PRODUCT_FIELDS: dict[str, type] = {
    "name": str,
    "name_ar": str,
    "filiere": str,
    "description": str,
    "unit": str,
    "price_min": Decimal,
    "price_max": Decimal,
    "monthly_capacity": int,
}

#: Pillow's name of each accepted image format -> the content type it is served with.
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
THUMBNAIL_PIXELS = 320


def _normalise_product(data: dict, cooperative: Cooperative) -> dict:
    clean: dict = {}
    for name, kind in PRODUCT_FIELDS.items():
        value = data.get(name)
        if kind is str:
            value = (value or "").strip()
        clean[name] = value
    clean["filiere"] = clean["filiere"] or cooperative.filiere
    clean["monthly_capacity"] = clean["monthly_capacity"] or 0
    return clean


def _check_product(clean: dict) -> dict[str, list]:
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    for field in ("name", "unit", "price_min", "price_max"):
        if clean[field] in (None, ""):
            add(field, _l("This field is required."))
    if clean["filiere"] not in FILIERES:
        add("filiere", _l("Unknown filière."))
    low, high = clean["price_min"], clean["price_max"]
    if low is not None and low < 0:
        add("price_min", _l("A price cannot be negative."))
    if low is not None and high is not None and high < low:
        add("price_max", _l("The highest price cannot be below the lowest price."))
    if clean["monthly_capacity"] < 0:
        add("monthly_capacity", _l("The monthly capacity cannot be negative."))
    return errors


def _refuse_field_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(_l("Please correct the highlighted fields."), field_errors=errors)


def get_product(session: Session, product_id: int, *, actor) -> Product:
    """A product the actor may see (presidents: their cooperative's). Raises NotFound."""
    return get_scoped(session, Product, product_id, actor)


def create_product(session: Session, cooperative_id: int, data: dict, *, actor) -> Product:
    """Add a product to a cooperative's catalogue; the filière defaults to the cooperative's.
    Raises NotFound, ValidationError (and saves nothing then)."""
    cooperative = get_scoped(session, Cooperative, cooperative_id, actor)
    clean = _normalise_product(data, cooperative)
    _refuse_field_errors(_check_product(clean))
    product = Product(cooperative_id=cooperative.id, **clean)
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, product_id: int, data: dict, *, actor) -> Product:
    """Change a product. Raises NotFound, ValidationError."""
    product = get_product(session, product_id, actor=actor)
    clean = _normalise_product(data, product.cooperative)
    _refuse_field_errors(_check_product(clean))
    for name, value in clean.items():
        setattr(product, name, value)
    session.flush()
    return product


def set_product_active(session: Session, product_id: int, active: bool, *, actor) -> Product:
    """Deactivate a product (it leaves the catalogue, its leads keep it) or bring it back."""
    product = get_product(session, product_id, actor=actor)
    product.active = active
    session.flush()
    return product


def photo_file(store: Path, sha256: str, *, thumbnail: bool = False) -> Path:
    """Where a photo (or its thumbnail) lives in the upload store: named by its hash."""
    return stored_path(store, "photos", sha256, suffix=".thumb.jpg" if thumbnail else "")


def _read_image(content: bytes) -> str:
    """The Pillow format of an accepted image, or ValidationError: the content decides,
    never the file name."""
    found = image_format(content)
    if found not in PHOTO_TYPES:
        raise ValidationError(
            _l("This file is not a JPEG, PNG or WebP image."),
            field_errors={"photo": [_l("Choose a JPEG, PNG or WebP photo.")]},
        )
    return found


def _thumbnail(content: bytes, out) -> None:
    with Image.open(io.BytesIO(content)) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        if image.mode != "RGB":
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        image.save(out, "JPEG", quality=85)


def add_photo(session: Session, product_id: int, content: bytes, *, store: Path, actor):
    """Store an uploaded photo of a product under the SHA-256 of its content, with a JPEG
    thumbnail. Only JPEG, PNG and WebP of at most 5 MB, checked by opening the content with
    Pillow. Raises NotFound, ValidationError (nothing saved then)."""
    product = get_product(session, product_id, actor=actor)
    if len(content) > MAX_PHOTO_BYTES:
        message = _l("A photo may weigh at most 5 MB.")
        raise ValidationError(message, field_errors={"photo": [message]})
    if not content:
        message = _l("Choose a JPEG, PNG or WebP photo.")
        raise ValidationError(message, field_errors={"photo": [message]})
    image_format = _read_image(content)
    sha256 = content_hash(content)
    try:
        write_once(photo_file(store, sha256, thumbnail=True), lambda out: _thumbnail(content, out))
    except (OSError, ValueError, Image.DecompressionBombError):
        message = _l("This image could not be read.")
        raise ValidationError(message, field_errors={"photo": [message]}) from None
    write_once(photo_file(store, sha256), lambda out: out.write(content))
    photo = ProductPhoto(
        product_id=product.id,
        cooperative_id=product.cooperative_id,
        sha256=sha256,
        content_type=PHOTO_TYPES[image_format],
        size=len(content),
    )
    session.add(photo)
    session.flush()
    return photo


def get_photo(session: Session, photo_id: int, *, actor) -> ProductPhoto:
    """A photo the actor may see: the same scoping as its product. Raises NotFound."""
    return get_scoped(session, ProductPhoto, photo_id, actor)


def delete_photo(session: Session, photo_id: int, *, actor) -> Product:
    """Remove a photo from its product. The files stay in the store (another photo may
    share the same content, and a rolled-back transaction must not lose a file)."""
    photo = get_photo(session, photo_id, actor=actor)
    product = photo.product
    product.photos.remove(photo)
    session.flush()
    return product


# ---- buyers and contacts --------------------------------------------------------------

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


def _check_buyer(data: dict) -> dict:
    errors: dict[str, list] = {}
    data["kind"] = data["kind"] or "other"
    if data["kind"] not in BUYER_KINDS:
        errors.setdefault("kind", []).append(_l("Unknown kind of buyer."))
    _check_contact_details(data, errors)
    return errors


def create_buyer(session: Session, data: dict, *, create_anyway: bool = False) -> Buyer:
    """Register a buyer. A buyer whose phone or email matches an existing buyer or contact
    is refused (DuplicateFound, naming the existing buyer) unless `create_anyway`: the user
    saw the warning and confirmed. Raises ValidationError."""
    clean = _clean(data, BUYER_FIELDS)
    _refuse_field_errors(_check_buyer(clean))
    _refuse_duplicates(session, clean, ignore=(), confirmed=create_anyway)
    buyer = Buyer(**clean)
    _set_keys(buyer)
    session.add(buyer)
    session.flush()
    return buyer


def update_buyer(session: Session, buyer_id: int, data: dict, *, save_anyway: bool = False):
    """Change a buyer; a new phone or email shared with another record needs confirming."""
    buyer = get_buyer(session, buyer_id)
    clean = _clean(data, BUYER_FIELDS)
    _refuse_field_errors(_check_buyer(clean))
    ignore = (buyer, *buyer.contacts)
    _refuse_duplicates(session, clean, ignore=ignore, confirmed=save_anyway)
    for name, value in clean.items():
        setattr(buyer, name, value)
    _set_keys(buyer)
    session.flush()
    return buyer


def add_contact(session: Session, buyer_id: int, data: dict, *, create_anyway: bool = False):
    """Add a person to a buyer. A phone or email already known (any case, any way of
    writing the number) is refused with DuplicateFound unless `create_anyway`."""
    buyer = get_buyer(session, buyer_id)
    clean = _clean(data, CONTACT_FIELDS)
    errors: dict[str, list] = {}
    _check_contact_details(clean, errors)
    _refuse_field_errors(errors)
    _refuse_duplicates(session, clean, ignore=(buyer,), confirmed=create_anyway)
    contact = Contact(buyer_id=buyer.id, **clean)
    _set_keys(contact)
    session.add(contact)
    session.flush()
    return contact


def update_contact(session: Session, contact_id: int, data: dict, *, save_anyway: bool = False):
    contact = get_contact(session, contact_id)
    clean = _clean(data, CONTACT_FIELDS)
    errors: dict[str, list] = {}
    _check_contact_details(clean, errors)
    _refuse_field_errors(errors)
    _refuse_duplicates(session, clean, ignore=(contact, contact.buyer), confirmed=save_anyway)
    for name, value in clean.items():
        setattr(contact, name, value)
    _set_keys(contact)
    session.flush()
    return contact


# --- Stages, leads, activities (the sales advisers' pipeline) -----------------------------

from datetime import date as _date  # noqa: E402
from datetime import datetime as _datetime  # noqa: E402
from decimal import Decimal as _Decimal  # noqa: E402

from sqlalchemy import exists as _exists  # noqa: E402
from sqlalchemy import func as _func  # noqa: E402
from sqlalchemy import select as _select  # noqa: E402
from sqlalchemy.orm import Session as _Session  # noqa: E402

from commercial.models import (  # noqa: E402
    ACTIVITY_KINDS,
    SOURCES,
    STAGE_KINDS,
    Activity,
    Buyer,
    Contact,
    Lead,
    LeadCooperative,
    LeadEvent,
    LeadProduct,
    Stage,
)
from commercial.models import Product as _Product  # noqa: E402
from gie.cooperatives.models import Cooperative as _Cooperative  # noqa: E402
from gie.db import utcnow as _utcnow  # noqa: E402
from gie.errors import NotFound as _NotFound  # noqa: E402
from gie.errors import PermissionDenied as _PermissionDenied  # noqa: E402
from gie.errors import ValidationError as _ValidationError  # noqa: E402
from gie.security import is_scoped as _is_scoped  # noqa: E402
from gie.security import scope as _scope  # noqa: E402

#: French name, Arabic name, default probability, kind
DEFAULT_STAGES = (
    ("Nouveau", "جديد", 10, "open"),
    ("Qualifié", "مؤهل", 25, "open"),
    ("Échantillon envoyé", "عينة مرسلة", 40, "open"),
    ("Négociation", "تفاوض", 60, "open"),
    ("Gagné", "مربوح", 100, "won"),
    ("Perdu", "ضائع", 0, "lost"),
)


def ensure_default_stages(session: _Session) -> list[Stage]:
    """Create the default stages when there is none yet; returns the active stages."""
    if not session.scalar(_select(_func.count(Stage.id))):
        for position, (name, name_ar, probability, kind) in enumerate(DEFAULT_STAGES, 1):
            session.add(
                Stage(
                    name=name,
                    name_ar=name_ar,
                    position=position,
                    probability=probability,
                    kind=kind,
                )
            )
        session.flush()
    return list_stages(session)


def list_stages(session: _Session, *, include_inactive: bool = False) -> list[Stage]:
    statement = _select(Stage).order_by(Stage.position, Stage.id)
    if not include_inactive:
        statement = statement.where(Stage.active.is_(True))
    return list(session.scalars(statement))


def save_stage(session: _Session, data: dict, stage_id: int | None = None) -> Stage:
    """Add or change a stage (name, Arabic name, kind, default probability, active)."""
    errors: dict[str, list] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_l("A name is required.")]
    kind = data.get("kind") or "open"
    if kind not in STAGE_KINDS:
        errors["kind"] = [_l("Unknown kind.")]
    probability = data.get("probability")
    if probability is None or not 0 <= int(probability) <= 100:
        errors["probability"] = [_l("A percentage between 0 and 100.")]
    if errors:
        raise _ValidationError(_l("The stage was not saved."), field_errors=errors)
    if stage_id is None:
        last = session.scalar(_select(_func.max(Stage.position))) or 0
        stage = Stage(position=last + 1)
        session.add(stage)
    else:
        stage = session.get(Stage, stage_id)
        if stage is None:
            raise _NotFound(_l("This page does not exist."))
    stage.name = name
    stage.name_ar = (data.get("name_ar") or "").strip()
    stage.kind = kind
    stage.probability = int(probability)
    stage.active = bool(data.get("active", True))
    session.flush()
    return stage


def shift_stage(session: _Session, stage_id: int, offset: int) -> None:
    """Move a stage one place earlier (offset -1) or later (+1) on the board."""
    ordered = list_stages(session, include_inactive=True)
    index = next((i for i, s in enumerate(ordered) if s.id == stage_id), None)
    if index is None:
        raise _NotFound(_l("This page does not exist."))
    other = index + offset
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, stage in enumerate(ordered, 1):
        stage.position = position
    session.flush()


def scope_leads(statement, user):
    """Leads a user may see: all for staff; for a president, only the leads that involve
    their cooperative (EXISTS on LeadCooperative, scoped by the one scoping helper)."""
    if not _is_scoped(user):
        return statement
    involved = _scope(
        _select(LeadCooperative.id).where(LeadCooperative.lead_id == Lead.id),
        LeadCooperative,
        user,
    )
    return statement.where(_exists(involved))


def get_lead(session: _Session, lead_id: int, user) -> Lead:
    lead = session.scalar(scope_leads(_select(Lead).where(Lead.id == lead_id), user))
    if lead is None:
        raise _NotFound(_l("This page does not exist."))
    return lead


def can_edit_lead(user, lead: Lead) -> bool:
    """An admin edits every lead; an adviser only their own; nobody else any."""
    if user is None:
        return True  # the system itself (demo, imports run by code)
    role = getattr(user, "role", None)
    return role == "admin" or (role == "sales_adviser" and lead.owner_id == user.id)


def _check_edit(user, lead: Lead) -> None:
    if not can_edit_lead(user, lead):
        raise _PermissionDenied(_l("Only the lead's adviser or an admin may change it."))


def _lead_errors(session: _Session, data: dict) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_l("A title is required.")]
    if not data.get("buyer_id") or session.get(Buyer, data["buyer_id"]) is None:
        errors["buyer_id"] = [_l("Choose a buyer.")]
    contact_id = data.get("contact_id")
    if contact_id:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.buyer_id != data.get("buyer_id"):
            errors["contact_id"] = [_l("This contact does not belong to the buyer.")]
    amount = data.get("amount")
    if amount is None or amount < 0:
        errors["amount"] = [_l("An amount of zero or more is required.")]
    probability = data.get("probability")
    if probability is not None and not 0 <= int(probability) <= 100:
        errors["probability"] = [_l("A percentage between 0 and 100.")]
    if (data.get("source") or "other") not in SOURCES:
        errors["source"] = [_l("Unknown source.")]
    if not data.get("owner_id"):
        errors["owner_id"] = [_l("Choose the adviser.")]
    return errors


def save_lead(session: _Session, data: dict, *, actor, lead_id: int | None = None) -> Lead:
    """Create or edit a lead. A stage change on edit goes through `move_lead`."""
    errors = _lead_errors(session, data)
    stage_id = data.get("stage_id")
    stage = session.get(Stage, stage_id) if stage_id else None
    if lead_id is None and stage is None:
        stage = ensure_default_stages(session)[0]
    if errors:
        raise _ValidationError(_l("The lead was not saved."), field_errors=errors)
    if lead_id is None:
        lead = Lead(stage_id=stage.id, owner_id=data["owner_id"])
        if actor is not None and actor.role == "sales_adviser":
            lead.owner_id = actor.id
        session.add(lead)
    else:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise _NotFound(_l("This page does not exist."))
        _check_edit(actor, lead)
        if actor is None or actor.role == "admin":
            lead.owner_id = data["owner_id"]
    lead.title = data["title"].strip()
    lead.buyer_id = data["buyer_id"]
    lead.contact_id = data.get("contact_id") or None
    lead.amount = data["amount"]
    lead.source = data.get("source") or "other"
    lead.expected_close_on = data.get("expected_close_on")
    lead.notes = data.get("notes") or ""
    probability = data.get("probability")
    lead.probability = int(probability) if probability is not None else stage.probability
    _set_cooperatives(session, lead, data.get("cooperative_ids") or [], data.get("product_ids"))
    session.flush()
    if lead_id is None:
        session.add(LeadEvent(lead_id=lead.id, user_id=_actor_id(actor), to_stage_id=stage.id))
        session.flush()
    elif stage is not None and stage.id != lead.stage_id:
        move_lead(session, lead.id, stage.id, actor=actor, lost_reason=data.get("lost_reason", ""))
    return lead


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


def _set_cooperatives(session, lead: Lead, cooperative_ids, product_ids) -> None:
    wanted = {int(i) for i in cooperative_ids}
    products = []
    if product_ids:
        products = list(
            session.scalars(_select(_Product).where(_Product.id.in_([int(i) for i in product_ids])))
        )
        wanted |= {p.cooperative_id for p in products}
    lead.cooperatives = [lc for lc in lead.cooperatives if lc.cooperative_id in wanted]
    have = {lc.cooperative_id for lc in lead.cooperatives}
    for cooperative_id in sorted(wanted - have):
        lead.cooperatives.append(LeadCooperative(cooperative_id=cooperative_id))
    if product_ids is not None:
        chosen = {p.id for p in products}
        lead.products = [lp for lp in lead.products if lp.product_id in chosen]
        have_products = {lp.product_id for lp in lead.products}
        for product_id in sorted(chosen - have_products):
            lead.products.append(LeadProduct(product_id=product_id))


def move_lead(
    session: _Session, lead_id: int, stage_id: int, *, actor, lost_reason: str = ""
) -> Lead:
    """The one way a lead changes stage: appends a LeadEvent to its timeline, takes the
    stage's probability, sets closed_on for won and lost; lost needs a reason."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise _NotFound(_l("This page does not exist."))
    _check_edit(actor, lead)
    stage = session.get(Stage, stage_id) if stage_id else None
    if stage is None or not stage.active:
        raise _ValidationError(
            _l("Choose a stage."), field_errors={"stage_id": [_l("Choose a stage.")]}
        )
    reason = (lost_reason or "").strip()
    if stage.kind == "lost" and not reason:
        message = _l("Say why the lead was lost.")
        raise _ValidationError(message, field_errors={"lost_reason": [message]})
    if stage.id == lead.stage_id:
        return lead
    session.add(
        LeadEvent(
            lead_id=lead.id,
            user_id=_actor_id(actor),
            from_stage_id=lead.stage_id,
            to_stage_id=stage.id,
            note=reason[:300] if stage.kind == "lost" else "",
        )
    )
    lead.stage_id = stage.id
    lead.stage = stage
    lead.probability = stage.probability
    lead.closed_on = _date.today() if stage.kind in ("won", "lost") else None
    lead.lost_reason = reason[:200] if stage.kind == "lost" else ""
    session.flush()
    return lead


def board(session: _Session, user, filters: dict | None = None) -> list[dict]:
    """One column per active stage: its leads, their total and weighted total."""
    filters = filters or {}
    statement = scope_leads(_select(Lead), user).order_by(Lead.expected_close_on, Lead.id)
    if filters.get("owner_id"):
        statement = statement.where(Lead.owner_id == filters["owner_id"])
    if filters.get("source"):
        statement = statement.where(Lead.source == filters["source"])
    if filters.get("cooperative_id"):
        statement = statement.where(
            _exists().where(
                LeadCooperative.lead_id == Lead.id,
                LeadCooperative.cooperative_id == filters["cooperative_id"],
            )
        )
    if filters.get("filiere"):
        statement = statement.where(
            _exists().where(
                LeadCooperative.lead_id == Lead.id,
                LeadCooperative.cooperative_id == _Cooperative.id,
                _Cooperative.filiere == filters["filiere"],
            )
        )
    by_stage: dict[int, list[Lead]] = {}
    for lead in session.scalars(statement):
        by_stage.setdefault(lead.stage_id, []).append(lead)
    columns = []
    for stage in list_stages(session):
        leads = by_stage.get(stage.id, [])
        total = sum((lead.amount for lead in leads), _Decimal("0"))
        weighted = sum((weighted_amount(lead) for lead in leads), _Decimal("0"))
        columns.append({"stage": stage, "leads": leads, "total": total, "weighted": weighted})
    return columns


def weighted_amount(lead: Lead) -> _Decimal:
    return (lead.amount * lead.probability / 100).quantize(_Decimal("0.01"))


def save_activity(
    session: _Session, data: dict, *, actor, lead_id: int, activity_id: int | None = None
) -> Activity:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise _NotFound(_l("This page does not exist."))
    _check_edit(actor, lead)
    errors: dict[str, list] = {}
    if data.get("kind") not in ACTIVITY_KINDS:
        errors["kind"] = [_l("Choose a kind.")]
    if not (data.get("subject") or "").strip():
        errors["subject"] = [_l("A subject is required.")]
    if not data.get("due_on"):
        errors["due_on"] = [_l("A due date is required.")]
    if errors:
        raise _ValidationError(_l("The activity was not saved."), field_errors=errors)
    if activity_id is None:
        activity = Activity(lead_id=lead.id, owner_id=_actor_id(actor) or lead.owner_id)
        session.add(activity)
    else:
        activity = session.get(Activity, activity_id)
        if activity is None or activity.lead_id != lead.id:
            raise _NotFound(_l("This page does not exist."))
    activity.kind = data["kind"]
    activity.subject = data["subject"].strip()
    activity.due_on = data["due_on"]
    activity.outcome = data.get("outcome") or ""
    if data.get("done") and activity.done_at is None:
        activity.done_at = _utcnow()
    elif not data.get("done", activity.done_at is not None):
        activity.done_at = None
    session.flush()
    return activity


def complete_activity(session: _Session, activity_id: int, *, actor, outcome: str = "") -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise _NotFound(_l("This page does not exist."))
    _check_edit(actor, activity.lead)
    activity.done_at = activity.done_at or _utcnow()
    if outcome.strip():
        activity.outcome = outcome.strip()
    session.flush()
    return activity


def my_activities(session: _Session, user, today: _date | None = None) -> dict[str, list]:
    """The user's open activities: overdue first, then today, then later."""
    today = today or _date.today()
    groups: dict[str, list] = {"overdue": [], "today": [], "later": []}
    statement = (
        _select(Activity)
        .where(Activity.owner_id == user.id, Activity.done_at.is_(None))
        .order_by(Activity.due_on, Activity.id)
    )
    for activity in session.scalars(statement):
        if activity.due_on < today:
            groups["overdue"].append(activity)
        elif activity.due_on == today:
            groups["today"].append(activity)
        else:
            groups["later"].append(activity)
    return groups


def timeline(session: _Session, lead_id: int) -> list[dict]:
    """Stage changes and activities of a lead, newest first."""
    items = []
    stages = {s.id: s for s in list_stages(session, include_inactive=True)}
    for event in session.scalars(_select(LeadEvent).where(LeadEvent.lead_id == lead_id)):
        items.append(
            {
                "kind": "stage",
                "at": event.at,
                "event": event,
                "from_stage": stages.get(event.from_stage_id),
                "to_stage": stages.get(event.to_stage_id),
            }
        )
    for activity in session.scalars(_select(Activity).where(Activity.lead_id == lead_id)):
        moment = activity.done_at or _datetime.combine(activity.due_on, _datetime.min.time())
        if moment.tzinfo is None and items and items[0]["at"].tzinfo is not None:
            moment = moment.replace(tzinfo=items[0]["at"].tzinfo)
        items.append({"kind": "activity", "at": moment, "activity": activity})
    items.sort(key=lambda item: (item["at"].replace(tzinfo=None), item["kind"]), reverse=True)
    return items
