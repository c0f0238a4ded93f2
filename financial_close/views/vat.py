"""The VAT returns of a ledger: its periods of a year and their status, the return of one
period as the SIMPL-TVA form numbers its lines (on screen, CSV, PDF in French or Arabic), its
validation, and the ledger's VAT settings."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from accounting import matching
from accounting import services as accounting
from financial_close.blueprint import bp
from financial_close.forms import (
    PERIOD_LABELS,
    REGIME_LABELS,
    STATUS_LABELS,
    ValidateReturnForm,
    VatSettingsForm,
)
from financial_close.vat_periods import books_start, next_return_due, period_of, period_statuses
from financial_close.vat_return import compute_return, form_lines, get_return, saved_draft
from financial_close.vat_settings import VAT_ACCOUNT_SETTINGS, update_settings
from financial_close.vat_settlement import validate_return
from gie import db, i18n, pdf, tabular
from gie.pdf import document_language, pdf_response
from gie.security import requires
from gie.tabular import Table
from gie.web import csv_dialect, csv_response, refusal_shows


def _ledger(ledger_id: int):
    return accounting.get_ledger(db.session, ledger_id, actor=current_user)


def _years(ledger) -> list[int]:
    """From this year (or the books' last) back to the books' first year, latest first."""
    start = books_start(db.session, ledger.id) or date.today()
    return list(range(date.today().year, start.year - 1, -1)) or [start.year]


def _periods_page(ledger, form: VatSettingsForm, status: int = 200):
    years = _years(ledger)
    year = request.args.get("year", type=int)
    if year not in years:
        due = next_return_due(db.session, ledger, date.today())
        year = due[0].year if due else years[0]
    return (
        render_template(
            "financial_close/vat_periods.html",
            ledger=ledger,
            year=year,
            years=years,
            periods=period_statuses(db.session, ledger, year, date.today()),
            status_labels=STATUS_LABELS,
            account_settings=[(name, form[name]) for name in VAT_ACCOUNT_SETTINGS],
            period_label=PERIOD_LABELS[ledger.vat_period],
            regime_label=REGIME_LABELS[ledger.vat_regime],
            form=form,
        ),
        status,
    )


@bp.get("/ledgers/<int:ledger_id>/vat")
@requires("accounting.view")
def vat_returns(ledger_id: int):
    ledger = _ledger(ledger_id)
    return _periods_page(ledger, VatSettingsForm(obj=ledger))


@bp.post("/ledgers/<int:ledger_id>/vat/settings")
@requires("accounting.edit")
def vat_settings(ledger_id: int):
    ledger = _ledger(ledger_id)
    form = VatSettingsForm()
    if not form.validate_on_submit():
        return _periods_page(ledger, form, 422)
    refusal_shows(lambda _error: _periods_page(ledger, form)[0], form)
    update_settings(
        db.session,
        ledger.id,
        vat_period=form.vat_period.data,
        vat_regime=form.vat_regime.data,
        accounts={name: form[name].data for name in VAT_ACCOUNT_SETTINGS},
    )
    flash(_("VAT settings saved."), "success")
    return redirect(url_for(".vat_returns", ledger_id=ledger.id))


def _return_of(ledger, period_start: str):
    """The saved return of the period starting on `period_start`, or the one computed now."""
    try:
        start = date.fromisoformat(period_start)
    except ValueError:
        abort(404)
    saved = get_return(db.session, ledger.id, start)
    if saved is not None:
        return saved_draft(db.session, saved), saved
    return compute_return(db.session, ledger.id, *period_of(ledger, start)), None


def _title(draft) -> str:
    return _(
        "VAT return from %(start)s to %(end)s",
        start=i18n.short_date(draft.period_start),
        end=i18n.short_date(draft.period_end),
    )


def _return_page(ledger, period_start: str, form: ValidateReturnForm, refusal=None, status=200):
    draft, saved = _return_of(ledger, period_start)
    return (
        render_template(
            "financial_close/vat_return.html",
            ledger=ledger,
            draft=draft,
            saved=saved,
            lines=form_lines(draft),
            ended=draft.period_end < date.today(),
            regime_label=REGIME_LABELS[draft.regime],
            validate_form=form,
            refusal=refusal,
            without_partner=matching.WITHOUT_PARTNER,
        ),
        status,
    )


@bp.get("/ledgers/<int:ledger_id>/vat/<period_start>")
@requires("accounting.view")
def vat_return(ledger_id: int, period_start: str):
    return _return_page(_ledger(ledger_id), period_start, ValidateReturnForm())


@bp.post("/ledgers/<int:ledger_id>/vat/<period_start>/validate")
@requires("accounting.edit")
def validate_vat_return(ledger_id: int, period_start: str):
    ledger = _ledger(ledger_id)
    try:
        start = date.fromisoformat(period_start)
    except ValueError:
        abort(404)
    form = ValidateReturnForm()
    if not form.validate_on_submit():
        return _return_page(ledger, period_start, form, status=422)
    # The page again, with the refusal and the box as the user left it.
    refusal_shows(
        lambda error: _return_page(ledger, period_start, form, refusal=error.message)[0], form
    )
    vat_return = validate_return(
        db.session,
        ledger.id,
        start,
        actor=current_user,
        confirm_left_out=form.confirm_left_out.data,
    )
    flash(
        _(
            "Return validated: %(due)s to pay, %(credit)s of credit carried forward.",
            due=i18n.money(vat_return.due),
            credit=i18n.money(vat_return.credit),
        ),
        "success",
    )
    return redirect(url_for(".vat_return", ledger_id=ledger.id, period_start=start.isoformat()))


def _table(ledger, draft) -> Table:
    return Table(
        title=_title(draft),
        subtitle=f"{ledger.code} · {ledger.name} · {REGIME_LABELS[draft.regime]}",
        headers=[_("Line"), _("Label"), _("VAT rate"), _("Base"), _("VAT")],
        rows=[
            [line.number, str(line.label), line.rate, line.base, line.tax]
            for line in form_lines(draft)
        ],
    )


@bp.get("/ledgers/<int:ledger_id>/vat/<period_start>/return.csv")
@requires("accounting.view")
def vat_return_csv(ledger_id: int, period_start: str):
    ledger = _ledger(ledger_id)
    draft = _return_of(ledger, period_start)[0]
    filename = f"{ledger.code}-TVA-{draft.period_start}-{draft.period_end}.csv"
    return csv_response(tabular.to_csv(_table(ledger, draft), csv_dialect()), filename)


@bp.get("/ledgers/<int:ledger_id>/vat/<period_start>/return.pdf")
@requires("accounting.view")
def vat_return_pdf(ledger_id: int, period_start: str):
    ledger = _ledger(ledger_id)
    draft, saved = _return_of(ledger, period_start)
    language = document_language()
    with force_locale(language):
        html = render_template(
            "financial_close/vat_print.html",
            ledger=ledger,
            draft=draft,
            saved=saved,
            lines=form_lines(draft),
            title=_title(draft),
            regime_label=REGIME_LABELS[draft.regime],
            language=language,
            printed_on=date.today(),
        )
    filename = f"{ledger.code}-TVA-{draft.period_start}-{draft.period_end}-{language}.pdf"
    return pdf_response(pdf.render_pdf(html), filename)
