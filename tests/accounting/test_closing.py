from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from accounting import closing, services
from accounting.models import Entry, FiscalYear
from accounting.reports import books, statements
from accounting.services import LineInput, PostingRefused
from gie.audit.models import AuditEntry
from gie.errors import PermissionDenied


@pytest.fixture
def books_2026(session, make_ledger, post):
    """A year of books: capital, a sale to a customer (partner COOP-X) partly paid, a supplier
    invoice, an expense. Income 1500.00, expenses 400.00: a profit of 1100.00."""
    ledger = make_ledger(first_year=2026)
    post(ledger, (("5141", "10000.00", ""), ("1111", "", "10000.00")), on=date(2026, 1, 10))
    services.record_entry(
        session,
        ledger.id,
        journal_code="VT",
        entry_date=date(2026, 2, 1),
        label="Facture",
        lines=[
            LineInput("3421", debit=Decimal("1500.00"), partner="COOP-X"),
            LineInput("7124", credit=Decimal("1500.00")),
        ],
    )
    services.record_entry(
        session,
        ledger.id,
        journal_code="BQ",
        entry_date=date(2026, 3, 1),
        label="Règlement partiel",
        lines=[
            LineInput("5141", debit=Decimal("500.00")),
            LineInput("3421", credit=Decimal("500.00"), partner="COOP-X"),
        ],
    )
    services.record_entry(
        session,
        ledger.id,
        journal_code="AC",
        entry_date=date(2026, 4, 1),
        label="Fournisseur",
        lines=[
            LineInput("6126", debit=Decimal("250.00")),
            LineInput("4411", credit=Decimal("250.00"), partner="SUPP-1"),
        ],
    )
    post(ledger, (("6147", "150.00", ""), ("5141", "", "150.00")), on=date(2026, 5, 1))
    session.commit()
    return ledger


def _rows(session, ledger, date_from, date_to):
    balance = statements.trial_balance(session, ledger.id, date_from=date_from, date_to=date_to)
    return balance, {row.code: row for row in balance.rows}


def test_closing_carries_classes_1_to_5_and_books_the_result(session, books_2026, make_user):
    ledger = books_2026
    admin = make_user("admin")
    before, closing_rows = _rows(session, ledger, date(2026, 1, 1), date(2026, 12, 31))

    summary = closing.close_fiscal_year(session, ledger.id, "2026", actor=admin)
    session.commit()

    assert summary.result == Decimal("1100.00")
    assert summary.opening_entry.number == "AN-2027-00001"
    assert summary.opening_entry.date == date(2027, 1, 1)
    year = session.scalar(select(FiscalYear).where(FiscalYear.ledger_id == ledger.id))
    assert year.closed and year.closed_by_id == admin.id and year.closed_at is not None
    assert year.opening_entry_id == summary.opening_entry.id
    assert ledger.lock_date == date(2026, 12, 31)

    after, rows_2027 = _rows(session, ledger, date(2027, 1, 1), date(2027, 12, 31))
    for code, row in closing_rows.items():
        if row.class_number in (1, 2, 3, 4, 5):
            assert (rows_2027[code].opening_debit, rows_2027[code].opening_credit) == (
                row.closing_debit,
                row.closing_credit,
            ), code
            assert rows_2027[code].period_debit == rows_2027[code].period_credit == 0
        else:
            assert code not in rows_2027, code
    assert rows_2027["1191"].opening_credit == Decimal("1100.00")
    assert after.totals.opening_debit == after.totals.opening_credit
    assert "1181" not in rows_2027 and "1189" not in rows_2027

    unchanged, _ = _rows(session, ledger, date(2026, 1, 1), date(2026, 12, 31))
    assert unchanged == before

    sheet = statements.balance_sheet(session, ledger.id, on=date(2027, 12, 31))
    assert sheet.total_assets == sheet.total_liabilities == Decimal("11350.00")
    assert sheet.pending_result == 0


