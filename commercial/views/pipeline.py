"""The sales advisers' pipeline: the board, leads and their moves, activities, stages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from commercial import forms, reports, services
from commercial.blueprint import bp
from commercial.models import SOURCES, Lead, weighted_amount
from gie import db
from gie.cooperatives.models import FILIERES
from gie.forms import choices, optional_int
from gie.i18n import language
from gie.security import requires
from gie.web import refusal_returns_to, refusal_shows, safe_next


def _stage_label(stage) -> str:
    return stage.name_ar if language() == "ar" and stage.name_ar else stage.name


@bp.app_template_filter("stage_name")
def stage_name(stage) -> str:
    return _stage_label(stage) if stage is not None else ""


def _filters() -> dict:
    return {
        "owner_id": request.args.get("owner_id", type=optional_int),
        "cooperative_id": request.args.get("cooperative_id", type=optional_int),
        "filiere": request.args.get("filiere") if request.args.get("filiere") in FILIERES else "",
        "source": request.args.get("source") if request.args.get("source") in SOURCES else "",
    }


@bp.get("/pipeline")
@requires("commercial.view")
def pipeline():
    filters = _filters()
    columns = services.board(db.session, current_user, filters)
    stages = [column["stage"] for column in columns]
    return render_template(
        "commercial/pipeline/board.html",
        columns=columns,
        stages=stages,
        filters=filters,
        advisers=reports.advisers(db.session, current_user),
        cooperatives=reports.cooperatives(db.session, current_user),
        filieres=FILIERES,
        sources=forms.SOURCE_LABELS,
        can_edit=lambda lead: services.can_edit(current_user, lead),
        move_form=forms.MoveForm(),
    )


def _lead_form(form: forms.LeadForm, lead: Lead | None) -> forms.LeadForm:
    buyers = reports.buyers_by_name(db.session)
    form.buyer_id.choices = choices([(b.id, b.name) for b in buyers], blank="—")
    buyer_id = form.buyer_id.data or (lead.buyer_id if lead else None)
    contacts = reports.contacts(db.session, buyer_id)
    form.contact_id.choices = choices(
        [(c.id, f"{c.name} ({c.buyer.name})") for c in contacts], blank="—"
    )
    cooperatives = reports.cooperatives(db.session, current_user)
    form.cooperative_ids.choices = choices([(c.id, f"{c.code} · {c.name}") for c in cooperatives])
    products = reports.active_products(db.session)
    form.product_ids.choices = choices(
        [(p.id, f"{p.name} ({p.cooperative.code})") for p in products]
    )
    form.stage_id.choices = choices(
        [(s.id, _stage_label(s)) for s in services.list_stages(db.session)]
    )
    form.owner_id.choices = choices(
        [(u.id, u.name) for u in reports.advisers(db.session, current_user)]
    )
    return form


def _lead_data(form: forms.LeadForm, lead: Lead | None = None) -> dict:
    return {
        "title": form.title.data or "",
        "buyer_id": form.buyer_id.data,
        "contact_id": form.contact_id.data,
        "cooperative_ids": form.cooperative_ids.data or [],
        "product_ids": form.product_ids.data or [],
        "amount": form.amount.data,
        "probability": form.probability.data,
        "stage_id": form.stage_id.data,
        "lost_reason": form.lost_reason.data or "",
        # only an admin chooses the adviser; an adviser's new lead is their own
        "owner_id": form.owner_id.data or (lead.owner_id if lead else current_user.id),
        "source": form.source.data,
        "expected_close_on": form.expected_close_on.data,
        "notes": form.notes.data or "",
    }


@bp.route("/leads/new", methods=["GET", "POST"])
@requires("commercial.edit")
def new_lead():
    services.ensure_default_stages(db.session)
    form = _lead_form(forms.LeadForm(), None)
    if request.method == "GET":
        form.owner_id.data = current_user.id
        form.buyer_id.data = request.args.get("buyer_id", type=optional_int)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return _lead_form_page(form, None), status
    refusal_shows(lambda _error: _lead_form_page(form, None), form)
    lead = services.save_lead(db.session, _lead_data(form), actor=current_user)
    flash(_("Lead created."), "success")
    return redirect(url_for(".lead", lead_id=lead.id))


def _lead_form_page(form: forms.LeadForm, lead: Lead | None) -> str:
    return render_template("commercial/pipeline/lead_form.html", form=form, lead=lead)


@bp.get("/leads/<int:lead_id>")
@requires("commercial.view")
def lead(lead_id: int):
    record = services.get_lead(db.session, lead_id, current_user)
    editable = services.can_edit(current_user, record)
    move_form = forms.MoveForm(stage_id=record.stage_id)
    move_form.stage_id.choices = choices(
        [(s.id, _stage_label(s)) for s in services.list_stages(db.session)]
    )
    activity_form = forms.ActivityForm()
    return render_template(
        "commercial/pipeline/lead.html",
        lead=record,
        editable=editable,
        move_form=move_form,
        activity_form=activity_form,
        done_form=forms.DoneForm(),
        cooperatives=reports.lead_cooperatives(db.session, record.id, current_user),
        timeline=services.timeline(db.session, record.id),
        sources=forms.SOURCE_LABELS,
        kinds=forms.ACTIVITY_KIND_LABELS,
        weighted=weighted_amount(record.amount, record.probability),
    )


def _editable_lead(lead_id: int) -> Lead:
    record = services.get_lead(db.session, lead_id, current_user)
    if not services.can_edit(current_user, record):
        abort(403)
    return record


@bp.route("/leads/<int:lead_id>/edit", methods=["GET", "POST"])
@requires("commercial.edit")
def edit_lead(lead_id: int):
    record = _editable_lead(lead_id)
    form = forms.LeadForm(obj=record)
    if request.method == "GET":
        form.cooperative_ids.data = [lc.cooperative_id for lc in record.cooperatives]
        form.product_ids.data = [lp.product_id for lp in record.products]
    _lead_form(form, record)
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return _lead_form_page(form, record), status
    refusal_shows(lambda _error: _lead_form_page(form, record), form)
    services.save_lead(db.session, _lead_data(form, record), actor=current_user, lead_id=lead_id)
    flash(_("Lead saved."), "success")
    return redirect(url_for(".lead", lead_id=lead_id))


@bp.post("/leads/<int:lead_id>/move")
@requires("commercial.edit")
def move_lead(lead_id: int):
    """The move of a card: from the board's drag and drop (pipeline.js) or its select and
    button, which work without JavaScript."""
    _editable_lead(lead_id)
    form = forms.MoveForm()
    back = safe_next(request.form.get("next"), url_for(".lead", lead_id=lead_id))
    refusal_returns_to(back)
    services.move_lead(
        db.session,
        lead_id,
        request.form.get("stage_id", type=optional_int),
        actor=current_user,
        lost_reason=form.lost_reason.data or "",
    )
    flash(_("Lead moved."), "success")
    return redirect(back)


@bp.post("/leads/<int:lead_id>/activities")
@requires("commercial.edit")
def add_activity(lead_id: int):
    _editable_lead(lead_id)
    form = forms.ActivityForm()
    form.validate()
    refusal_returns_to(url_for(".lead", lead_id=lead_id))
    services.save_activity(
        db.session,
        {
            "kind": form.kind.data,
            "subject": form.subject.data,
            "due_on": form.due_on.data,
            "outcome": form.outcome.data,
            "done": form.done.data,
        },
        actor=current_user,
        lead_id=lead_id,
    )
    flash(_("Activity saved."), "success")
    return redirect(url_for(".lead", lead_id=lead_id))


@bp.post("/activities/<int:activity_id>/done")
@requires("commercial.edit")
def activity_done(activity_id: int):
    form = forms.DoneForm()
    services.complete_activity(
        db.session, activity_id, actor=current_user, outcome=form.outcome.data or ""
    )
    flash(_("Activity done."), "success")
    return redirect(safe_next(request.form.get("next"), url_for(".activities")))


@bp.get("/activities")
@requires("commercial.edit")
def activities():
    groups = services.my_activities(db.session, current_user)
    return render_template(
        "commercial/pipeline/activities.html",
        groups=groups,
        kinds=forms.ACTIVITY_KIND_LABELS,
        done_form=forms.DoneForm(),
    )


@bp.route("/stages", methods=["GET", "POST"])
@requires("commercial.stages")
def stages():
    form = forms.StageForm()
    if form.validate_on_submit():
        refusal_shows(lambda _error: _stages_page(form), form)
        services.save_stage(db.session, form.data)
        flash(_("Stage added."), "success")
        return redirect(url_for(".stages"))
    if request.method == "GET" and not services.list_stages(db.session, include_inactive=True):
        services.ensure_default_stages(db.session)
    status = 422 if form.errors else 200
    return _stages_page(form), status


def _stages_page(form: forms.StageForm) -> str:
    return render_template(
        "commercial/pipeline/stages.html",
        stages=services.list_stages(db.session, include_inactive=True),
        form=form,
        kinds=forms.STAGE_KIND_LABELS,
    )


@bp.route("/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@requires("commercial.stages")
def edit_stage(stage_id: int):
    stage = services.get_stage(db.session, stage_id)
    form = forms.StageForm(obj=stage)

    def page() -> str:
        return render_template("commercial/pipeline/stage_form.html", form=form, stage=stage)

    if not form.validate_on_submit():
        return page(), 422 if form.errors else 200
    refusal_shows(lambda _error: page(), form)
    services.save_stage(db.session, form.data, stage_id)
    flash(_("Stage saved."), "success")
    return redirect(url_for(".stages"))


@bp.post("/stages/<int:stage_id>/shift")
@requires("commercial.stages")
def shift_stage(stage_id: int):
    offset = -1 if request.form.get("direction") == "up" else 1
    services.shift_stage(db.session, stage_id, offset)
    return redirect(url_for(".stages"))
