"""Report pages of the accounting blueprint: trial balance, general ledger, journal, income
statement (CPC), balance sheet (bilan) and aged balance, each on screen and, with
`?format=csv|xlsx|pdf`, as a download of the same figures."""

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounting import services
from accounting.blueprint import bp
from accounting.forms import (
    JOURNAL_LABELS,
    SIDES,
    AgedBalanceForm,
    GeneralLedgerForm,
    JournalForm,
    OnDateForm,
    PeriodForm,
)
from accounting.reports import books, exports, partners, periods, statements
from gie import db, i18n, pdf, tabular
from gie.forms import choices
from gie.security import requires
from gie.tabular import Table
from gie.web import csv_dialect, csv_response, page_number

FORMATS = ("csv", "xlsx", "pdf")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 100
JOURNAL_PAGE_SIZE = 50
#: the most lines a download of the general ledger or the journal holds, by format (the page
#: then asks to narrow the dates). Measured here: CSV writes 200,000 lines in about a
#: second; openpyxl about 8,000 a second; WeasyPrint lays out about 160 table rows a second.
MAX_LINES = {"csv": 200_000, "xlsx": 50_000, "pdf": 2_000}


def _format() -> str | None:
    wanted = request.args.get("format")
    if wanted and wanted not in FORMATS:
        abort(404)
    return wanted


def _filename(ledger, name: str, *parts, extension: str) -> str:
    return "-".join([ledger.code, name, *(str(part) for part in parts if part)]) + "." + extension


def _download(table: Table, ledger, name: str, *parts, kind: str) -> Response:
    """The table as the requested file."""
    filename = _filename(ledger, name, *parts, extension=kind)
    if kind == "csv":
        return csv_response(tabular.to_csv(table, csv_dialect()), filename)
    if kind == "xlsx":
        body = tabular.to_xlsx(table, rtl=i18n.language() == "ar")
        mimetype = XLSX_TYPE
    else:
        html = render_template(
            "accounting/reports/print.html",
            table=table,
            ledger=ledger,
            cell=exports.cell_text,
            wide=len(table.headers) > 6,
            printed_on=date.today(),
        )
        body = pdf.render_pdf(html)
        mimetype = "application/pdf"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _ledger(ledger_id: int):
    return services.get_ledger(db.session, ledger_id, actor=current_user)


def _period(form: PeriodForm, ledger) -> tuple[periods.Period, int]:
    """The dates asked for, the ledger's current fiscal year filling what is not given;
    and the status of the page (422 when the dates were not understood)."""
    default = periods.default_period(db.session, ledger.id, date.today())
    if not form.validate():
        return default, 422
    date_from, date_to = form.date_from.data, form.date_to.data
    if date_from and not date_to:
        date_to = default.date_to if default.date_to >= date_from else _year_after(date_from)
    elif date_to and not date_from:
        date_from = default.date_from if default.date_from <= date_to else _year_before(date_to)
    period = periods.Period(date_from or default.date_from, date_to or default.date_to)
    form.date_from.data, form.date_to.data = period.date_from, period.date_to
    return period, 200


def _year_after(start: date) -> date:
    return start + relativedelta(years=1, days=-1)


def _year_before(end: date) -> date:
    return end - relativedelta(years=1, days=-1)


def _on(form: OnDateForm, ledger) -> tuple[date, int]:
    """The date asked for, else the end of the current fiscal year or today if earlier."""
    default = min(periods.default_period(db.session, ledger.id, date.today()).date_to, date.today())
    if not form.validate():
        return default, 422
    form.on.data = form.on.data or default
    return form.on.data, 200


def _too_many(total: int, kind: str, endpoint: str, ledger) -> Response | None:
    """Refuse a download of more lines than it can hold: back to the page, with the reason."""
    limit = MAX_LINES[kind]
    if total <= limit:
        return None
    flash(
        _(
            "%(count)d lines are too many for one file (at most %(limit)d): "
            "narrow the dates or choose another format.",
            count=total,
            limit=limit,
        ),
        "error",
    )
    args = {key: value for key, value in request.args.items() if key != "format"}
    return redirect(url_for(endpoint, ledger_id=ledger.id, **args))


def _show(ledger, status: int, template: str, *, export, name: tuple, **context):
    """The report's page, or its download when `?format=` asks for one and the filters hold."""
    kind = _format()
    if kind and status == 200:
        return _download(export(), ledger, *name, kind=kind)
    return render_template(f"accounting/reports/{template}.html", ledger=ledger, **context), status


@bp.get("/ledgers/<int:ledger_id>/reports/trial-balance")
@requires("accounting.view")
def trial_balance(ledger_id: int):
    ledger = _ledger(ledger_id)
    form = PeriodForm(request.args)
    period, status = _period(form, ledger)
    balance = statements.trial_balance(
        db.session, ledger.id, date_from=period.date_from, date_to=period.date_to
    )
    return _show(
        ledger,
        status,
        "trial_balance",
        export=lambda: exports.trial_balance_table(ledger, balance),
        name=("trial-balance", period.date_from, period.date_to),
        form=form,
        period=period,
        balance=balance,
    )