def test_partner_balances_carry_per_partner(session, books_2026):
    summary = closing.close_fiscal_year(session, books_2026.id, "2026")
    carried = {
        (line.account.code, line.partner): line.debit - line.credit
        for line in summary.opening_entry.lines
    }
    assert carried[("3421", "COOP-X")] == Decimal("1000.00")
    assert carried[("4411", "SUPP-1")] == Decimal("-250.00")
    assert carried[("1191", "")] == Decimal("-1100.00")


def test_general_ledger_of_the_next_year_opens_at_the_carried_balance(session, books_2026):
    closing.close_fiscal_year(session, books_2026.id, "2026")
    bank = session.scalar(
        select(services.Account.id).where(
            services.Account.ledger_id == books_2026.id, services.Account.code == "5141"
        )
    )
    report = books.general_ledger(
        session, books_2026.id, bank, date_from=date(2027, 1, 1), date_to=date(2027, 12, 31)
    )
    assert report.opening == Decimal("10350.00")
    assert report.lines == [] and report.closing == Decimal("10350.00")
    mid_year = books.general_ledger(
        session, books_2026.id, bank, date_from=date(2027, 6, 1), date_to=date(2027, 12, 31)
    )
    assert mid_year.opening == Decimal("10350.00")


def test_a_loss_goes_to_1199(session, make_ledger, post):
    ledger = make_ledger(first_year=2026)
    post(ledger, (("6147", "80.00", ""), ("5141", "", "80.00")))
    summary = closing.close_fiscal_year(session, ledger.id, "2026")
    assert summary.result == Decimal("-80.00")
    rows = {line.account.code: line for line in summary.opening_entry.lines}
    assert rows["1199"].debit == Decimal("80.00")
    assert rows["5141"].credit == Decimal("80.00")


def test_the_closed_year_refuses_new_entries(session, books_2026, post):
    closing.close_fiscal_year(session, books_2026.id, "2026")
    with pytest.raises(PostingRefused) as refused:
        post(books_2026, (("5141", "10.00", ""), ("7124", "", "10.00")), on=date(2026, 12, 1))
    reasons = [str(reason) for reason in refused.value.field_errors["entry"]]
    assert "Fiscal year 2026 is closed." in reasons


def test_closing_refuses_and_lists_every_reason(session, make_ledger, post):
    ledger = make_ledger(first_year=2025)
    services.add_fiscal_year(session, ledger.id)
    post(ledger, (("5141", "10.00", ""), ("7124", "", "10.00")), on=date(2026, 2, 1))
    services.save_draft(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date(2026, 3, 1),
        label="Brouillon",
        lines=[LineInput("5141", debit=Decimal("1")), LineInput("7124", credit=Decimal("1"))],
    )
    with pytest.raises(closing.ClosingRefused) as refused:
        closing.close_fiscal_year(session, ledger.id, "2026")
    assert str(refused.value.message) == "Fiscal year 2026 cannot be closed."
    assert [str(reason) for reason in refused.value.field_errors["closing"]] == [
        "Close fiscal year 2025 first: years close in order.",
        "Drafts not posted: 1.",
    ]
    closing.close_fiscal_year(session, ledger.id, "2025")
    with pytest.raises(closing.ClosingRefused) as refused:
        closing.close_fiscal_year(session, ledger.id, "2025")
    assert "Fiscal year 2025 is already closed." in [
        str(reason) for reason in refused.value.field_errors["closing"]
    ]


def test_closing_two_years_in_a_row_carries_the_earlier_result(session, books_2026, post):
    closing.close_fiscal_year(session, books_2026.id, "2026")
    post(books_2026, (("5141", "400.00", ""), ("7124", "", "400.00")), on=date(2027, 3, 1))
    summary = closing.close_fiscal_year(session, books_2026.id, "2027")
    assert summary.result == Decimal("400.00")
    carried = [(line.account.code, line.credit) for line in summary.opening_entry.lines]
    assert ("1191", Decimal("1100.00")) in carried  # 2026's result, not yet allocated
    assert ("1191", Decimal("400.00")) in carried
    _, rows = _rows(session, books_2026, date(2028, 1, 1), date(2028, 12, 31))
    assert rows["5141"].opening_debit == Decimal("10750.00")


