"""Entry pages: the searchable list, the entry form (drafts saved, then posted), an entry
with its panels, posting, deleting a draft and reversing."""

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import services
from accounting.blueprint import bp
from accounting.forms import JOURNAL_LABELS, EntryForm, ReverseForm
from accounting.models import Entry
from accounting.reports import lists
from gie import db
from gie.csvfiles import parse_date, parse_decimal
from gie.forms import ConfirmForm, choices
from gie.money import ZERO
from gie.security import requires
from gie.web import page_number, refusal_returns_to, refusal_shows


def _entry_filters() -> lists.EntryFilters:
    args = request.args

    def parsed(name, parser):
        try:
            return parser(args[name]) if args.get(name) else None
        except (ValueError, OverflowError):
            return None

    return lists.EntryFilters(
        text=args.get("q", ""),
        account=args.get("account", ""),
        amount=parsed("amount", parse_decimal),
        date_from=parsed("date_from", parse_date),
        date_to=parsed("date_to", parse_date),
        journal=args.get("journal", ""),
        state=args.get("state", ""),
    )


@bp.get("/ledgers/<int:ledger_id>/entries")
@requires("accounting.view")
def entries(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    filters = _entry_filters()
    # Supporting documents live in financial_close, which accounting may not import: the
    # composition root hands in a SQL condition for "without document" (so the filter runs
    # in the query and the pages stay right) and marks telling which entries have one.
    missing = current_app.extensions.get("gie_entry_conditions", {}).get("missing_document")
    without_document = missing is not None and request.args.get("documents") == "missing"
    page = lists.search_entries(
        db.session,
        ledger.id,
        filters,
        page=page_number(),
        conditions=[missing()] if without_document else [],
    )
    marks = current_app.extensions.get("gie_entry_marks", [])
    entry_ids = [entry.id for entry in page.items]
    documented = set().union(*(mark(db.session, entry_ids) for mark in marks))
    return render_template(
        "accounting/entries.html",
        ledger=ledger,
        page=page,
        filters=filters,
        journals=JOURNAL_LABELS,
        document_marks=bool(marks),
        documented=documented,
        document_filter=missing is not None,
        without_document=without_document,
    )


def _account_code(text: str) -> str:
    """The datalist offers "3421 Clients"; the code is the first word."""
    return (text or "").strip().split(" ", 1)[0]


def _line_inputs(form: EntryForm) -> list[services.LineInput]:
    return [
        services.LineInput(
            _account_code(line.form.account.data),
            debit=line.form.debit.data or ZERO,
            credit=line.form.credit.data or ZERO,
            label=line.form.memo.data or "",
            partner=line.form.partner.data or "",
        )
        for line in form.lines
        if not line.form.is_blank
    ]


def _entry_form_page(ledger, form: EntryForm, entry: Entry | None, status: int = 200):
    return render_template(
        "accounting/entry_form.html",
        ledger=ledger,
        form=form,
        entry=entry,
        accounts=lists.ledger_accounts(db.session, ledger.id, active_only=True),
    ), status


def _save_from_form(ledger, form: EntryForm, entry_id: int | None):
    """Save the draft; post it too when the user pressed "Save and post". Returns the
    response: the entry's page, or the form again with every problem shown. A refused post
    saves nothing: saving a draft is the other button."""
    if "add_line" in request.form:
        form.lines.append_entry()
        return _entry_form_page(ledger, form, None)
    if not form.validate_on_submit():
        return _entry_form_page(ledger, form, None, 422)
    refusal_shows(lambda _error: _entry_form_page(ledger, form, None)[0], form)
    entry = services.save_draft(
        db.session,
        ledger.id,
        journal_code=form.journal.data,
        entry_date=form.date.data,
        label=form.label.data,
        reference=form.reference.data or "",
        lines=_line_inputs(form),
        entry_id=entry_id,
    )
    if "post" in request.form:
        services.post_entry(db.session, entry.id, actor=current_user)
        flash(_("Entry %(number)s posted.", number=entry.number), "success")
    else:
        flash(_("Draft saved."), "success")
    return redirect(url_for(".entry", entry_id=entry.id))


def _journal_choices(ledger):
    return choices([(code, f"{code} · {label}") for code, label in JOURNAL_LABELS.items()])


@bp.route("/ledgers/<int:ledger_id>/entries/new", methods=["GET", "POST"])
@requires("accounting.edit")
def new_entry(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    form = EntryForm(date=date.today(), journal=request.args.get("journal", "OD"))
    form.journal.choices = _journal_choices(ledger)
    if request.method == "POST":
        return _save_from_form(ledger, form, None)
    return _entry_form_page(ledger, form, None)


@bp.get("/entries/<int:entry_id>")
@requires("accounting.view")
def entry(entry_id: int):
    entry = services.get_entry(db.session, entry_id, actor=current_user)
    panels = current_app.extensions.get("gie_record_panels", {}).get("entry", [])
    return render_template(
        "accounting/entry.html",
        entry=entry,
        ledger=entry.ledger,
        reversal=lists.reversal_of(db.session, entry.id),
        panels=[panel(entry) for panel in panels],
        confirm=ConfirmForm(),
        reverse_form=ReverseForm(date=services.default_reversal_date(db.session, entry)),
    )


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@requires("accounting.edit")
def edit_entry(entry_id: int):
    entry = services.get_entry(db.session, entry_id, actor=current_user)
    if entry.posted:
        flash(_("Entry %(number)s is posted: reverse it instead.", number=entry.number), "error")
        return redirect(url_for(".entry", entry_id=entry.id))
    ledger = entry.ledger
    if request.method == "POST":
        form = EntryForm()
        form.journal.choices = _journal_choices(ledger)
        return _save_from_form(ledger, form, entry.id)
    form = EntryForm(
        journal=entry.journal.code,
        date=entry.date,
        label=entry.label,
        reference=entry.reference,
        lines=[
            {
                "account": f"{line.account.code} {line.account.label}",
                "memo": line.label,
                "partner": line.partner,
                "debit": line.debit or None,
                "credit": line.credit or None,
            }
            for line in entry.lines
        ],
    )
    form.journal.choices = _journal_choices(ledger)
    return _entry_form_page(ledger, form, entry)


@bp.post("/entries/<int:entry_id>/post")
@requires("accounting.edit")
def post_entry(entry_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    refusal_returns_to(url_for(".entry", entry_id=entry_id))
    entry = services.post_entry(db.session, entry_id, actor=current_user)
    flash(_("Entry %(number)s posted.", number=entry.number), "success")
    return redirect(url_for(".entry", entry_id=entry.id))


@bp.post("/entries/<int:entry_id>/delete")
@requires("accounting.edit")
def delete_entry(entry_id: int):
    entry = services.get_entry(db.session, entry_id, actor=current_user)
    ledger_id = entry.ledger_id
    if ConfirmForm().validate_on_submit():
        refusal_returns_to(url_for(".entry", entry_id=entry_id))
        services.delete_draft(db.session, entry_id, actor=current_user)
        flash(_("Draft deleted."), "success")
    return redirect(url_for(".entries", ledger_id=ledger_id))


@bp.post("/entries/<int:entry_id>/reverse")
@requires("accounting.edit")
def reverse_entry(entry_id: int):
    form = ReverseForm()
    if not form.validate_on_submit():
        flash(_("Give the date of the reversal."), "error")
        return redirect(url_for(".entry", entry_id=entry_id))
    refusal_returns_to(url_for(".entry", entry_id=entry_id))
    reversal = services.reverse_entry(db.session, entry_id, on=form.date.data, actor=current_user)
    flash(_("Reversal %(number)s posted.", number=reversal.number), "success")
    return redirect(url_for(".entry", entry_id=reversal.id))
