"""The report pages and their CSV, XLSX and PDF downloads: who may see them, and that the
files carry the same figures as the screen."""

import io
import re
import subprocess
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from accounting import services
from accounting.models import Account
from accounting.services import LineInput
from accounting.views import reports as report_views
from gie.cooperatives.models import Cooperative

D = Decimal
PAGES = (
    "trial-balance",
    "general-ledger",
    "journal",
    "income-statement",
    "balance-sheet",
    "aged-balance",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def account_id(session, ledger, code):
    return session.scalar(
        select(Account.id).where(Account.ledger_id == ledger.id, Account.code == code)
    )


def url(ledger, page, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/accounting/ledgers/{ledger.id}/reports/{page}" + (f"?{query}" if query else "")


def pdf_text(data: bytes) -> str:
    """The PDF's text with every kind of space removed (amounts are grouped by the locale)."""
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"[\s\u202f\xa0]", "", text)


def normalised(text: str) -> str:
    return re.sub(r"[\s\u202f\xa0]", "", text)


@pytest.fixture
def books(session, make_cooperative, make_ledger):
    """A cooperative's books for 2026: capital, a sale to a customer, a partial payment."""
    cooperative = make_cooperative()
    ledger = make_ledger(first_year=2026, cooperative=cooperative)

    def post(lines, on, journal="OD"):
        entry = services.save_draft(
            session, ledger.id, journal_code=journal, entry_date=on, label="Pièce", lines=lines
        )
        services.post_entry(session, entry.id)

    post(
        [LineInput("5141", debit=D("5000.00")), LineInput("1111", credit=D("5000.00"))],
        date(2026, 1, 10),
    )
    post(
        [
            LineInput("3421", debit=D("1200.00"), partner="CLI-01"),
            LineInput("7124", credit=D("1000.00")),
            LineInput("4455", credit=D("200.00")),
        ],
        date(2026, 2, 1),
        "VT",
    )
    post(
        [
            LineInput("5141", debit=D("700.00")),
            LineInput("3421", credit=D("700.00"), partner="CLI-01"),
        ],
        date(2026, 3, 1),
        "BQ",
    )
    post(
        [LineInput("6126", debit=D("300.00")), LineInput("5141", credit=D("300.00"))],
        date(2026, 3, 5),
    )
    session.commit()
    return ledger


PERIOD = {"date_from": "2026-01-01", "date_to": "2026-12-31"}


def test_every_report_page_shows_to_the_accountant(client, login_as, books, session):
    login_as("accountant")
    bank = account_id(session, books, "5141")
    for page, args in [
        *((page, {}) for page in PAGES),
        ("general-ledger", {"account": bank, **PERIOD}),
        ("journal", {"journal": "VT", **PERIOD}),
        ("aged-balance", {"side": "suppliers", "on": "2026-06-30"}),
    ]:
        response = client.get(url(books, page, **args))
        assert response.status_code == 200, (page, args)
        # strict CSP: no inline script or style
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), page
        assert "style=" not in response.text, page


def test_the_president_sees_own_books_and_not_another_cooperative_s(
    client, login_as, books, make_ledger, session
):
    other = make_ledger()
    login_as("president", session.get(Cooperative, books.cooperative_id))
    for page in PAGES:
        assert client.get(url(books, page)).status_code == 200, page
        assert client.get(url(other, page)).status_code == 404, page
        assert client.get(url(other, page, format="csv")).status_code == 404, page
    # an account of another ledger is not readable through one's own
    foreign = account_id(session, other, "5141")
    assert client.get(url(books, "general-ledger", account=foreign)).status_code == 404


def test_roles_without_the_books_get_403_and_visitors_go_to_login(client, login_as, books):
    assert client.get(url(books, "trial-balance")).status_code == 302
    login_as("sales_adviser")
    for page in PAGES:
        assert client.get(url(books, page)).status_code == 403, page


def test_report_pages_show_the_figures(client, login_as, books, session):
    login_as("accountant")
    balance = normalised(client.get(url(books, "trial-balance", **PERIOD)).text)
    assert "5400,00MAD" in balance  # bank closing: 5000 + 700 - 300
    assert "7200,00MAD" in balance  # total of the period's debits
    ledger_page = normalised(
        client.get(
            url(books, "general-ledger", account=account_id(session, books, "5141"), **PERIOD)
        ).text
    )
    assert "5700,00MAD" in ledger_page and "5400,00MAD" in ledger_page  # running balance
    cpc = normalised(client.get(url(books, "income-statement", **PERIOD)).text)
    assert "700,00MAD" in cpc  # net result 1000 - 300
    bilan = normalised(client.get(url(books, "balance-sheet", on="2026-12-31")).text)
    assert "5900,00MAD" in bilan  # total assets: bank 5400 + customer 500
    aged = normalised(client.get(url(books, "aged-balance", on="2026-03-31")).text)
    assert "CLI-01" in aged and "500,00MAD" in aged


