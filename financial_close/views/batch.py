"""The cockpit's batch work: lock a period for several ledgers at once, post every draft of a
ledger. The work runs in the request; the page then shows its summary."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from accounting import services as accounting
from financial_close import batch
from financial_close.blueprint import bp
from financial_close.forms import lock_period_form
from gie import db
from gie.forms import ConfirmForm
from gie.security import requires


@bp.post("/cockpit/lock")
@requires("accounting.edit")
def lock_period():
    visible = [ledger.id for ledger in accounting.visible_ledgers(db.session, current_user)]
    form = lock_period_form(visible)
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
