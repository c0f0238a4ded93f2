"""No CSV the application writes carries a formula a spreadsheet would run: every CSV route of
the URL map, and every report's CSV download, is read with formulas planted in the records."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from accounting import services as accounting
from accounting.models import Account
from accounting.services import LineInput
from tests.financial_close.helpers import imported_one_line

FORMULAS = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3+cmd|x")
#: what a spreadsheet would take for a formula: a cell starting so, unless it is a number
DANGEROUS = re.compile(r"^[=+@\t\r-]")
NUMBER = re.compile(r"^-?[\d\s\u202f\xa0]+([.,]\d+)?$")


def _cells(body: str) -> list[str]:
    text = body.lstrip("\ufeff")
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _planted(session, make_cooperative):
    cooperative = make_cooperative(name=FORMULAS[0])
    ledger = accounting.open_ledger(session, cooperative.code, first_year=date.today().year)
    accounting.record_entry(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date.today(),
        label=FORMULAS[1],
        reference=FORMULAS[2],
        lines=[
            LineInput("6147", debit=Decimal("35"), label=FORMULAS[3]),
            LineInput("5141", credit=Decimal("35"), label=FORMULAS[2]),
        ],
    )
    statement = imported_one_line(session, ledger, label=FORMULAS[1], amount="-35.00")
    session.commit()
    return {
        "cooperative_id": cooperative.id,
        "ledger_id": ledger.id,
        "statement_id": statement.id,
        "period_start": date.today().replace(month=1, day=1).isoformat(),
        "account": session.scalar(
            select(Account.id).where(Account.ledger_id == ledger.id, Account.code == "5141")
        ),
    }


def test_no_csv_download_carries_a_formula(app, client, session, login_as, make_cooperative):
    values = _planted(session, make_cooperative)
    login_as("admin")
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if rule.rule.endswith(".csv"):
            urls.append(rule.rule)
        elif "/reports/" in rule.rule or rule.rule.endswith("/cockpit"):
            urls.append(rule.rule + "?format=csv&account=<account>")
    checked = 0
    for pattern in urls:
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), pattern)
        for dialect in ("fr", "intl"):
            response = client.get(f"{url}{'&' if '?' in url else '?'}dialect={dialect}")
            assert (response.status_code, response.mimetype) == (200, "text/csv"), url
            risky = [
                cell
                for cell in _cells(response.get_data(as_text=True))
                if DANGEROUS.match(cell) and not NUMBER.match(cell)
            ]
            assert risky == [], (url, dialect, risky)
            checked += 1
    assert checked >= 16  # the CSV routes and the report downloads, in both dialects
