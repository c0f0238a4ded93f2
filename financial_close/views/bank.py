"""A ledger's bank accounts and the banks' CSV formats, statement import, statement lines
with their suggested matches, entries from bank lines, and the reconciliation of the bank's
balance with the books'."""

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from accounting import services as accounting
from financial_close import bank
from financial_close.blueprint import bp
from financial_close.forms import (
    STATUSES,
    BankAccountForm,
    BankFormatForm,
    EntryFromLineForm,
    ImportStatementForm,
)
from gie import db
from gie.csvfiles import parse_date
from gie.forms import ConfirmForm, choices
from gie.security import requires
from gie.tabular import Table, to_csv
from gie.web import csv_dialect, csv_response, refusal_returns_to, refusal_shows

#: a file refused with more errors shows the first ones
SHOWN_ERRORS = 200


def _format_choices(blank: str) -> list:
    return choices(
        {str(bank_format.id): bank_format.name for bank_format in bank.bank_formats(db.session)},
        blank=blank,
    )


def _format_id(value: str) -> int | None:
    return int(value) if value and value.isdecimal() else None


# --- bank accounts -------------------------------------------------------------------------


def _accounts_page(ledger, form: BankAccountForm, status: int = 200):
    return render_template(
        "financial_close/bank_accounts.html",
        ledger=ledger,
        bank_accounts=bank.bank_accounts(db.session, ledger.id),
        form=form,
    ), status


def _bank_account_form(ledger) -> BankAccountForm:
    form = BankAccountForm()
    form.account_code.choices = choices(
        {account.code: str(account) for account in bank.bank_account_choices(db.session, ledger.id)}
    )
    form.bank_format_id.choices = _format_choices(_("(choose later)"))
    return form


@bp.get("/ledgers/<int:ledger_id>/bank")
@requires("accounting.view")
def bank_accounts(ledger_id: int):
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    return _accounts_page(ledger, _bank_account_form(ledger))


@bp.post("/ledgers/<int:ledger_id>/bank")
@requires("accounting.edit")
def add_bank_account(ledger_id: int):
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    form = _bank_account_form(ledger)
    if not form.validate_on_submit():
        return _accounts_page(ledger, form, 422)
    refusal_shows(lambda _error: _accounts_page(ledger, form)[0], form)
    bank_account = bank.add_bank_account(
        db.session,
        ledger.id,
        name=form.name.data,
        account_code=form.account_code.data,
        bank_format_id=_format_id(form.bank_format_id.data),
    )
    flash(_("Bank account %(name)s added.", name=bank_account.name), "success")
    return redirect(url_for(".bank_account", bank_account_id=bank_account.id))


# --- bank formats --------------------------------------------------------------------------


@bp.get("/bank/formats")
@requires("accounting.edit")
def bank_formats():
    return render_template(
        "financial_close/bank_formats.html", bank_formats=bank.bank_formats(db.session)
    )


def _save_format(form: BankFormatForm, bank_format_id: int | None):
    def page():
        return render_template(
            "financial_close/bank_format_form.html", form=form, bank_format_id=bank_format_id
        )

    if not form.validate_on_submit():
        return page(), 422 if request.method == "POST" else 200
    refusal_shows(lambda _error: page(), form)
    saved = bank.save_bank_format(db.session, form.data, bank_format_id=bank_format_id)
    flash(_("Bank format %(name)s saved.", name=saved.name), "success")
    return redirect(url_for(".bank_formats"))


@bp.route("/bank/formats/new", methods=["GET", "POST"])
@requires("accounting.edit")
def new_bank_format():
    return _save_format(BankFormatForm(), None)


@bp.route("/bank/formats/<int:bank_format_id>", methods=["GET", "POST"])
@requires("accounting.edit")
def edit_bank_format(bank_format_id: int):
    bank_format = bank.get_bank_format(db.session, bank_format_id)
    form = BankFormatForm(obj=bank_format)
    return _save_format(form, bank_format.id)


# --- one bank account: statements and import -----------------------------------------------


def _import_form(bank_account) -> ImportStatementForm:
    form = ImportStatementForm()
    form.bank_format_id.choices = _format_choices(_("(the account's format)"))
    if request.method == "GET" and bank_account.bank_format_id:
        form.bank_format_id.data = str(bank_account.bank_format_id)
    return form


#: the field of the import form that picks the bank account of a statement's account id
ACCOUNT_FOR = "account_for-"


