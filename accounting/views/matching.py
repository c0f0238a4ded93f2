"""Matching (lettrage) pages of the accounting blueprint: the partners with open items, and
per partner account and partner the lines to match with each other or to unmatch."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import matching, services
from accounting.blueprint import bp
from gie import db
from gie.forms import ConfirmForm, optional_int
from gie.i18n import money
from gie.money import ZERO
from gie.security import requires
from gie.web import refusal_returns_to

SHOW = ("open", "all")


def _choice():
    """The account code, partner ("" for the lines without one) and filter asked for, from
    the query or the posted form."""
    values = request.form if request.method == "POST" else request.args
    show = values.get("show", "open")
    partner = values.get("partner")
    if partner == matching.WITHOUT_PARTNER:
        partner = ""
    elif not partner:
        partner = None
    return values.get("account", ""), partner, show if show in SHOW else "open"


def partner_parameter(partner: str | None) -> str | None:
    """The partner as the pages' links and forms name it."""
    return matching.WITHOUT_PARTNER if partner == "" else partner


def _back(ledger, account: str, partner: str | None, show: str) -> str:
    """The matching page of the account and partner the user was working on."""
    return url_for(
        ".matching_lines",
        ledger_id=ledger.id,
        account=account,
        partner=partner_parameter(partner),
        show=show,
    )


@bp.get("/ledgers/<int:ledger_id>/matching")
@requires("accounting.view")
def matching_index(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    return render_template(
        "accounting/matching.html",
        ledger=ledger,
        accounts=matching.partner_accounts(db.session, ledger.id),
        balances=matching.open_balances(db.session, ledger.id),
        partner_parameter=partner_parameter,
    )


@bp.get("/ledgers/<int:ledger_id>/matching/lines")
@requires("accounting.view")
def matching_lines(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    code, partner, show = _choice()
    accounts = matching.partner_accounts(db.session, ledger.id)
    account = next((account for account in accounts if account.code == code), None)
    partners = matching.partners(db.session, account.id) if account else []
    lines = []
    if account is not None and partner in partners:
        lines = matching.partner_lines(db.session, account.id, partner)
    shown = [line for line in lines if show == "all" or line.open_amount]
    return render_template(
        "accounting/matching_lines.html",
        ledger=ledger,
        accounts=accounts,
        account=account,
        partners=partners,
        partner=partner if partner in partners else None,
        partner_parameter=partner_parameter,
        show=show,
        lines=shown,
        hidden=len(lines) - len(shown),
        total_debit=sum((line.debit for line in lines), ZERO),
        total_credit=sum((line.credit for line in lines), ZERO),
        open_balance=sum(
            (line.open_amount if line.debit else -line.open_amount for line in lines), ZERO
        ),
        confirm=ConfirmForm(),
    )


def _line_ids() -> list[int]:
    return [line_id for line_id in map(optional_int, request.form.getlist("line")) if line_id]


@bp.post("/ledgers/<int:ledger_id>/matching/lines")
@requires("accounting.edit")
def match_lines(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    code, partner, show = _choice()
    line_ids = _line_ids()
    if not ConfirmForm().validate_on_submit() or not line_ids:
        flash(_("Choose the lines to match."), "error")
        return redirect(_back(ledger, code, partner, show))
    refusal_returns_to(_back(ledger, code, partner, show))
    result = matching.match_selection(db.session, ledger.id, line_ids, actor=current_user)
    if result.left_open:
        rest = ", ".join(
            _("%(amount)s left open on %(entry)s", amount=money(amount), entry=entry)
            for entry, amount in result.left_open
        )
        flash(
            _("Matched %(amount)s; %(rest)s.", amount=money(result.matched), rest=rest), "success"
        )
    else:
        flash(
            _(
                "Matched %(amount)s: nothing is left open on the chosen lines.",
                amount=money(result.matched),
            ),
            "success",
        )
    return redirect(_back(ledger, code, partner, show))


@bp.post("/ledgers/<int:ledger_id>/matching/unmatch")
@requires("accounting.edit")
def unmatch_line(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    code, partner, show = _choice()
    line_id = optional_int(request.form.get("line_id"))
    if not ConfirmForm().validate_on_submit() or line_id is None:
        flash(_("Choose the line to unmatch."), "error")
        return redirect(_back(ledger, code, partner, show))
    if matching.unmatch(db.session, ledger.id, line_id):
        flash(
            _("Matching undone: the line and the lines it was matched with are open again."),
            "success",
        )
    else:
        flash(_("This line was not matched."), "error")
    return redirect(_back(ledger, code, partner, show))
