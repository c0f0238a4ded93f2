"""The VAT pages: periods of a year, a period's return as SIMPL-TVA lines, its validation, CSV
and PDF, the ledger's settings, and who may see what."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting import services, vat_rates
from accounting.models import Entry, Ledger
from accounting.services import LineInput
from financial_close import vat_settlement
from financial_close.models import VatReturn
from tests.billing.test_documents import compact, pdf_text

Q1_START = "2026-01-01"
CGNC_VAT_ACCOUNTS = {
    "vat_collected_account": "4455",
    "vat_deductible_account": "3455",
    "vat_fixed_assets_account": "34551",
    "vat_credit_account": "3456",
    "vat_due_account": "4456",
}


@pytest.fixture
def cooperative(make_cooperative):
    return make_cooperative()


@pytest.fixture
def books(session, cooperative):
    """A cooperative's books in the debit regime: a sale at 20 % (tagged) and a purchase at
    10 % (untagged) in the first quarter of 2026."""
    vat_rates.ensure_vat_rates(session)
    ledger = services.open_ledger(session, cooperative.code, first_year=2026)
    ledger.vat_regime = "debit"

    def post(on, *lines):
        services.record_entry(
            session, ledger.id, journal_code="OD", entry_date=on, label="Pièce", lines=list(lines)
        )

    post(
        date(2026, 2, 1),
        LineInput("3421", debit=Decimal("2400.00"), partner="HOTEL"),
        LineInput("7121", credit=Decimal("2000.00"), vat_rate=Decimal("20")),
        LineInput("4455", credit=Decimal("400.00"), vat_rate=Decimal("20")),
    )
    post(
        date(2026, 2, 20),
        LineInput("6121", debit=Decimal("700.00")),
        LineInput("34552", debit=Decimal("70.00")),
        LineInput("4411", credit=Decimal("770.00"), partner="ARGILE"),
    )
    session.commit()
    return ledger


def test_the_accountant_sees_the_periods_and_the_return_of_a_quarter(client, login_as, books):
    login_as("accountant")

    periods = client.get(f"/accounting/ledgers/{books.id}/vat?year=2026")
    assert periods.status_code == 200
    assert periods.text.count('id="vat-period-2026-') == 4
    assert f"/accounting/ledgers/{books.id}/vat/{Q1_START}" in periods.text
    assert 'class="badge vat-to_do"' in periods.text

    page = client.get(f"/accounting/ledgers/{books.id}/vat/{Q1_START}")
    assert page.status_code == 200
    text = compact(page.text)
    for number in ("10", "30", "60", "130", "170", "190", "200", "201"):
        assert f'id="vat-line-{number}"' in page.text
    assert "2000,00" in text and "400,00" in text and "70,00" in text
    assert "330,00" in text  # 400 - 70 to pay
    assert 'class="vat-validate"' in page.text


def test_validating_from_the_page_posts_the_settlement_and_shows_it(
    client, login_as, session, books
):
    login_as("accountant")
    response = client.post(f"/accounting/ledgers/{books.id}/vat/{Q1_START}/validate", data={})
    assert response.status_code == 302

    saved = session.query(VatReturn).filter_by(ledger_id=books.id).one()
    assert (saved.collected, saved.deductible_expenses, saved.due) == (
        Decimal("400.00"),
        Decimal("70.00"),
        Decimal("330.00"),
    )
    page = client.get(response.location)
    assert 'class="badge vat-validated"' in page.text
    assert f"/entries/{saved.entry_id}" in page.text
    assert 'class="vat-validate"' not in page.text

    again = client.post(f"/accounting/ledgers/{books.id}/vat/{Q1_START}/validate", data={})
    assert again.status_code == 422
    assert 'class="flash flash-error"' in again.text
    assert session.query(VatReturn).filter_by(ledger_id=books.id).count() == 1
    periods = client.get(f"/accounting/ledgers/{books.id}/vat?year=2026")
    assert "330,00" in compact(periods.text)


def test_entries_to_check_are_listed_and_block_the_validation(client, login_as, session, books):
    entry = services.record_entry(
        session,
        books.id,
        journal_code="OD",
        entry_date=date(2026, 3, 3),
        label="Achat à deux taux",
        lines=[
            LineInput("6121", debit=Decimal("1000.00")),
            LineInput("34552", debit=Decimal("150.00")),
            LineInput("5141", credit=Decimal("1150.00")),
        ],
    )
    session.commit()
    login_as("accountant")

    page = client.get(f"/accounting/ledgers/{books.id}/vat/{Q1_START}")
    assert 'id="vat-to-check"' in page.text
    assert f"/entries/{entry.id}" in page.text
    assert 'class="vat-validate"' not in page.text
    response = client.post(f"/accounting/ledgers/{books.id}/vat/{Q1_START}/validate", data={})
    assert response.status_code == 422
    assert 'class="flash flash-error"' in response.text
    assert session.query(VatReturn).count() == 0


def test_the_next_return_lists_what_it_caught_up_from_a_validated_period(
    client, login_as, session, books
):
    q1 = vat_settlement.validate_return(session, books.id, date(2026, 1, 1), actor=None)
    session.commit()
    late = services.record_entry(
        session,
        books.id,
        journal_code="OD",
        entry_date=date(2026, 3, 12),
        label="Achat payé comptant",
        lines=[
            LineInput("6121", debit=Decimal("200.00")),
            LineInput("34552", debit=Decimal("40.00")),
            LineInput("5141", credit=Decimal("240.00")),
        ],
    )
    known_before = session.scalar(select(func.max(Entry.posted_at)).where(Entry.id != late.id))
    q1.validated_at = known_before + (late.posted_at - known_before) / 2
    session.commit()
    login_as("accountant", locale="en")

    q2 = client.get(f"/accounting/ledgers/{books.id}/vat/2026-04-01")
    section = q2.text[q2.text.index('id="vat-caught-up"') :]
    assert "Caught up from earlier periods" in section
    assert f"/entries/{late.id}" in section and "40.00" in section
    line_190 = q2.text[q2.text.index('id="vat-line-190"') :]
    assert "40.00" in line_190[: line_190.index("</tr>")]
    q1_page = client.get(f"/accounting/ledgers/{books.id}/vat/{Q1_START}")
    assert 'id="vat-caught-up"' not in q1_page.text


def test_the_return_exports_as_csv_and_prints_in_french_and_arabic(client, login_as, books):
    login_as("accountant")
    export = client.get(f"/accounting/ledgers/{books.id}/vat/{Q1_START}/return.csv?dialect=intl")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    by_number = {row[0]: row for row in rows if row[0]}
    assert by_number["130"][4] == "400.00"
    assert by_number["200"][4] == "330.00"
    assert ["20.00", "2000.00", "400.00"] in [row[2:] for row in rows if not row[0]]

    french = pdf_text(
        client.get(f"/accounting/ledgers/{books.id}/vat/{Q1_START}/return.pdf?lang=fr").data
    )
    assert "Imprimé le" in french
    assert "400,00" in compact(french) and "330,00" in compact(french)
    assert books.code in french

    arabic = client.get(f"/accounting/ledgers/{books.id}/vat/{Q1_START}/return.pdf?lang=ar")
    assert arabic.status_code == 200
    arabic_text = pdf_text(arabic.data)
    assert "طبع" in arabic_text.replace("\u064f", "")
    assert "400,00" in compact(arabic_text)


def test_the_ledger_settings_are_saved_and_bad_values_refused(client, login_as, session, books):
    login_as("accountant")
    response = client.post(
        f"/accounting/ledgers/{books.id}/vat/settings",
        data={"vat_period": "monthly", "vat_regime": "collection", **CGNC_VAT_ACCOUNTS},
    )
    assert response.status_code == 302
    session.expire_all()
    ledger = session.get(Ledger, books.id)
    assert (ledger.vat_period, ledger.vat_regime) == ("monthly", "collection")
    assert client.get(response.location).text.count('id="vat-period-2026-') == 12

    refused = client.post(
        f"/accounting/ledgers/{books.id}/vat/settings",
        data={"vat_period": "weekly", "vat_regime": "collection", **CGNC_VAT_ACCOUNTS},
    )
    assert refused.status_code == 422
    session.expire_all()
    assert session.get(Ledger, books.id).vat_period == "monthly"


def test_a_president_reads_their_own_returns_only(client, login_as, books, cooperative, session):
    login_as("president", cooperative)
    page = client.get(f"/accounting/ledgers/{books.id}/vat/{Q1_START}")
    assert page.status_code == 200
    assert 'class="vat-validate"' not in page.text
    assert client.post(f"/accounting/ledgers/{books.id}/vat/{Q1_START}/validate").status_code == 403

    other = services.open_ledger(session, "GIE", first_year=2026).id
    session.commit()
    assert client.get(f"/accounting/ledgers/{other}/vat").status_code == 404
    assert client.get(f"/accounting/ledgers/{other}/vat/{Q1_START}").status_code == 404
    assert client.get(f"/accounting/ledgers/{other}/vat/{Q1_START}/return.csv").status_code == 404
    assert client.get(f"/accounting/ledgers/{other}/vat/{Q1_START}/return.pdf").status_code == 404


def test_a_period_that_is_not_one_gives_404(client, login_as, books):
    login_as("accountant")
    assert client.get(f"/accounting/ledgers/{books.id}/vat/2026-02-01").status_code == 404
    assert client.get(f"/accounting/ledgers/{books.id}/vat/not-a-date").status_code == 404
