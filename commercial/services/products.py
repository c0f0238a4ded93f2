"""Products of the cooperatives' catalogue and their photos."""

import io
from decimal import Decimal
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from commercial.models import Product, ProductPhoto
from commercial.services.fields import refuse_field_errors
from commercial.services.ownership import (
    assigns_owners,
    check_edit,
    checked_owner,
    owner_of_new_record,
)
from gie.cooperatives.models import FILIERES, Cooperative
from gie.errors import ValidationError
from gie.files import content_hash, image_format, stored_path, write_once
from gie.security import get_scoped

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


def get_product(session: Session, product_id: int, *, actor) -> Product:
    """A product the actor may see (presidents: their cooperative's). Raises NotFound."""
    return get_scoped(session, Product, product_id, actor)


def get_editable_product(session: Session, product_id: int, *, actor) -> Product:
    """A product the actor may change, with its photos: its adviser's or any for an admin.
    Raises NotFound, PermissionDenied."""
    product = get_product(session, product_id, actor=actor)
    check_edit(actor, product, _l("Only the product's adviser or an admin may change it."))
    return product


def create_product(session: Session, cooperative_id: int, data: dict, *, actor) -> Product:
    """Add a product to a cooperative's catalogue, owned by the adviser creating it (an
    admin chooses the adviser, or none); the filière defaults to the cooperative's.
    Raises NotFound, ValidationError (and saves nothing then)."""
    cooperative = get_scoped(session, Cooperative, cooperative_id, actor)
    clean = _normalise_product(data, cooperative)
    refuse_field_errors(_check_product(clean))
    owner_id = owner_of_new_record(session, actor, data.get("owner_id"))
    product = Product(cooperative_id=cooperative.id, owner_id=owner_id, **clean)
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, product_id: int, data: dict, *, actor) -> Product:
    """Change a product (its adviser or an admin; only an admin gives it to another
    adviser). Raises NotFound, PermissionDenied, ValidationError."""
    product = get_editable_product(session, product_id, actor=actor)
    clean = _normalise_product(data, product.cooperative)
    refuse_field_errors(_check_product(clean))
    if assigns_owners(actor) and "owner_id" in data:
        product.owner_id = checked_owner(session, data["owner_id"])
    for name, value in clean.items():
        setattr(product, name, value)
    session.flush()
    return product


def set_product_active(session: Session, product_id: int, active: bool, *, actor) -> Product:
    """Deactivate a product (it leaves the catalogue, its leads keep it) or bring it back:
    its adviser or an admin. Raises NotFound, PermissionDenied."""
    product = get_editable_product(session, product_id, actor=actor)
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
    Pillow; the product's adviser or an admin. Raises NotFound, PermissionDenied,
    ValidationError (nothing saved then)."""
    product = get_editable_product(session, product_id, actor=actor)
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
    share the same content, and a rolled-back transaction must not lose a file). A photo
    follows its product: its adviser or an admin. Raises NotFound, PermissionDenied."""
    photo = get_photo(session, photo_id, actor=actor)
    product = get_editable_product(session, photo.product_id, actor=actor)
    product.photos.remove(photo)
    session.flush()
    return product