@bp.get("/ledgers/<int:ledger_id>/reports/general-ledger")
@requires("accounting.view")
def general_ledger(ledger_id: int):
    ledger = _ledger(ledger_id)
    form = GeneralLedgerForm(request.args)
    in_use = books.accounts_in_use(db.session, ledger.id)
    form.account.choices = choices(
        [(str(account_id), f"{code} {label}") for account_id, code, label in in_use],
        blank=_("Choose an account"),
    )
    period, status = _period(form, ledger)
    account_id = form.account.data if (form.account.data or "").isdigit() else None
    report = None
    kind = _format()
    if account_id:
        report = books.general_ledger(
            db.session,
            ledger.id,
            int(account_id),
            date_from=period.date_from,
            date_to=period.date_to,
            page=page_number(),
            size=PAGE_SIZE,
        )
        if kind and status == 200:
            refused = _too_many(report.total, kind, "accounting.general_ledger", ledger)
            if refused:
                return refused
            report = books.general_ledger(
                db.session,
                ledger.id,
                report.account_id,
                date_from=period.date_from,
                date_to=period.date_to,
                size=max(1, report.total),
            )
            table = exports.general_ledger_table(ledger, report)
            return _download(
                table,
                ledger,
                "general-ledger",
                report.code,
                period.date_from,
                period.date_to,
                kind=kind,
            )
    return render_template(
        "accounting/reports/general_ledger.html",
        ledger=ledger,
        form=form,
        period=period,
        report=report,
    ), status


@bp.get("/ledgers/<int:ledger_id>/reports/journal")
@requires("accounting.view")
def journal(ledger_id: int):
    ledger = _ledger(ledger_id)
    form = JournalForm(request.args)
    form.journal.choices = choices(
        [
            (code, f"{code} · {JOURNAL_LABELS.get(code, name)}")
            for code, name in books.journal_codes(db.session, ledger.id)
        ],
        blank=_("All journals"),
    )
    period, status = _period(form, ledger)
    kind = _format()
    filters = {
        "journal_code": form.journal.data or None,
        "date_from": period.date_from,
        "date_to": period.date_to,
    }
    report = books.journal_report(
        db.session, ledger.id, **filters, page=page_number(), size=JOURNAL_PAGE_SIZE
    )
    if kind and status == 200:
        # every entry has two lines at least: refuse before reading them all
        refused = _too_many(2 * report.total, kind, "accounting.journal", ledger)
        if refused:
            return refused
        report = books.journal_report(
            db.session, ledger.id, **filters, page=1, size=max(1, report.total)
        )
        lines = sum(len(entry.lines) for entry in report.entries)
        refused = _too_many(lines, kind, "accounting.journal", ledger)
        if refused:
            return refused
        table = exports.journal_table(ledger, report)
        return _download(
            table,
            ledger,
            "journal",
            report.journal_code,
            period.date_from,
            period.date_to,
            kind=kind,
        )
    return render_template(
        "accounting/reports/journal.html",
        ledger=ledger,
        form=form,
        period=period,
        report=report,
    ), status


@bp.get("/ledgers/<int:ledger_id>/reports/income-statement")
@requires("accounting.view")
def income_statement(ledger_id: int):
    ledger = _ledger(ledger_id)
    form = PeriodForm(request.args)
    period, status = _period(form, ledger)
    statement = statements.income_statement(
        db.session, ledger.id, date_from=period.date_from, date_to=period.date_to
    )
    return _show(
        ledger,
        status,
        "income_statement",
        export=lambda: exports.income_statement_table(ledger, statement),
        name=("cpc", period.date_from, period.date_to),
        form=form,
        period=period,
        statement=statement,
    )


@bp.get("/ledgers/<int:ledger_id>/reports/balance-sheet")
@requires("accounting.view")
def balance_sheet(ledger_id: int):
    ledger = _ledger(ledger_id)
    form = OnDateForm(request.args)
    on, status = _on(form, ledger)
    sheet = statements.balance_sheet(db.session, ledger.id, on=on)
    return _show(
        ledger,
        status,
        "balance_sheet",
        export=lambda: exports.balance_sheet_table(ledger, sheet),
        name=("bilan", on),
        form=form,
        sheet=sheet,
    )


@bp.get("/ledgers/<int:ledger_id>/reports/aged-balance")
@requires("accounting.view")
def aged_balance(ledger_id: int):
    ledger = _ledger(ledger_id)
    form = AgedBalanceForm(request.args)
    on, status = _on(form, ledger)
    side = form.side.data if form.side.data in SIDES else "customers"
    aged = partners.aged_balance(db.session, ledger.id, on=on, side=side)
    return _show(
        ledger,
        status,
        "aged_balance",
        export=lambda: exports.aged_balance_table(ledger, aged),
        name=(f"aged-{side}", on),
        form=form,
        aged=aged,
        buckets=partners.BUCKET_LABELS,
    )
