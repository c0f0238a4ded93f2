"""Products of the cooperatives, their photos in the upload store, and the catalogue."""

import hashlib
import io
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from commercial import services
from commercial.models import Product, ProductPhoto
from gie.errors import NotFound, ValidationError


@pytest.fixture
def store(app, tmp_path):
    app.config["GIE_UPLOAD_PATH"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def png_bytes(colour=(200, 120, 40), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


PRODUCT = {
    "name": "Tajine de Tamegroute",
    "name_ar": "طاجين",
    "filiere": "",
    "description": "Terre cuite émaillée",
    "unit": "piece",
    "price_min": "120",
    "price_max": "180,50",
    "monthly_capacity": "40",
}


def make_product(session, cooperative, **overrides):
    data = {
        **PRODUCT,
        "price_min": Decimal("120"),
        "price_max": Decimal("180.50"),
        "monthly_capacity": 40,
    }
    data.update(overrides)
    product = services.create_product(session, cooperative.id, data, actor=None_actor())
    session.commit()
    return product


class None_actor:  # noqa: N801 - a staff actor for services: not scoped
    role = "admin"
    cooperative_id = None


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_product_takes_the_cooperatives_filiere_by_default(session, make_cooperative):
    cooperative = make_cooperative(filiere="honey")
    product = make_product(session, cooperative)
    assert product.filiere == "honey"
    assert product.active


def test_bad_price_range_is_a_field_error_and_nothing_is_saved(
    client, session, login_as, make_cooperative
):
    cooperative = make_cooperative()
    login_as("sales_adviser")
    data = dict(PRODUCT, cooperative_id=cooperative.id, price_min="200", price_max="100")
    response = client.post("/commercial/products/new", data=data)
    assert response.status_code == 422
    assert "price_max-error" in response.text
    assert count(session, Product) == 0


def test_service_refuses_negative_capacity_and_unknown_filiere(session, make_cooperative):
    cooperative = make_cooperative()
    with pytest.raises(ValidationError) as refused:
        make_product(session, cooperative, monthly_capacity=-1, filiere="caviar")
    assert set(refused.value.field_errors) == {"monthly_capacity", "filiere"}


def test_adviser_creates_edits_and_withdraws_a_product(client, session, login_as, make_cooperative):
    cooperative = make_cooperative()
    login_as("sales_adviser")
    data = dict(PRODUCT, cooperative_id=cooperative.id)
    response = client.post("/commercial/products/new", data=data)
    assert response.status_code == 302
    product = session.scalar(select(Product))
    assert product.price_max == Decimal("180.50")
    assert product.filiere == "pottery"
    response = client.post(
        f"/commercial/products/{product.id}/edit", data=dict(PRODUCT, name="Tajine vernissé")
    )
    assert response.status_code == 302
    client.post(f"/commercial/products/{product.id}/active")
    session.expire_all()
    product = session.get(Product, product.id)
    assert product.name == "Tajine vernissé"
    assert not product.active
    client.get(f"/commercial/products/{product.id}")  # shows and clears the messages
    assert "Tajine vernissé" not in client.get("/commercial/catalogue").text
    assert "Tajine vernissé" in client.get("/commercial/catalogue?inactive=1").text


def test_photo_is_stored_under_its_hash_with_a_thumbnail_and_served(
    client, session, login_as, make_cooperative, store
):
    adviser = login_as("sales_adviser")
    product = make_product(session, make_cooperative(), owner_id=adviser.id)
    content = png_bytes()
    response = client.post(
        f"/commercial/products/{product.id}/photos",
        data={"photo": (io.BytesIO(content), "tajine.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    photo = session.scalar(select(ProductPhoto))
    digest = hashlib.sha256(content).hexdigest()
    assert photo.sha256 == digest
    assert photo.content_type == "image/png"
    assert photo.cooperative_id == product.cooperative_id
    original = services.photo_file(store, digest)
    thumbnail = services.photo_file(store, digest, thumbnail=True)
    assert original.read_bytes() == content
    with Image.open(thumbnail) as image:
        assert image.format == "JPEG"
        assert max(image.size) == services.THUMBNAIL_PIXELS

    served = client.get(f"/commercial/photos/{photo.id}")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.data == content
    small = client.get(f"/commercial/photos/{photo.id}/thumbnail")
    assert small.mimetype == "image/jpeg"
    page = client.get(f"/commercial/products/{product.id}").text
    assert f"/commercial/photos/{photo.id}/thumbnail" in page


def test_a_text_file_named_png_is_refused_and_nothing_saved(
    client, session, login_as, make_cooperative, store
):
    adviser = login_as("sales_adviser")
    product = make_product(session, make_cooperative(), owner_id=adviser.id)
    response = client.post(
        f"/commercial/products/{product.id}/photos",
        data={"photo": (io.BytesIO(b"not an image at all\n" * 10), "photo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "JPEG, PNG or WebP" in response.text or "JPEG" in response.text
    assert count(session, ProductPhoto) == 0
    assert not store.exists() or not any(p.is_file() for p in store.rglob("*"))


def test_a_gif_is_refused_even_named_jpg(session, make_cooperative, store):
    product = make_product(session, make_cooperative())
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError):
        services.add_photo(session, product.id, out.getvalue(), store=store, actor=None_actor())


def test_a_too_large_file_is_refused(session, make_cooperative, store):
    product = make_product(session, make_cooperative())
    big = png_bytes() + b"\0" * services.MAX_PHOTO_BYTES
    with pytest.raises(ValidationError) as refused:
        services.add_photo(session, product.id, big, store=store, actor=None_actor())
    assert "photo" in refused.value.field_errors
    assert count(session, ProductPhoto) == 0
    assert not store.exists()


def test_the_upload_page_says_a_file_is_too_large(
    client, session, login_as, make_cooperative, store, monkeypatch
):
    # a smaller limit keeps the test request in memory
    monkeypatch.setattr("commercial.services.products.MAX_PHOTO_BYTES", 1000)
    adviser = login_as("sales_adviser")
    product = make_product(session, make_cooperative(), owner_id=adviser.id)
    response = client.post(
        f"/commercial/products/{product.id}/photos",
        data={"photo": (io.BytesIO(png_bytes(size=(300, 300)) + b"\0" * 2000), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "photo-error" in response.text
    assert count(session, ProductPhoto) == 0


def test_photo_can_be_removed(client, session, login_as, make_cooperative, store):
    product = make_product(session, make_cooperative())
    photo = services.add_photo(session, product.id, png_bytes(), store=store, actor=None_actor())
    session.commit()
    login_as("admin")
    assert client.post(f"/commercial/photos/{photo.id}/delete").status_code == 302
    assert count(session, ProductPhoto) == 0


def test_catalogue_search_by_filiere_text_cooperative_and_price(
    client, session, login_as, make_cooperative
):
    potters = make_cooperative(filiere="pottery")
    beekeepers = make_cooperative(filiere="honey", name="Coopérative Nahl")
    make_product(session, potters, name="Tajine")
    make_product(
        session,
        beekeepers,
        name="Miel de thym",
        unit="jar",
        price_min=Decimal("90"),
        price_max=Decimal("110"),
    )
    login_as("training_coordinator")
    text = client.get("/commercial/catalogue?filiere=honey").text
    assert "Miel de thym" in text and "Tajine" not in text
    text = client.get("/commercial/catalogue?q=thym").text
    assert "Miel de thym" in text and "Tajine" not in text
    text = client.get("/commercial/catalogue?q=Nahl").text
    assert "Miel de thym" in text and "Tajine" not in text
    text = client.get(f"/commercial/catalogue?cooperative_id={potters.id}").text
    assert "Tajine" in text and "Miel de thym" not in text
    text = client.get("/commercial/catalogue?price_min=115&price_max=1000").text
    assert "Tajine" in text and "Miel de thym" not in text
    text = client.get("/commercial/catalogue?price_max=100").text
    assert "Miel de thym" in text and "Tajine" not in text


def test_president_sees_only_own_products_and_photos(
    client, session, login_as, make_cooperative, store
):
    own, other = make_cooperative(), make_cooperative()
    mine = make_product(session, own, name="Poterie de Jbala")
    theirs = make_product(session, other, name="Tapis de Chefchaouen")
    their_photo = services.add_photo(
        session, theirs.id, png_bytes(), store=store, actor=None_actor()
    )
    session.commit()
    login_as("president", own)
    text = client.get("/commercial/catalogue").text
    assert "Poterie de Jbala" in text
    assert "Tapis de Chefchaouen" not in text
    assert client.get(f"/commercial/products/{mine.id}").status_code == 200
    assert client.get(f"/commercial/products/{theirs.id}").status_code == 404
    assert client.get(f"/commercial/photos/{their_photo.id}").status_code == 404
    assert client.get(f"/commercial/photos/{their_photo.id}/thumbnail").status_code == 404
    assert client.get(f"/commercial/products/{mine.id}/edit").status_code == 403
    assert client.post(f"/commercial/products/{mine.id}/photos").status_code == 403


def test_services_scope_products_for_presidents(session, make_cooperative, make_user):
    own, other = make_cooperative(), make_cooperative()
    theirs = make_product(session, other)
    president = make_user("president", own)
    with pytest.raises(NotFound):
        services.get_product(session, theirs.id, actor=president)
