"""The rules that propose the counterpart account of an entry made from a bank line: a
ledger's rules and those for all ledgers, added, edited, switched on or off, ordered, deleted."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import services as accounting
from financial_close import bank
from financial_close.blueprint import bp
from financial_close.forms import BankRuleForm
from gie import db
from gie.errors import ValidationError
from gie.forms import ConfirmForm
from gie.security import requires
from gie.web import refusal_shows


def _rules_page(ledger, form: BankRuleForm | None = None, edited=None, status: int = 200):
    """`edited` is the rule whose change was refused, shown with what was typed and why."""
    return render_template(
        "financial_close/bank_rules.html",
        ledger=ledger,
        rules=bank.rules(db.session, ledger.id, with_inactive=True),
        form=form or BankRuleForm(formdata=None),
        edited=edited,
        confirm=ConfirmForm(),
    ), status


def _ledger_and_rule(ledger_id: int, rule_id: int):
    """The ledger the user may see and one of the rules that apply to it. Raises NotFound."""
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    return ledger, bank.get_rule(db.session, rule_id, ledger_id=ledger.id)


def _to_rules(ledger_id: int, rule_id: int | None = None):
    anchor = f"rule-{rule_id}" if rule_id is not None else None
    return redirect(url_for(".bank_rules", ledger_id=ledger_id, _anchor=anchor))


@bp.get("/ledgers/<int:ledger_id>/bank/rules")
@requires("accounting.view")
def bank_rules(ledger_id: int):
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    return _rules_page(ledger)


@bp.post("/ledgers/<int:ledger_id>/bank/rules")
@requires("accounting.edit")
def add_bank_rule(ledger_id: int):
    ledger = accounting.get_ledger(db.session, ledger_id, actor=current_user)
    form = BankRuleForm()
    if not form.validate_on_submit():
        return _rules_page(ledger, form, status=422)
    refusal_shows(lambda _error: _rules_page(ledger, form)[0], form)
    rule = bank.save_rule(
        db.session,
        ledger_id=None if form.all_ledgers.data else ledger.id,
        pattern=form.pattern.data,
        account_code=form.account_code.data,
        label=form.label.data,
        check_chart=True,
    )
    flash(_("Rule “%(pattern)s” added.", pattern=rule.pattern), "success")
    return _to_rules(ledger.id, rule.id)


@bp.post("/ledgers/<int:ledger_id>/bank/rules/<int:rule_id>")
@requires("accounting.edit")
def edit_bank_rule(ledger_id: int, rule_id: int):
    ledger, rule = _ledger_and_rule(ledger_id, rule_id)
    form = BankRuleForm()
    refusal_shows(
        lambda error: _rules_page(
            ledger,
            edited={"rule_id": rule_id, "values": form.data, "errors": error.field_errors},
        )[0]
    )
    if not form.validate_on_submit():
        raise ValidationError(_("Please correct the highlighted fields."), field_errors=form.errors)
    bank.update_rule(
        db.session,
        rule.id,
        ledger_id=ledger.id,
        pattern=form.pattern.data,
        account_code=form.account_code.data,
        label=form.label.data,
    )
    flash(_("Rule “%(pattern)s” saved.", pattern=rule.pattern), "success")
    return _to_rules(ledger.id, rule.id)


@bp.post("/ledgers/<int:ledger_id>/bank/rules/<int:rule_id>/active")
@requires("accounting.edit")
def switch_bank_rule(ledger_id: int, rule_id: int):
    ledger, rule = _ledger_and_rule(ledger_id, rule_id)
    active = request.form.get("active")
    if ConfirmForm().validate_on_submit() and active in ("0", "1"):
        bank.set_rule_active(db.session, rule.id, ledger_id=ledger.id, active=active == "1")
        if rule.active:
            flash(_("Rule “%(pattern)s” activated.", pattern=rule.pattern), "success")
        else:
            flash(_("Rule “%(pattern)s” deactivated.", pattern=rule.pattern), "success")
    return _to_rules(ledger.id, rule.id)


@bp.post("/ledgers/<int:ledger_id>/bank/rules/<int:rule_id>/move")
@requires("accounting.edit")
def move_bank_rule(ledger_id: int, rule_id: int):
    ledger, rule = _ledger_and_rule(ledger_id, rule_id)
    direction = request.form.get("direction")
    if ConfirmForm().validate_on_submit() and direction in ("up", "down"):
        bank.move_rule(db.session, rule.id, ledger_id=ledger.id, up=direction == "up")
    return _to_rules(ledger.id, rule.id)


@bp.post("/ledgers/<int:ledger_id>/bank/rules/<int:rule_id>/delete")
@requires("accounting.edit")
def delete_bank_rule(ledger_id: int, rule_id: int):
    ledger, rule = _ledger_and_rule(ledger_id, rule_id)
    if ConfirmForm().validate_on_submit():
        pattern = rule.pattern
        bank.delete_rule(db.session, rule.id, ledger_id=ledger.id)
        flash(_("Rule “%(pattern)s” deleted.", pattern=pattern), "success")
        return _to_rules(ledger.id)
    return _to_rules(ledger.id, rule.id)
