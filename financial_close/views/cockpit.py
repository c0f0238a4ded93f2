"""The accountant's cockpit across all ledgers: what each ledger still needs (drafts, bank
lines, VAT return, closing, documents), on screen or as CSV, with the form that locks them."""

from datetime import date

from flask import render_template, request
from flask_babel import gettext as _

from financial_close.blueprint import bp
from financial_close.cockpit import cockpit as cockpit_rows
from financial_close.cockpit import cockpit_table, totals
from financial_close.forms import lock_period_form
from gie import db, tabular
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
        lock_form=lock_period_form([row.ledger_id for row in rows]),
    )