def _account_page(bank_account, form, failure=None, status: int = 200):
    line_errors = getattr(failure, "line_errors", [])
    return render_template(
        "financial_close/bank_account.html",
        ledger=bank_account.ledger,
        bank_account=bank_account,
        statements=bank.statements(db.session, bank_account.id),
        form=form,
        line_errors=list(line_errors)[:SHOWN_ERRORS],
        more_errors=max(0, len(line_errors) - SHOWN_ERRORS),
        # statements of the file that match no bank account: the user picks one for each
        unmatched_ids=getattr(failure, "account_ids", []),
        ledger_accounts=bank.bank_accounts(db.session, bank_account.ledger_id),
        account_for=ACCOUNT_FOR,
    ), status


def _accounts_for() -> dict[str, int]:
    """The bank account the user picked for each account id of the file."""
    return {
        name[len(ACCOUNT_FOR) :]: int(value)
        for name, value in request.form.items()
        if name.startswith(ACCOUNT_FOR) and value.isdecimal()
    }


@bp.get("/bank/accounts/<int:bank_account_id>")
@requires("accounting.view")
def bank_account(bank_account_id: int):
    bank_account = bank.get_bank_account(db.session, bank_account_id, actor=current_user)
    return _account_page(bank_account, _import_form(bank_account))


@bp.post("/bank/accounts/<int:bank_account_id>/import")
@requires("accounting.edit")
def import_statement(bank_account_id: int):
    bank_account = bank.get_bank_account(db.session, bank_account_id, actor=current_user)
    form = _import_form(bank_account)
    if not form.validate_on_submit():
        return _account_page(bank_account, form, status=422)
    refusal_shows(lambda failure: _account_page(bank_account, form, failure)[0], form)
    imported = bank.import_statement(
        db.session,
        bank_account.id,
        form.file.data.read(),
        form.file.data.filename or "",
        source=form.source.data,
        opening_balance=form.opening_balance.data,
        closing_balance=form.closing_balance.data,
        bank_format_id=_format_id(form.bank_format_id.data),
        accounts_for=_accounts_for(),
        actor=current_user,
    )
    if imported.already_imported:
        flash(_("This file was already imported: nothing was added."), "info")
        return redirect(url_for(".bank_account", bank_account_id=bank_account.id))
    for result in imported.results:
        flash(
            _(
                "%(statement)s into %(account)s: %(added)s, %(skipped)d already known.",
                statement=bank.describe(result.read),
                account=result.bank_account.name,
                added=ngettext("%(num)d line added", "%(num)d lines added", result.lines_added),
                skipped=result.lines_skipped,
            ),
            "success",
        )
        if not result.balances_checked:
            flash(
                _(
                    "%(statement)s: the file gives too few balances, the lines were not"
                    " checked against them. Give the opening and closing balances to check them.",
                    statement=bank.describe(result.read),
                ),
                "warning",
            )
    return redirect(url_for(".bank_statement", statement_id=imported.statement.id))


# --- a statement and its lines -------------------------------------------------------------


def _status_filter() -> tuple[str, bool | None]:
    status = request.args.get("status", "")
    return status, {"open": False, "reconciled": True}.get(status)


@bp.get("/bank/statements/<int:statement_id>")
@requires("accounting.view")
def bank_statement(statement_id: int):
    statement = bank.get_statement(db.session, statement_id, actor=current_user)
    status, reconciled = _status_filter()
    lines = bank.statement_lines(db.session, statement.id, reconciled=reconciled)
    suggested = {
        line.id: bank.suggestions(db.session, line.id, limit=3)
        for line in lines
        if not line.reconciled
    }
    return render_template(
        "financial_close/bank_statement.html",
        ledger=statement.bank_account.ledger,
        statement=statement,
        lines=lines,
        suggested=suggested,
        status=status,
        statuses=STATUSES,
        confirm=ConfirmForm(),
    )


@bp.get("/bank/statements/<int:statement_id>/export.csv")
@requires("accounting.view")
def export_bank_statement(statement_id: int):
    statement = bank.get_statement(db.session, statement_id, actor=current_user)
    table = Table(
        _("Bank statement"),
        [_("Date"), _("Label"), _("Reference"), _("Amount"), _("Balance"), _("Reconciled")],
        [
            [
                line.date,
                line.label,
                line.reference,
                line.amount,
                line.balance,
                _("yes") if line.reconciled else _("no"),
            ]
            for line in bank.statement_lines(db.session, statement.id)
        ],
    )
    return csv_response(to_csv(table, csv_dialect()), f"statement-{statement.id}.csv")


# --- one bank line: matches, reconciliation, entry -----------------------------------------


