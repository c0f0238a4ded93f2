"""The address book: buyers and their contacts.

Buyers belong to no cooperative: the GIE's address book, for the sales advisers
(commercial.edit); presidents see buyers only through the leads of their cooperative.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from commercial import reports, services
from commercial.blueprint import bp
from commercial.forms import BUYER_KIND_LABELS, BuyerForm, ContactForm
from gie import db
from gie.forms import choices
from gie.security import requires
from gie.web import page_number, refusal_shows


@bp.get("/buyers")
@requires("commercial.edit")
def buyers():
    text, kind = request.args.get("q", ""), request.args.get("kind", "")
    page = reports.search_buyers(db.session, text=text, kind=kind, page=page_number())
    return render_template(
        "commercial/buyers.html", page=page, text=text, kind=kind, buyer_kinds=BUYER_KIND_LABELS
    )


@bp.get("/buyers/<int:buyer_id>")
@requires("commercial.edit")
def buyer(buyer_id: int):
    record = services.get_buyer(db.session, buyer_id)
    return render_template(
        "commercial/buyer.html",
        buyer=record,
        buyer_kinds=BUYER_KIND_LABELS,
        editable=services.can_edit(current_user, record),
    )


def _buyer_form(record=None) -> BuyerForm:
    """The buyer form; its adviser field only for an admin, who gives buyers to advisers."""
    form = BuyerForm(obj=record)
    if services.assigns_owners(current_user):
        advisers = reports.advisers(db.session, current_user)
        form.owner_id.choices = choices([(u.id, u.name) for u in advisers], blank="—")
    else:
        del form.owner_id
    return form


def _duplicates_of(error) -> list:
    """The records a refused buyer or contact may duplicate, shown under the form so the
    user can check them or confirm."""
    return getattr(error, "duplicates", [])


@bp.route("/buyers/new", methods=["GET", "POST"])
@requires("commercial.edit")
def new_buyer():
    form = _buyer_form()

    def page(duplicates: list) -> str:
        return render_template(
            "commercial/buyer_edit.html", form=form, buyer=None, duplicates=duplicates
        )

    if not form.validate_on_submit():
        return page([]), 422 if form.errors else 200
    refusal_shows(lambda error: page(_duplicates_of(error)), form)
    record = services.create_buyer(
        db.session, form.data, actor=current_user, create_anyway=form.save_anyway.data
    )
    flash(_("Buyer %(name)s registered.", name=record.name), "success")
    return redirect(url_for(".buyer", buyer_id=record.id))


@bp.route("/buyers/<int:buyer_id>/edit", methods=["GET", "POST"])
@requires("commercial.edit")
def edit_buyer(buyer_id: int):
    record = services.get_editable_buyer(db.session, buyer_id, actor=current_user)
    form = _buyer_form(record)

    def page(duplicates: list) -> str:
        return render_template(
            "commercial/buyer_edit.html", form=form, buyer=record, duplicates=duplicates
        )

    if not form.validate_on_submit():
        return page([]), 422 if form.errors else 200
    refusal_shows(lambda error: page(_duplicates_of(error)), form)
    services.update_buyer(
        db.session, buyer_id, form.data, actor=current_user, save_anyway=form.save_anyway.data
    )
    flash(_("Buyer %(name)s saved.", name=record.name), "success")
    return redirect(url_for(".buyer", buyer_id=buyer_id))


@bp.route("/buyers/<int:buyer_id>/contacts/new", methods=["GET", "POST"])
@requires("commercial.edit")
def new_contact(buyer_id: int):
    record = services.get_editable_buyer(db.session, buyer_id, actor=current_user)
    form = ContactForm()

    def page(duplicates: list) -> str:
        return render_template(
            "commercial/contact_edit.html",
            form=form,
            buyer=record,
            contact=None,
            duplicates=duplicates,
        )

    if not form.validate_on_submit():
        return page([]), 422 if form.errors else 200
    refusal_shows(lambda error: page(_duplicates_of(error)), form)
    services.add_contact(
        db.session, buyer_id, form.data, actor=current_user, create_anyway=form.save_anyway.data
    )
    flash(_("Contact added."), "success")
    return redirect(url_for(".buyer", buyer_id=buyer_id))


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@requires("commercial.edit")
def edit_contact(contact_id: int):
    contact = services.get_editable_contact(db.session, contact_id, actor=current_user)
    form = ContactForm(obj=contact)

    def page(duplicates: list) -> str:
        return render_template(
            "commercial/contact_edit.html",
            form=form,
            buyer=contact.buyer,
            contact=contact,
            duplicates=duplicates,
        )

    if not form.validate_on_submit():
        return page([]), 422 if form.errors else 200
    refusal_shows(lambda error: page(_duplicates_of(error)), form)
    services.update_contact(
        db.session, contact_id, form.data, actor=current_user, save_anyway=form.save_anyway.data
    )
    flash(_("Contact saved."), "success")
    return redirect(url_for(".buyer", buyer_id=contact.buyer_id))
