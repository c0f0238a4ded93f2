"""Year-end closing pages: per ledger and fiscal year, the checklist with links to the work
left, closing (optionally forced past the bank and documents items), and reopening by an
admin with a reason."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import closing as accounting_closing
from accounting import services
from accounting.reports import lists
from financial_close import checklist
from financial_close.blueprint import bp
from financial_close.forms import CloseYearForm, ReopenYearForm
from gie import db
from gie.security import requires
from gie.users.models import User
from gie.web import refusal_returns_to


def _selected_year(years, year_id: int | None):
    """The requested year, else the first open one, else the last."""
    chosen = next((year for year in years if year.id == year_id), None)
    return chosen or next((year for year in years if not year.closed), years[-1])


def _work_links(ledger_id: int, year) -> dict[str, str]:
    """Where each checklist item's work is done, for the pages that exist."""
    period = {"date_from": year.start_on.isoformat(), "date_to": year.end_on.isoformat()}
    links = {
        "drafts": url_for("accounting.entries", ledger_id=ledger_id, state="draft", **period),
        "documents": url_for(
            "accounting.entries", ledger_id=ledger_id, state="posted", documents="missing", **period
        ),
    }
    if "financial_close.bank_accounts" in current_app.view_functions:
        links["bank"] = url_for("financial_close.bank_accounts", ledger_id=ledger_id)
    if "financial_close.vat_returns" in current_app.view_functions:
        links["vat"] = url_for(
            "financial_close.vat_returns", ledger_id=ledger_id, year=year.start_on.year
        )
    return links


def _year_id(form) -> int | None:
    try:
        return int(form.fiscal_year_id.data)
    except (TypeError, ValueError):
        return None


@bp.get("/ledgers/<int:ledger_id>/closing")
@requires("accounting.view")
def closing_page(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    years = lists.fiscal_years(db.session, ledger.id)
    year = _selected_year(years, request.args.get("year", type=int))
    opening = None
    if year.opening_entry_id:
        opening = services.get_entry(db.session, year.opening_entry_id, actor=current_user)
    closer = db.session.get(User, year.closed_by_id) if year.closed_by_id else None
    return render_template(
        "financial_close/closing.html",
        ledger=ledger,
        years=years,
        year=year,
        items=checklist.checklist(db.session, ledger.id, year.id),
        links=_work_links(ledger.id, year),
        opening=opening,
        closer=closer,
        close_form=CloseYearForm(fiscal_year_id=year.id),
        reopen_form=ReopenYearForm(fiscal_year_id=year.id),
    )


@bp.post("/ledgers/<int:ledger_id>/closing/close")
@requires("accounting.edit")
def close_year(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    form = CloseYearForm()
    year_id = _year_id(form)
    if not form.validate_on_submit() or year_id is None:
        flash(_("Choose the fiscal year to close."), "error")
        return redirect(url_for(".closing_page", ledger_id=ledger.id))
    refusal_returns_to(url_for(".closing_page", ledger_id=ledger.id, year=year_id))
    summary = checklist.close_with_checklist(
        db.session, ledger.id, year_id, force=form.force.data, actor=current_user
    )
    if summary.opening_entry:
        flash(
            _(
                "Fiscal year %(year)s closed. Opening entry %(number)s posted.",
                year=summary.year.name,
                number=summary.opening_entry.number,
            ),
            "success",
        )
    else:
        flash(_("Fiscal year %(year)s closed.", year=summary.year.name), "success")
    return redirect(url_for(".closing_page", ledger_id=ledger.id, year=year_id))


@bp.post("/ledgers/<int:ledger_id>/closing/reopen")
@requires("accounting.reopen")
def reopen_year(ledger_id: int):
    ledger = services.get_ledger(db.session, ledger_id, actor=current_user)
    form = ReopenYearForm()
    year_id = _year_id(form)
    if year_id is None:
        flash(_("Choose the fiscal year to reopen."), "error")
        return redirect(url_for(".closing_page", ledger_id=ledger.id))
    back = url_for(".closing_page", ledger_id=ledger.id, year=year_id)
    if not form.validate_on_submit():
        flash(_("Give the reason for reopening."), "error")
        return redirect(back)
    refusal_returns_to(back)
    year = accounting_closing.find_fiscal_year(db.session, ledger.id, year_id)
    accounting_closing.reopen_fiscal_year(
        db.session, year.id, reason=form.reason.data, actor=current_user
    )
    flash(_("Fiscal year %(year)s reopened.", year=year.name), "success")
    return redirect(back)
