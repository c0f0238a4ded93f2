"""The accountant's cockpit: what waits in each ledger, counted over all ledgers at once."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event

from accounting import services
from accounting.reports import lists
from accounting.services import LineInput
from financial_close import vat_periods
from financial_close.cockpit import cockpit
from financial_close.models import BankLine, Document, VatReturn
from tests.financial_close.helpers import bank_statement

TODAY = date(2027, 2, 15)


def _lines(amount: str, *, credit: str | None = None) -> list[LineInput]:
    return [
        LineInput("5141", debit=Decimal(amount)),
        LineInput("7121", credit=Decimal(credit or amount)),
    ]


def _draft(session, ledger, on: date, label: str = "Vente", *, credit: str | None = None):
    return services.save_draft(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=on,
        label=label,
        lines=_lines("100", credit=credit),
    )


def _posted(session, ledger, on: date):
    entry = _draft(session, ledger, on)
    services.post_entry(session, entry.id)
    return entry


def _sale_with_vat(session, ledger, on: date):
    """A cash sale at 20 %: the ledger has VAT to declare from this period on."""
    return services.record_entry(
        session,
        ledger.id,
        journal_code="VT",
        entry_date=on,
        label="Vente TTC",
        lines=[
            LineInput("5141", debit=Decimal("120")),
            LineInput("7121", credit=Decimal("100")),
            LineInput("4455", credit=Decimal("20")),
        ],
    )


def _bank_lines(session, ledger, *, open_dates: list[date], reconciled_dates: list[date]):
    statement = bank_statement(
        session, ledger, start_on=date(2026, 1, 1), end_on=date(2026, 12, 31), closing_balance="0"
    )
    dated = [(on, None) for on in open_dates] + [
        (on, datetime(2027, 1, 5, tzinfo=UTC)) for on in reconciled_dates
    ]
    for number, (on, reconciled_at) in enumerate(dated):
        session.add(
            BankLine(
                ledger_id=ledger.id,
                bank_account_id=statement.bank_account_id,
                statement_id=statement.id,
                date=on,
                label=f"Virement {number}",
                amount=Decimal("50"),
                fingerprint=f"{ledger.code}-{number}",
                reconciled_at=reconciled_at,
            )
        )


def _document(session, ledger, entry):
    session.add(
        Document(
            cooperative_id=ledger.cooperative_id,
            entry_id=entry.id,
            sha256="a" * 64,
            filename="facture.pdf",
            content_type="application/pdf",
            size=1000,
        )
    )


def _vat_return(session, ledger, start: date, end: date):
    session.add(
        VatReturn(ledger_id=ledger.id, period_start=start, period_end=end, regime="collection")
    )


@pytest.fixture
def books(session, make_cooperative):
    """Three cooperatives' books opened for 2026, seen from 15 February 2027:
    - Atlas: 2 drafts, 2 bank lines open and 1 reconciled, 3 posted entries of which one has
      its document, VAT from February on and the first quarter's return filed, 2026 not
      closed;
    - Rif: 1 draft, a sale with VAT in January, 2026 closed, no VAT return;
    - Zitoun: every 2026 VAT return filed and 2026 closed: nothing waits;
    - Plain: books without any VAT line owe no return."""
    made = {}
    names = (
        ("atlas", "Tissage Atlas"),
        ("rif", "Poterie du Rif"),
        ("zitoun", "Zitoun"),
        ("plain", "Sans TVA"),
    )
    for key, name in names:
        cooperative = make_cooperative(name=name)
        made[key] = services.open_ledger(session, cooperative.code, first_year=2026)
    atlas, rif, zitoun, plain = made["atlas"], made["rif"], made["zitoun"], made["plain"]

    _draft(session, atlas, date(2026, 11, 3))
    _draft(session, atlas, date(2026, 12, 1))
    documented = _posted(session, atlas, date(2026, 2, 10))
    _posted(session, atlas, date(2026, 6, 1))
    _document(session, atlas, documented)
    _bank_lines(
        session,
        atlas,
        open_dates=[date(2026, 6, 2), date(2026, 7, 1)],
        reconciled_dates=[date(2026, 5, 10), date(2026, 4, 2)],
    )
    _vat_return(session, atlas, date(2026, 1, 1), date(2026, 3, 31))
    _sale_with_vat(session, atlas, date(2026, 2, 12))

    _draft(session, rif, date(2026, 5, 5))
    _sale_with_vat(session, rif, date(2026, 1, 20))
    _close_2026(session, rif)

    for start, end in vat_periods.vat_periods(zitoun, 2026):
        _vat_return(session, zitoun, start, end)
    _close_2026(session, zitoun)
    _posted(session, plain, date(2026, 3, 3))
    session.commit()
    return made


def _close_2026(session, ledger):
    (year,) = lists.fiscal_years(session, ledger.id)
    services.set_fiscal_year_closed(session, year.id, True)


def _row(rows, ledger):
    (row,) = [row for row in rows if row.ledger_id == ledger.id]
    return row


def test_cockpit_counts_what_waits_in_each_ledger(session, books):
    rows = cockpit(session, TODAY)
    atlas, rif = _row(rows, books["atlas"]), _row(rows, books["rif"])

    assert atlas.drafts == 2
    assert atlas.unreconciled == 2
    assert atlas.last_reconciled_on == date(2026, 5, 10)
    assert atlas.vat_due == (date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 31))
    assert atlas.vat_overdue
    assert (atlas.open_years, atlas.oldest_open_year) == (1, "2026")
    assert atlas.undocumented == 2  # the June entry and the February sale

    assert rif.drafts == 1
    assert rif.unreconciled == 0
    assert rif.last_reconciled_on is None
    assert rif.vat_due == (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30))
    assert (rif.open_years, rif.oldest_open_year) == (0, None)
    assert rif.undocumented == 1  # the January sale


def test_books_without_vat_owe_no_return(session, books):
    assert _row(cockpit(session, TODAY), books["plain"]).vat_due is None
    assert vat_periods.next_return_due(session, books["plain"], TODAY) is None


def test_cockpit_vat_due_agrees_with_the_vat_module(session, books):
    rows = cockpit(session, TODAY)
    for ledger in books.values():
        assert _row(rows, ledger).vat_due == vat_periods.next_return_due(session, ledger, TODAY)


def test_vat_return_not_yet_late_is_due_but_not_overdue(session, books):
    (row,) = [r for r in cockpit(session, date(2026, 4, 10)) if r.ledger_id == books["rif"].id]
    assert row.vat_due == (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 30))
    assert not row.vat_overdue


def test_cockpit_keeps_to_ledgers_needing_attention_sorted_by_most_work(session, books):
    rows = cockpit(session, TODAY, attention_only=True)
    ids = [row.ledger_id for row in rows]
    assert books["zitoun"].id not in ids
    assert ids.index(books["atlas"].id) < ids.index(books["rif"].id)
    assert books["zitoun"].id in [row.ledger_id for row in cockpit(session, TODAY)]


def test_cockpit_reads_all_ledgers_with_a_fixed_number_of_queries(session, books, make_cooperative):
    statements = []

    def count(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        cockpit(session, TODAY)
        few = len(statements)
        for _ in range(3):
            services.open_ledger(session, make_cooperative().code, first_year=2026)
        session.flush()
        statements.clear()
        cockpit(session, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == few <= 8


def test_search_finds_a_cooperative_by_name(session, books):
    rows = cockpit(session, TODAY, search="rif")
    assert [row.ledger_id for row in rows] == [books["rif"].id]


def test_accountant_opens_the_cockpit_and_each_count_links_to_the_work(client, login_as, books):
    login_as("accountant", locale="en")
    atlas = books["atlas"]
    page = client.get("/accounting/cockpit?all=1")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Tissage Atlas" in text and "Poterie du Rif" in text and "Zitoun" in text
    assert f'href="/accounting/ledgers/{atlas.id}/entries?state=draft" data-drafts>2</a>' in text
    assert f'href="/accounting/ledgers/{atlas.id}/post-drafts"' in text
    assert f'href="/accounting/ledgers/{atlas.id}/documents/missing">2</a>' in text
    assert f'href="/accounting/ledgers/{atlas.id}/bank">2</a>' in text
    assert f'href="/accounting/ledgers/{atlas.id}/vat/2026-04-01"' in text
    assert 'name="ledgers"' in text and 'id="lock-form"' in text

    found = client.get("/accounting/cockpit?all=1&q=Atlas").get_data(as_text=True)
    assert "Tissage Atlas" in found and "Poterie du Rif" not in found


def test_cockpit_exports_its_table_as_csv(client, login_as, books):
    login_as("accountant", locale="en")
    response = client.get("/accounting/cockpit?all=1&format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Code", "Cooperative", "Drafts"]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[books["atlas"].code][1:4] == ["Tissage Atlas", "2", "2"]
    assert by_code[books["rif"].code][1:4] == ["Poterie du Rif", "1", "0"]
    assert by_code[books["atlas"].code][5:8] == ["2026-04-01", "2026-06-30", "2026-07-31"]
    assert rows[-1][:4] == ["Total", "", "3", "2"]


@pytest.mark.parametrize(
    "method, path", [("get", "/accounting/cockpit"), ("post", "/accounting/cockpit/lock")]
)
def test_president_may_not_open_the_cockpit(client, login_as, method, path):
    login_as("president")
    assert getattr(client, method)(path).status_code == 403


def test_cockpit_is_in_the_main_menu_of_accountants_only(client, login_as):
    login_as("accountant", locale="en")
    assert 'href="/accounting/cockpit"' in client.get("/account/password").get_data(as_text=True)
    client.post("/logout")
    login_as("president")
    assert 'href="/accounting/cockpit"' not in client.get("/account/password").get_data(
        as_text=True
    )
