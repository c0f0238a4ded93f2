from datetime import date
from decimal import Decimal

from accounting import services
from accounting.reports import statements


def test_trial_balance_shows_opening_movements_and_closing(session, make_ledger, post):
    ledger = make_ledger(first_year=2025)
    services.add_fiscal_year(session, ledger.id)
    session.commit()
    post(ledger, (("5141", "5000.00", ""), ("1111", "", "5000.00")), on=date(2025, 2, 1))
    post(ledger, (("6126", "300.00", ""), ("5141", "", "300.00")), on=date(2025, 6, 1))
    post(ledger, (("6126", "200.00", ""), ("5141", "", "200.00")), on=date(2026, 2, 1))
    post(ledger, (("5141", "1200.00", ""), ("7124", "", "1200.00")), on=date(2026, 3, 1))

    balance = statements.trial_balance(
        session, ledger.id, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )
    rows = {row.code: row for row in balance.rows}
    bank = rows["5141"]
    assert (bank.opening_debit, bank.period_debit, bank.period_credit, bank.closing_debit) == (
        Decimal("4700.00"),
        Decimal("1200.00"),
        Decimal("200.00"),
        Decimal("5700.00"),
    )
    # Expenses restart each fiscal year: 2025's 300.00 is not 2026's opening.
    assert (rows["6126"].opening_debit, rows["6126"].closing_debit) == (
        Decimal("0.00"),
        Decimal("200.00"),
    )
    assert rows["1111"].closing_credit == Decimal("5000.00")
    assert balance.totals.period_debit == balance.totals.period_credit == Decimal("1400.00")
    assert balance.totals.closing_debit == balance.totals.closing_credit


def test_trial_balance_ignores_drafts(session, ledger):
    services.save_draft(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date(2026, 1, 2),
        label="Brouillon",
        lines=[
            services.LineInput("5141", debit=Decimal("10")),
            services.LineInput("7124", credit=Decimal("10")),
        ],
    )
    assert statements.trial_balance(session, ledger.id).rows == []


def test_an_unclosed_year_result_opens_as_pending_allocation(session, make_ledger, post):
    ledger = make_ledger(first_year=2025)
    services.add_fiscal_year(session, ledger.id)
    session.commit()
    post(ledger, (("5141", "900.00", ""), ("7124", "", "900.00")), on=date(2025, 6, 1))
    post(ledger, (("6126", "300.00", ""), ("5141", "", "300.00")), on=date(2025, 7, 1))
    rows = {
        r.code: r
        for r in statements.trial_balance(session, ledger.id, date_from=date(2026, 1, 1)).rows
    }
    assert rows["1181"].opening_credit == Decimal("600.00")
    assert "7124" not in rows and "6126" not in rows