def test_reopen_reverses_the_opening_entry_and_accepts_entries_again(
    session, books_2026, make_user, post
):
    admin = make_user("admin")
    summary = closing.close_fiscal_year(session, books_2026.id, "2026", actor=admin)
    year = closing.reopen_fiscal_year(
        session, summary.year.id, reason="Facture oubliée", actor=admin
    )
    session.commit()
    assert not year.closed and year.opening_entry_id is None
    assert year.reopen_reason == "Facture oubliée"
    assert books_2026.lock_date is None
    reversal = session.scalar(select(Entry).where(Entry.reversal_of_id == summary.opening_entry.id))
    assert reversal.number == "AN-2027-00002" and reversal.date == date(2027, 1, 1)
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.record_type == "FiscalYear", AuditEntry.record_id == year.id
        )
    ).all()
    assert any((entry.after or {}).get("reopen_reason") == "Facture oubliée" for entry in audit)

    post(books_2026, (("5141", "100.00", ""), ("7124", "", "100.00")), on=date(2026, 12, 20))
    _, rows = _rows(session, books_2026, date(2027, 1, 1), date(2027, 12, 31))
    assert rows["5141"].opening_debit == Decimal("10450.00")  # pending, not doubled
    assert rows["1181"].opening_credit == Decimal("1200.00")

    again = closing.close_fiscal_year(session, books_2026.id, "2026", actor=admin)
    assert again.result == Decimal("1200.00")
    _, rows = _rows(session, books_2026, date(2027, 1, 1), date(2027, 12, 31))
    assert rows["5141"].opening_debit == Decimal("10450.00")
    assert rows["1191"].opening_credit == Decimal("1200.00")
    assert rows["5141"].period_debit == rows["5141"].period_credit == 0


def test_only_an_admin_reopens_with_a_reason(session, books_2026, make_user):
    summary = closing.close_fiscal_year(session, books_2026.id, "2026")
    with pytest.raises(PermissionDenied):
        closing.reopen_fiscal_year(
            session, summary.year.id, reason="Erreur", actor=make_user("accountant")
        )
    with pytest.raises(closing.ClosingRefused) as refused:
        closing.reopen_fiscal_year(session, summary.year.id, reason="  ", actor=make_user("admin"))
    assert [str(reason) for reason in refused.value.field_errors["closing"]] == [
        "Give the reason for reopening."
    ]


def test_reopen_is_refused_once_the_next_year_has_posted_entries(
    session, books_2026, make_user, post
):
    summary = closing.close_fiscal_year(session, books_2026.id, "2026")
    post(books_2026, (("5141", "10.00", ""), ("7124", "", "10.00")), on=date(2027, 2, 1))
    with pytest.raises(closing.ClosingRefused) as refused:
        closing.reopen_fiscal_year(
            session, summary.year.id, reason="Erreur", actor=make_user("admin")
        )
    assert [str(reason) for reason in refused.value.field_errors["closing"]] == [
        "Fiscal year 2027 already has posted entries besides its opening entry."
    ]


def test_reopen_is_refused_while_a_later_year_is_closed(session, books_2026, make_user):
    first = closing.close_fiscal_year(session, books_2026.id, "2026")
    closing.close_fiscal_year(session, books_2026.id, "2027")
    with pytest.raises(closing.ClosingRefused) as refused:
        closing.reopen_fiscal_year(
            session, first.year.id, reason="Erreur", actor=make_user("admin")
        )
    assert "Reopen fiscal year 2027 first: it is closed too." in [
        str(reason) for reason in refused.value.field_errors["closing"]
    ]


def test_a_trial_balance_over_the_whole_history_counts_carried_balances_once(
    session, books_2026, make_user
):
    ledger = books_2026
    closing.close_fiscal_year(session, ledger.id, "2026", actor=make_user("admin"))
    session.commit()

    whole = {row.code: row for row in statements.trial_balance(session, ledger.id).rows}
    _, rows_2027 = _rows(session, ledger, date(2027, 1, 1), None)
    assert whole["5141"].closing_debit == rows_2027["5141"].closing_debit == Decimal("10350.00")
    assert whole["1191"].closing_credit == Decimal("1100.00")
    assert "7124" not in whole
