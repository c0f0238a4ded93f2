"""The accountant's cockpit across all ledgers, and its batch work: post every draft of a
ledger, lock a period for several ledgers at once. The work runs in the request; the page
then shows its summary."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import services as accounting
from financial_close import batch
from financial_close.cockpit import cockpit as cockpit_rows
from financial_close.cockpit import cockpit_table, totals
from financial_close.cockpit_forms import LockPeriodForm
from financial_close.views import bp
from gie import db, tabular
from gie.forms import ConfirmForm
from gie.security import requires
from gie.web import csv_dialect, csv_response


def _headers() -> list[str]:
    return [
        _("Code"),
        _("Cooperative"),
        _("Drafts"),
        _("Bank lines not reconciled"),
        _("Last reconciled"),
        _("VAT period start"),
        _("VAT period end"),
        _("VAT filing deadline"),
        _("Oldest year not closed"),
        _("Years not closed"),
        _("Entries without documents"),
        _("Lock date"),
    ]


def _lock_form(ledger_ids: list[int]) -> LockPeriodForm:
    form = LockPeriodForm()
    form.ledgers.choices = [(ledger_id, str(ledger_id)) for ledger_id in ledger_ids]
    return form


@bp.get("/cockpit")
@requires("accounting.edit")
def cockpit():
    today = date.today()
    search = request.args.get("q", "")
    show_all = request.args.get("all") == "1"
    rows = cockpit_rows(db.session, today, search=search, attention_only=not show_all)
    if request.args.get("format") == "csv":
        table = cockpit_table(rows, _headers(), _("Cockpit"), _("Total"))
        return csv_response(
            tabular.to_csv(table, csv_dialect()), f"cockpit-{today.isoformat()}.csv"
        )
    return render_template(
        "financial_close/cockpit.html",
        rows=rows,
        totals=totals(rows),
        today=today,
        search=search,
        show_all=show_all,
        lock_form=_lock_form([row.ledger_id for row in rows]),
    )


@bp.post("/cockpit/lock")
@requires("accounting.edit")
def lock_period():
    visible = [ledger.id for ledger in accounting.visible_ledgers(db.session, current_user)]
    form = _lock_form(visible)
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(url_for(".cockpit"))
    result = batch.lock_period(
        db.session, form.ledgers.data, form.lock_date.data, actor=current_user
    )
    return render_template(
        "financial_close/cockpit_lock_summary.html", result=result, lock_date=form.lock_date.data
    )


@bp.get("/ledgers/<int:ledger_id>/post-drafts")
@requires("accounting.edit")
def post_drafts(ledger_id: int):
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    return render_template(
        "financial_close/cockpit_post_drafts.html",
        ledger=ledger,
        drafts=batch.drafts_in_posting_order(db.session, ledger.id),
        confirm=ConfirmForm(),
    )


@bp.post("/ledgers/<int:ledger_id>/post-drafts")
@requires("accounting.edit")
def run_post_drafts(ledger_id: int):
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = batch.post_all_drafts(db.session, ledger.id, actor=current_user)
    return render_template(
        "financial_close/cockpit_post_summary.html", ledger=ledger, result=result
    )
