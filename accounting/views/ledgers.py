"""Ledger pages: the list of books, opening books, a ledger with its fiscal years and lock
date, and its chart of accounts."""

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import closing, services
from accounting.blueprint import bp
from accounting.forms import (
    KIND_LABELS,
    EditAccountForm,
    LockDateForm,
    NewAccountForm,
    OpenLedgerForm,
)
from accounting.reports import lists
from gie import db
from gie.forms import ConfirmForm, choices
from gie.security import is_scoped, requires
from gie.web import refusal_returns_to, refusal_shows


@bp.get("/")
@requires("accounting.view")
def index():
    ledgers = services.visible_ledgers(db.session, current_user)
    if is_scoped(current_user) and len(ledgers) == 1:
        return redirect(url_for(".ledger", ledger_id=ledgers[0].id))
    form = OpenLedgerForm(first_year=date.today().year)
    form.code.choices = choices(lists.codes_without_books(db.session))
    return render_template("accounting/index.html", ledgers=ledgers, form=form)


@bp.post("/ledgers")
@requires("accounting.edit")
def open_ledger():
    form = OpenLedgerForm()
    form.code.choices = choices(lists.codes_without_books(db.session))
    if not form.validate_on_submit():
        flash(_("Choose whose books to open and the first year."), "error")
        return redirect(url_for(".index"))
    refusal_returns_to(url_for(".index"))
    ledger = services.open_ledger(db.session, form.code.data, first_year=form.first_year.data)
    flash(_("Books of %(code)s opened.", code=ledger.code), "success")
    return redirect(url_for(".ledger", ledger_id=ledger.id))


@bp.get("/ledgers/<int:ledger_id>")
@requires("accounting.view")
def ledger(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    years = lists.fiscal_years(db.session, ledger.id)
    return render_template(
        "accounting/ledger.html",
        ledger=ledger,
        years=years,
        closers=closing.closer_names(db.session, ledger.id),
        drafts=lists.drafts_count(db.session, ledger.id),
        lock_form=LockDateForm(lock_date=ledger.lock_date),
        confirm=ConfirmForm(),
    )


@bp.post("/ledgers/<int:ledger_id>/lock-date")
@requires("accounting.edit")
def set_lock_date(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    form = LockDateForm()
    if form.validate_on_submit():
        services.set_lock_date(db.session, ledger.id, form.lock_date.data)
        flash(_("Lock date saved."), "success")
    else:
        flash(_("Not a date."), "error")
    return redirect(url_for(".ledger", ledger_id=ledger.id))


@bp.post("/ledgers/<int:ledger_id>/fiscal-years")
@requires("accounting.edit")
def add_fiscal_year(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    if ConfirmForm().validate_on_submit():
        year = services.add_fiscal_year(db.session, ledger.id)
        flash(_("Fiscal year %(year)s opened.", year=year.name), "success")
    return redirect(url_for(".ledger", ledger_id=ledger.id))


def _accounts_page(ledger, form: NewAccountForm, status: int = 200):
    return render_template(
        "accounting/accounts.html",
        ledger=ledger,
        accounts=lists.ledger_accounts(db.session, ledger.id),
        used=lists.used_account_ids(db.session, ledger.id),
        kinds=KIND_LABELS,
        form=form,
        confirm=ConfirmForm(),
    ), status


@bp.get("/ledgers/<int:ledger_id>/accounts")
@requires("accounting.view")
def accounts(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    return _accounts_page(ledger, NewAccountForm())


@bp.post("/ledgers/<int:ledger_id>/accounts")
@requires("accounting.edit")
def add_account(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    form = NewAccountForm()
    if not form.validate_on_submit():
        return _accounts_page(ledger, form, 422)
    refusal_shows(lambda _error: _accounts_page(ledger, form)[0], form)
    account = services.add_account(db.session, ledger.id, form.code.data, form.label.data)
    flash(_("Account %(code)s added.", code=account.code), "success")
    return redirect(url_for(".accounts", ledger_id=ledger.id))


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"])
@requires("accounting.edit")
def edit_account(account_id: int):
    account = services.get_account(db.session, account_id, actor=current_user)
    form = EditAccountForm(obj=account)
    if form.validate_on_submit():
        services.update_account(
            db.session,
            account.id,
            label=form.label.data,
            active=form.active.data,
            actor=current_user,
        )
        flash(_("Account %(code)s saved.", code=account.code), "success")
        return redirect(url_for(".accounts", ledger_id=account.ledger_id))
    return render_template("accounting/account_edit.html", account=account, form=form), (
        422 if form.errors else 200
    )


@bp.post("/accounts/<int:account_id>/delete")
@requires("accounting.edit")
def delete_account(account_id: int):
    account = services.get_account(db.session, account_id, actor=current_user)
    ledger_id, code = account.ledger_id, account.code
    if ConfirmForm().validate_on_submit():
        refusal_returns_to(url_for(".accounts", ledger_id=ledger_id))
        services.delete_account(db.session, account_id, actor=current_user)
        flash(_("Account %(code)s deleted.", code=code), "success")
    return redirect(url_for(".accounts", ledger_id=ledger_id))
