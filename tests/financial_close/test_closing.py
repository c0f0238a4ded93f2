"""Year-end closing from the financial close side: the checklist, forcing past the bank and the
documents only, the `accounting close` command and the closing page."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from accounting import services
from accounting.closing import ClosingRefused
from accounting.models import Entry, FiscalYear, Ledger
from accounting.services import LineInput
from financial_close import checklist
from financial_close.models import BankLine, BankStatement, Document, VatReturn
from tests.financial_close.helpers import bank_statement
from tests.snapshot import assert_unchanged, snapshot


@pytest.fixture
def books(session, make_cooperative):
    """2026 books with one of each thing left to do: a draft, a sale whose VAT period (Q1)
    has no return, an unreconciled bank line, and that sale without a supporting document."""
    cooperative = make_cooperative()
    ledger = services.open_ledger(session, cooperative.code, first_year=2026)
    sale = services.record_entry(
        session,
        ledger.id,
        journal_code="VT",
        entry_date=date(2026, 2, 10),
        label="Vente de tapis",
        lines=[
            LineInput("3421", debit=Decimal("1200.00"), partner="HOTEL-1"),
            LineInput("7124", credit=Decimal("1000.00")),
            LineInput("4455", credit=Decimal("200.00"), vat_rate=Decimal("20")),
        ],
    )
    draft = services.save_draft(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date(2026, 3, 1),
        label="Brouillon",
        lines=[LineInput("5141", debit=Decimal("5")), LineInput("7124", credit=Decimal("5"))],
    )
    statement = bank_statement(
        session,
        ledger,
        start_on=date(2026, 3, 1),
        end_on=date(2026, 3, 31),
        closing_balance="1200",
    )
    session.add(
        BankLine(
            ledger_id=ledger.id,
            bank_account_id=statement.bank_account_id,
            statement_id=statement.id,
            date=date(2026, 3, 5),
            label="Virement HOTEL-1",
            amount=Decimal("1200"),
            fingerprint="closing-test",
        )
    )
    session.commit()
    return {"ledger": ledger, "cooperative": cooperative, "sale": sale, "draft": draft}


def _settle_drafts_and_vat(session, books):
    session.delete(session.get(Entry, books["draft"].id))
    session.add(
        VatReturn(
            ledger_id=books["ledger"].id,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            regime="collection",
            collected=Decimal("200"),
            due=Decimal("200"),
        )
    )
    session.commit()


def _counts(items):
    return {item.key: item.count for item in items}


def test_checklist_counts_what_is_left_to_do(session, books):
    items = checklist.checklist(session, books["ledger"].id, "2026")
    assert _counts(items) == {"drafts": 1, "balanced": 0, "vat": 1, "bank": 1, "documents": 1}
    assert [item.key for item in items if item.skippable] == ["bank", "documents"]


def test_a_document_and_a_validated_return_tick_their_items(session, books):
    _settle_drafts_and_vat(session, books)
    session.add(
        Document(
            cooperative_id=books["cooperative"].id,
            entry_id=books["sale"].id,
            sha256=hashlib.sha256(b"pdf").hexdigest(),
            filename="facture.pdf",
            content_type="application/pdf",
            size=3,
        )
    )
    counts = _counts(checklist.checklist(session, books["ledger"].id, "2026"))
    assert counts == {"drafts": 0, "balanced": 0, "vat": 0, "bank": 1, "documents": 0}


def test_closing_refuses_listing_every_unmet_item(session, books):
    with pytest.raises(ClosingRefused) as refused:
        checklist.close_with_checklist(session, books["ledger"].id, "2026")
    assert [str(reason) for reason in refused.value.field_errors["closing"]] == [
        "Drafts not posted: 1.",
        "VAT periods without a validated return: 1.",
        "Bank lines not reconciled: 1.",
        "Posted entries without a supporting document: 1.",
    ]


def test_force_skips_only_the_bank_and_the_documents(session, books):
    with pytest.raises(ClosingRefused) as refused:
        checklist.close_with_checklist(session, books["ledger"].id, "2026", force=True)
    assert [str(reason) for reason in refused.value.field_errors["closing"]] == [
        "Drafts not posted: 1.",
        "VAT periods without a validated return: 1.",
    ]
    _settle_drafts_and_vat(session, books)
    summary = checklist.close_with_checklist(session, books["ledger"].id, "2026", force=True)
    assert summary.result == Decimal("1000.00")
    assert summary.opening_entry.number == "AN-2027-00001"


def test_cli_refuses_listing_why_then_closes_with_force(session, books, runner):
    code = books["ledger"].code
    # a refused command rolls back: the records loaded before it expire, so ids are kept
    ledger_id, draft_id = books["ledger"].id, books["draft"].id
    refused = runner.invoke(args=["accounting", "close", code, "--year", "2026"])
    assert refused.exit_code == 1
    # commands speak the application's default language, French
    assert "L’exercice 2026 ne peut pas être clôturé." in refused.output
    assert "Brouillons non validés\xa0: 1." in refused.output
    assert "Lignes bancaires non rapprochées\xa0: 1." in refused.output

    settled = {"ledger": session.get(Ledger, ledger_id), "draft": session.get(Entry, draft_id)}
    _settle_drafts_and_vat(session, settled)
    still = runner.invoke(args=["accounting", "close", code, "--year", "2026"])
    assert still.exit_code == 1 and "Lignes bancaires non rapprochées\xa0: 1." in still.output

    closed = runner.invoke(args=["accounting", "close", code, "--year", "2026", "--force"])
    assert closed.exit_code == 0, closed.output
    assert "result 1000.00" in closed.output and "AN-2027-00001" in closed.output
    year = session.scalar(
        select(FiscalYear).where(FiscalYear.ledger_id == ledger_id, FiscalYear.name == "2026")
    )
    assert year.closed


def test_cli_names_an_unknown_year(books, runner):
    result = runner.invoke(args=["accounting", "close", books["ledger"].code, "--year", "1999"])
    assert result.exit_code == 1 and "Aucun exercice 1999" in result.output


# --- the closing page ----------------------------------------------------------------------


def _page(client, books, **params):
    return client.get(f"/accounting/ledgers/{books['ledger'].id}/closing", query_string=params)


def _year_id(session, books, name="2026"):
    return session.scalar(
        select(FiscalYear.id).where(
            FiscalYear.ledger_id == books["ledger"].id, FiscalYear.name == name
        )
    )


def test_page_shows_the_checklist_with_links_to_the_work(client, books, login_as):
    login_as("accountant", locale="en")
    page = _page(client, books).get_data(as_text=True)
    assert "Year-end closing" in page
    assert 'id="checklist-drafts"' in page and "state=draft" in page
    assert "documents=missing" in page
    assert f"/accounting/ledgers/{books['ledger'].id}/vat?year=2026" in page
    assert f"/accounting/ledgers/{books['ledger'].id}/bank" in page
    assert "Close the year" in page and "data-confirm" in page


def test_closing_from_the_page_refuses_then_closes_with_force(session, client, books, login_as):
    login_as("accountant", locale="en")
    url = f"/accounting/ledgers/{books['ledger'].id}/closing/close"
    year_id = _year_id(session, books)
    before = snapshot(session)
    refused = client.post(url, data={"fiscal_year_id": year_id}, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "Fiscal year 2026 cannot be closed." in text and "Drafts not posted: 1." in text
    assert_unchanged(session, before)

    _settle_drafts_and_vat(session, books)
    closed = client.post(url, data={"fiscal_year_id": year_id, "force": "y"}, follow_redirects=True)
    text = closed.get_data(as_text=True)
    assert "Opening entry AN-2027-00001 posted." in text
    assert 'id="closing-status">Closed' in text
    assert "Close the year" not in text
    assert "Reopen" not in text  # only admins reopen
    ledger_page = client.get(f"/accounting/ledgers/{books['ledger'].id}").get_data(as_text=True)
    assert "Closed · by Accountant Test on" in ledger_page
    assert f"/accounting/ledgers/{books['ledger'].id}/closing?year={year_id}" in ledger_page


def test_admin_reopens_with_a_reason_and_an_empty_one_is_refused(session, client, books, login_as):
    _settle_drafts_and_vat(session, books)
    checklist.close_with_checklist(session, books["ledger"].id, "2026", force=True)
    session.commit()
    login_as("admin", locale="en")
    year_id = _year_id(session, books)
    url = f"/accounting/ledgers/{books['ledger'].id}/closing/reopen"
    assert "Reopen" in _page(client, books, year=year_id).get_data(as_text=True)
    empty = client.post(url, data={"fiscal_year_id": year_id, "reason": " "}, follow_redirects=True)
    assert "Give the reason for reopening." in empty.get_data(as_text=True)
    assert session.get(FiscalYear, year_id).closed

    reopened = client.post(
        url, data={"fiscal_year_id": year_id, "reason": "Facture oubliée"}, follow_redirects=True
    )
    text = reopened.get_data(as_text=True)
    assert "Fiscal year 2026 reopened." in text and "Facture oubliée" in text
    session.expire_all()
    assert not session.get(FiscalYear, year_id).closed


def test_accountant_may_not_reopen(session, client, books, login_as):
    login_as("accountant", locale="en")
    response = client.post(
        f"/accounting/ledgers/{books['ledger'].id}/closing/reopen",
        data={"fiscal_year_id": _year_id(session, books), "reason": "Erreur"},
    )
    assert response.status_code == 403


def test_president_reads_own_checklist_but_cannot_close(client, books, login_as, make_cooperative):
    login_as("president", books["cooperative"], locale="en")
    page = _page(client, books)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="checklist-vat"' in text and "Close the year" not in text


def test_president_gets_404_on_another_cooperative_closing(client, books, login_as):
    login_as("president")
    assert _page(client, books).status_code == 404


@pytest.fixture
def statements_feb_to_may(session, make_cooperative):
    """Books whose 5141 moves in January, March, June and December 2026, with one imported
    statement from February to May and every bank line reconciled (there are none)."""
    ledger = services.open_ledger(session, make_cooperative().code, first_year=2026)
    for on in (date(2026, 1, 15), date(2026, 3, 10), date(2026, 6, 30), date(2026, 12, 31)):
        services.record_entry(
            session,
            ledger.id,
            journal_code="BQ",
            entry_date=on,
            label="Mouvement",
            lines=[
                LineInput("5141", debit=Decimal("100")),
                LineInput("7124", credit=Decimal("100")),
            ],
        )
    bank_statement(
        session, ledger, start_on=date(2026, 2, 1), end_on=date(2026, 5, 31), closing_balance="100"
    )
    session.commit()
    return ledger


def test_the_bank_item_names_the_months_no_statement_covers(session, statements_feb_to_may):
    items = {
        item.key: item for item in checklist.checklist(session, statements_feb_to_may.id, "2026")
    }

    bank = items["bank"]
    assert not bank.done
    (uncovered,) = bank.uncovered
    assert (uncovered.bank_account, uncovered.account_code) == ("Al Barid Bank", "5141")
    assert uncovered.months == [date(2026, 1, 1), date(2026, 6, 1), date(2026, 12, 1)]
    assert "2026-01, 2026-06, 2026-12" in str(bank.reason)


def test_the_closing_page_lists_the_uncovered_months_and_refuses_done(
    client, login_as, statements_feb_to_may
):
    login_as("accountant")
    page = client.get(f"/accounting/ledgers/{statements_feb_to_may.id}/closing").text

    assert 'id="bank-uncovered"' in page
    assert "janvier 2026" in page and "juin 2026" in page and "décembre 2026" in page
    assert "mars 2026" not in page
    bank_row = page.split('id="checklist-bank"')[1].split("</tr>")[0]
    assert "badge-done" not in bank_row


def test_statements_covering_every_movement_tick_the_bank_item(session, statements_feb_to_may):
    statement = session.scalar(select(BankStatement))
    statement.start_on, statement.end_on = date(2026, 1, 1), date(2026, 12, 31)
    session.commit()
    items = {
        item.key: item for item in checklist.checklist(session, statements_feb_to_may.id, "2026")
    }
    assert items["bank"].done and items["bank"].uncovered == []
