"""The catalogue: products, their pages and photos."""

from decimal import Decimal
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from commercial import reports, services
from commercial.blueprint import bp
from commercial.forms import UNITS, PhotoForm, ProductForm
from gie import db
from gie.cooperatives.models import FILIERES
from gie.csvfiles import parse_decimal
from gie.forms import ConfirmForm, choices, optional_int
from gie.security import requires
from gie.web import page_number, refusal_shows


def _store() -> Path:
    return Path(current_app.config["GIE_UPLOAD_PATH"])


def _amount(name: str) -> Decimal | None:
    try:
        text = request.args.get(name, "").strip()
        return parse_decimal(text) if text else None
    except ValueError:
        return None


def _catalogue_filters() -> reports.CatalogueFilters:
    args = request.args
    return reports.CatalogueFilters(
        text=args.get("q", ""),
        filiere=args.get("filiere", ""),
        cooperative_id=args.get("cooperative_id", type=optional_int),
        price_min=_amount("price_min"),
        price_max=_amount("price_max"),
        inactive=args.get("inactive") == "1",
    )


def _labels() -> dict:
    return {"filieres": FILIERES, "units": UNITS}


@bp.get("/catalogue")
@requires("commercial.catalogue")
def catalogue():
    filters = _catalogue_filters()
    page = reports.catalogue(db.session, filters, current_user, page=page_number())
    cooperatives = reports.catalogue_cooperatives(db.session, current_user)
    return render_template(
        "commercial/catalogue.html",
        page=page,
        filters=filters,
        cooperatives=cooperatives,
        **_labels(),
    )


@bp.get("/products/<int:product_id>")
@requires("commercial.catalogue")
def product(product_id: int):
    record = services.get_product(db.session, product_id, actor=current_user)
    return render_template(
        "commercial/product.html",
        product=record,
        editable=services.can_edit(current_user, record),
        photo_form=PhotoForm(),
        confirm=ConfirmForm(),
        **_labels(),
    )


def _cooperative_choices() -> list:
    cooperatives = reports.cooperatives(db.session, current_user)
    return choices([(c.id, f"{c.code} · {c.name}") for c in cooperatives])


def _product_form(record=None) -> ProductForm:
    """The product form; its adviser field only for an admin, who gives products to advisers."""
    form = ProductForm(obj=record)
    if services.assigns_owners(current_user):
        advisers = reports.advisers(db.session, current_user)
        form.owner_id.choices = choices([(u.id, u.name) for u in advisers], blank="—")
    else:
        del form.owner_id
    return form


@bp.route("/products/new", methods=["GET", "POST"])
@requires("commercial.edit")
def new_product():
    form = _product_form()
    form.cooperative_id.choices = _cooperative_choices()
    if request.method == "GET" and request.args.get("cooperative_id", type=optional_int):
        form.cooperative_id.data = request.args.get("cooperative_id", type=optional_int)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return _product_form_page(form, None), status
    refusal_shows(lambda _error: _product_form_page(form, None), form)
    record = services.create_product(
        db.session, form.cooperative_id.data, form.data, actor=current_user
    )
    flash(_("Product %(name)s added to the catalogue.", name=record.name), "success")
    return redirect(url_for(".product", product_id=record.id))


def _product_form_page(form: ProductForm, record) -> str:
    return render_template("commercial/product_edit.html", form=form, product=record)


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@requires("commercial.edit")
def edit_product(product_id: int):
    record = services.get_editable_product(db.session, product_id, actor=current_user)
    form = _product_form(record)
    del form.cooperative_id
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return _product_form_page(form, record), status
    refusal_shows(lambda _error: _product_form_page(form, record), form)
    services.update_product(db.session, product_id, form.data, actor=current_user)
    flash(_("Product %(name)s saved.", name=record.name), "success")
    return redirect(url_for(".product", product_id=product_id))


@bp.post("/products/<int:product_id>/active")
@requires("commercial.edit")
def toggle_product(product_id: int):
    record = services.get_editable_product(db.session, product_id, actor=current_user)
    if ConfirmForm().validate_on_submit():
        services.set_product_active(db.session, product_id, not record.active, actor=current_user)
        if record.active:
            flash(_("Product %(name)s is back in the catalogue.", name=record.name), "success")
        else:
            flash(_("Product %(name)s left the catalogue.", name=record.name), "success")
    return redirect(url_for(".product", product_id=product_id))


@bp.post("/products/<int:product_id>/photos")
@requires("commercial.edit")
def upload_photo(product_id: int):
    record = services.get_editable_product(db.session, product_id, actor=current_user)
    form = PhotoForm()

    def page() -> str:
        return render_template(
            "commercial/product.html",
            product=record,
            editable=True,
            photo_form=form,
            confirm=ConfirmForm(),
            **_labels(),
        )

    if not form.validate_on_submit():
        return page(), 422
    refusal_shows(lambda _error: page(), form)
    services.add_photo(
        db.session, product_id, form.photo.data.read(), store=_store(), actor=current_user
    )
    flash(_("Photo added."), "success")
    return redirect(url_for(".product", product_id=product_id))


def _send_photo(photo_id: int, *, thumbnail: bool):
    photo = services.get_photo(db.session, photo_id, actor=current_user)
    path = services.photo_file(_store(), photo.sha256, thumbnail=thumbnail)
    if not path.is_file():
        abort(404)
    mimetype = "image/jpeg" if thumbnail else photo.content_type
    # Photos are small (5 MB at most): read whole, so no file handle outlives the request.
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.set_etag(photo.sha256 + ("-thumbnail" if thumbnail else ""))
    response.make_conditional(request)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/photos/<int:photo_id>")
@requires("commercial.catalogue")
def photo(photo_id: int):
    return _send_photo(photo_id, thumbnail=False)


@bp.get("/photos/<int:photo_id>/thumbnail")
@requires("commercial.catalogue")
def photo_thumbnail(photo_id: int):
    return _send_photo(photo_id, thumbnail=True)


# Registered after the photo routes on purpose: the authorization matrix visits routes in
# order, and this one removes the photo the routes above show.
@bp.post("/photos/<int:photo_id>/delete")
@requires("commercial.edit")
def delete_photo(photo_id: int):
    photo_record = services.get_photo(db.session, photo_id, actor=current_user)
    product_id = photo_record.product_id
    services.get_editable_product(db.session, product_id, actor=current_user)
    if ConfirmForm().validate_on_submit():
        services.delete_photo(db.session, photo_id, actor=current_user)
        flash(_("Photo removed."), "success")
    return redirect(url_for(".product", product_id=product_id))