def test_downloads_carry_the_report_s_figures(client, login_as, books, session):
    login_as("accountant")

    csv = client.get(url(books, "trial-balance", format="csv", **PERIOD))
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.headers["Content-Disposition"].startswith("attachment;")
    # French interface: the French dialect
    rows = [line.split(";") for line in csv.text.lstrip("\ufeff").splitlines()]
    bank = next(row for row in rows if row[0] == "5141")
    assert bank[2:] == ["0,00", "0,00", "5700,00", "300,00", "5400,00", "0,00"]
    assert rows[-1][4:6] == ["7200,00", "7200,00"]

    xlsx = client.get(
        url(
            books,
            "general-ledger",
            account=account_id(session, books, "5141"),
            format="xlsx",
            **PERIOD,
        )
    )
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    values = [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]
    amounts = [
        (row[0].date(), D(str(row[-1])))
        for row in values
        if hasattr(row[0], "date") and row[-1] is not None
    ]
    assert amounts == [
        (date(2026, 1, 1), D("0")),
        (date(2026, 1, 10), D("5000")),
        (date(2026, 3, 1), D("5700")),
        (date(2026, 3, 5), D("5400")),
        (date(2026, 12, 31), D("5400")),
    ]
    money_cells = [
        cell
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, float | int) and cell.column >= 6
    ]
    assert money_cells and {cell.number_format for cell in money_cells} == {"#,##0.00"}

    pdf = client.get(url(books, "income-statement", format="pdf", **PERIOD))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    text = pdf_text(pdf.data)
    assert "1000,00" in text and "300,00" in text and "700,00" in text

    journal = client.get(url(books, "journal", journal="VT", format="csv", **PERIOD)).text
    assert "VT-2026-00001" in journal and "BQ-2026-00001" not in journal
    assert "Total;;;;;;;;1200,00;1200,00" in journal

    bilan = client.get(url(books, "balance-sheet", on="2026-12-31", format="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(bilan.data)).active
    nets = {row[0]: row[4] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert (D(str(nets["51"])), D(str(nets["34"])), D(str(nets["119"]))) == (
        D("5400"),
        D("500"),
        D("700"),
    )

    aged = client.get(url(books, "aged-balance", on="2026-03-31", format="pdf"))
    assert aged.data.startswith(b"%PDF") and "CLI-01" in pdf_text(aged.data)


def test_arabic_pdf_is_right_to_left(client, login_as, books):
    login_as("accountant")
    client.post("/language", data={"locale": "ar", "next": "/"})
    page = client.get(url(books, "trial-balance", **PERIOD))
    assert 'dir="rtl"' in page.text
    pdf = client.get(url(books, "trial-balance", format="pdf", **PERIOD))
    assert pdf.data.startswith(b"%PDF")
    assert "5.400,00" in pdf_text(pdf.data)  # ar_MA groups with "." and marks decimals with ","


def test_bad_filters_are_refused_politely(client, login_as, books):
    login_as("accountant")
    assert client.get(url(books, "trial-balance", date_from="31-02-2026")).status_code == 422
    assert (
        client.get(url(books, "journal", date_from="2026-05-01", date_to="2026-04-01")).status_code
        == 422
    )
    assert client.get(url(books, "aged-balance", side="everyone")).status_code == 422
    assert client.get(url(books, "trial-balance", format="docx")).status_code == 404
    assert client.get(url(books, "balance-sheet", on="nope", format="csv")).status_code == 422


def test_a_download_too_long_for_its_format_sends_back_to_the_page(
    client, login_as, books, session, monkeypatch
):
    monkeypatch.setitem(report_views.MAX_LINES, "pdf", 2)
    login_as("accountant")
    bank = account_id(session, books, "5141")
    response = client.get(url(books, "general-ledger", account=bank, format="pdf", **PERIOD))
    assert response.status_code == 302
    assert "format" not in response.location and f"account={bank}" in response.location
    assert (
        client.get(url(books, "general-ledger", account=bank, format="csv", **PERIOD)).status_code
        == 200
    )
    assert client.get(url(books, "journal", format="pdf", **PERIOD)).status_code == 302


def test_one_date_given_the_other_comes_from_the_fiscal_year(client, login_as, books):
    login_as("accountant")
    csv = client.get(
        url(books, "trial-balance", date_from="2026-03-01", format="csv", dialect="intl")
    )
    assert csv.status_code == 200
    assert csv.headers["Content-Disposition"].endswith('-2026-03-01-2026-12-31.csv"')
    bank = next(line.split(",") for line in csv.text.splitlines() if line.startswith("5141"))
    assert bank[2:6] == ["5000.00", "0.00", "700.00", "300.00"]  # opening before March
