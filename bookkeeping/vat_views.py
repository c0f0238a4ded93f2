"""The VAT returns of a ledger: its periods of a year and their status, the return of one
period as the SIMPL-TVA form numbers its lines (on screen, CSV, PDF in French or Arabic), its
validation, and the ledger's VAT settings."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from accounting import services as accounting
from bookkeeping import vat
from bookkeeping.vat_forms import PERIOD_LABELS, REGIME_LABELS, STATUS_LABELS, VatSettingsForm
from bookkeeping.views import bp
from gie import db, i18n, pdf, tabular
from gie.errors import DomainError, ValidationError
from gie.forms import ConfirmForm
from gie.pdf import document_language, pdf_response
from gie.security import requires
from gie.tabular import Table
from gie.web import attach_errors, csv_response


def _ledger(ledger_id: int):
    return accounting.get_ledger(db.session, ledger_id, actor=current_user)


def _years(ledger) -> list[int]:
    """From this year (or the books' last) back to the books' first year, latest first."""
    start = vat.books_start(db.session, ledger.id) or date.today()
    return list(range(date.today().year, start.year - 1, -1)) or [start.year]


def _periods_page(ledger, form: VatSettingsForm, status: int = 200):
    years = _years(ledger)
    year = request.args.get("year", type=int)
    if year not in years:
        due = vat.next_return_due(db.session, ledger, date.today())
        year = due[0].year if due else years[0]
    return (
        render_template(
            "bookkeeping/vat_periods.html",
            ledger=ledger,
            year=year,
            years=years,
            periods=vat.period_statuses(db.session, ledger, year, date.today()),
            status_labels=STATUS_LABELS,
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
    try:
        vat.update_settings(
            db.session,
            ledger.id,
            vat_period=form.vat_period.data,
            vat_regime=form.vat_regime.data,
        )
    except ValidationError as error:
        attach_errors(form, error)
        return _periods_page(ledger, form, 422)
    flash(_("VAT settings saved."), "success")
    return redirect(url_for(".vat_returns", ledger_id=ledger.id))


def _return_of(ledger, period_start: str):
    """The saved return of the period starting on `period_start`, or the one computed now."""
    try:
        start = date.fromisoformat(period_start)
    except ValueError:
        abort(404)
    saved = vat.get_return(db.session, ledger.id, start)
    if saved is not None:
        return vat.saved_draft(db.session, saved), saved
    return vat.compute_return(db.session, ledger.id, *vat.period_of(ledger, start)), None


def _title(draft) -> str:
    return _(
        "VAT return from %(start)s to %(end)s",
        start=i18n.short_date(draft.period_start),
        end=i18n.short_date(draft.period_end),
    )


@bp.get("/ledgers/<int:ledger_id>/vat/<period_start>")
@requires("accounting.view")
def vat_return(ledger_id: int, period_start: str):
    ledger = _ledger(ledger_id)
    draft, saved = _return_of(ledger, period_start)
    return render_template(
        "bookkeeping/vat_return.html",
        ledger=ledger,
        draft=draft,
        saved=saved,
        lines=vat.form_lines(draft),
        ended=draft.period_end < date.today(),
        regime_label=REGIME_LABELS[draft.regime],
        confirm=ConfirmForm(),
    )


@bp.post("/ledgers/<int:ledger_id>/vat/<period_start>/validate")
@requires("accounting.edit")
def validate_vat_return(ledger_id: int, period_start: str):
    ledger = _ledger(ledger_id)
    try:
        start = date.fromisoformat(period_start)
    except ValueError:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            vat_return = vat.validate_return(db.session, ledger.id, start, actor=current_user)
        except DomainError as error:
            flash(str(error.message), "error")
        else:
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
            for line in vat.form_lines(draft)
        ],
    )


@bp.get("/ledgers/<int:ledger_id>/vat/<period_start>/return.csv")
@requires("accounting.view")
def vat_return_csv(ledger_id: int, period_start: str):
    ledger = _ledger(ledger_id)
    draft = _return_of(ledger, period_start)[0]
    filename = f"{ledger.code}-TVA-{draft.period_start}-{draft.period_end}.csv"
    return csv_response(tabular.to_csv(_table(ledger, draft)), filename)


@bp.get("/ledgers/<int:ledger_id>/vat/<period_start>/return.pdf")
@requires("accounting.view")
def vat_return_pdf(ledger_id: int, period_start: str):
    ledger = _ledger(ledger_id)
    draft, saved = _return_of(ledger, period_start)
    language = document_language()
    with force_locale(language):
        html = render_template(
            "bookkeeping/vat_print.html",
            ledger=ledger,
            draft=draft,
            saved=saved,
            lines=vat.form_lines(draft),
            title=_title(draft),
            regime_label=REGIME_LABELS[draft.regime],
            language=language,
            printed_on=date.today(),
        )
    filename = f"{ledger.code}-TVA-{draft.period_start}-{draft.period_end}-{language}.pdf"
    return pdf_response(pdf.render_pdf(html), filename)