def _line_page(bank_line, entry_form: EntryFromLineForm | None = None, status: int = 200):
    rule = None if bank_line.reconciled else bank.rule_for(db.session, bank_line)
    if entry_form is None:
        entry_form = EntryFromLineForm(
            account_code=rule.account_code if rule else "",
            label=(rule.label if rule and rule.label else bank_line.label),
            pattern=bank_line.label,
        )
    # supporting documents of the line, shown by the package that keeps them
    panels = current_app.extensions.get("gie_record_panels", {}).get("bank_line", [])
    return render_template(
        "financial_close/bank_line.html",
        ledger=bank_line.bank_account.ledger,
        bank_line=bank_line,
        matches=bank.reconciled_lines(db.session, bank_line.id),
        suggestions=[] if bank_line.reconciled else bank.suggestions(db.session, bank_line.id),
        candidates=[] if bank_line.reconciled else bank.candidate_lines(db.session, bank_line.id),
        rule=rule,
        entry_form=entry_form,
        panels=[panel(bank_line) for panel in panels],
        confirm=ConfirmForm(),
    ), status


def _confirmed_change(change, done: str, back: str):
    """Make a change the user confirmed and go `back`, saying it was done or why not."""
    if ConfirmForm().validate_on_submit():
        refusal_returns_to(back)
        change()
        flash(done, "success")
    return redirect(back)


def _back_to(bank_line) -> str:
    """After a change, back to the statement page the user came from, or the line's page."""
    if request.form.get("back") == "statement":
        return url_for(".bank_statement", statement_id=bank_line.statement_id)
    return url_for(".bank_line", bank_line_id=bank_line.id)


@bp.get("/bank/lines/<int:bank_line_id>")
@requires("accounting.view")
def bank_line(bank_line_id: int):
    bank_line = bank.get_bank_line(db.session, bank_line_id, actor=current_user)
    return _line_page(bank_line)


@bp.post("/bank/lines/<int:bank_line_id>/reconcile")
@requires("accounting.edit")
def reconcile_bank_line(bank_line_id: int):
    bank_line = bank.get_bank_line(db.session, bank_line_id, actor=current_user)
    line_ids = [int(value) for value in request.form.getlist("line_id") if value.isdecimal()]
    return _confirmed_change(
        lambda: bank.reconcile(db.session, bank_line.id, line_ids, actor=current_user),
        _("Bank line reconciled."),
        _back_to(bank_line),
    )


@bp.post("/bank/lines/<int:bank_line_id>/undo")
@requires("accounting.edit")
def undo_reconciliation(bank_line_id: int):
    bank_line = bank.get_bank_line(db.session, bank_line_id, actor=current_user)
    return _confirmed_change(
        lambda: bank.undo_reconciliation(db.session, bank_line.id, actor=current_user),
        _("Reconciliation undone: the line is open again."),
        url_for(".bank_line", bank_line_id=bank_line.id),
    )


@bp.post("/bank/lines/<int:bank_line_id>/entry")
@requires("accounting.edit")
def entry_from_bank_line(bank_line_id: int):
    bank_line = bank.get_bank_line(db.session, bank_line_id, actor=current_user)
    form = EntryFromLineForm()
    if not form.validate_on_submit():
        return _line_page(bank_line, form, 422)
    refusal_shows(lambda _error: _line_page(bank_line, form)[0], form)
    entry = bank.entry_from_line(
        db.session,
        bank_line.id,
        account_code=form.account_code.data,
        label=form.label.data,
        remember_as=form.pattern.data or "" if form.remember.data else None,
        actor=current_user,
    )
    flash(_("Entry %(number)s posted and reconciled.", number=entry.number), "success")
    if form.remember.data:
        flash(_("Rule remembered for the next lines."), "success")
    return redirect(_back_to(bank_line))


# --- the reconciliation statement ----------------------------------------------------------


@bp.get("/bank/accounts/<int:bank_account_id>/reconciliation")
@requires("accounting.view")
def bank_reconciliation(bank_account_id: int):
    bank_account = bank.get_bank_account(db.session, bank_account_id, actor=current_user)
    on = None
    if request.args.get("on"):
        try:
            on = parse_date(request.args["on"], strict=True)
        except ValueError:
            flash(_("Not a date."), "error")
    view = bank.reconciliation_view(db.session, bank_account.id, on=on)
    return render_template(
        "financial_close/bank_reconciliation.html",
        ledger=bank_account.ledger,
        bank_account=bank_account,
        view=view,
        today=date.today(),
    )
