"""Reconciling bank lines with the books: suggestions, one-click acceptance, several lines,
entries from bank lines with remembered rules, and the reconciled balance."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from accounting import services as accounting
from accounting.models import Entry
from financial_close import bank
from financial_close.models import Reconciliation
from gie.errors import DomainError, ValidationError
from tests.accounting.conftest import ledger, make_ledger, post  # noqa: F401  (fixtures)
from tests.financial_close.helpers import cih_account, customer_payment
from tests.financial_close.test_bank_import import DATA


@pytest.fixture
def books(session, ledger, post, make_user):  # noqa: F811
    """March 2026 in the books: the opening capital, the customer's payment of invoice
    FA-2026-00012 (and another payment of the same amount), a cheque to a supplier; and the
    bank's statement of March with those, two transfer fees and the account fee."""
    post(ledger, [("5141", "15000", ""), ("1111", "", "15000")], on=date(2026, 2, 28))
    invoice = customer_payment(session, ledger.id, date(2026, 3, 2))
    other = post(
        ledger, [("5141", "2020", ""), ("3421", "", "2020")], on=date(2026, 3, 5), journal="BQ"
    )
    cheque = accounting.record_entry(
        session,
        ledger.id,
        journal_code="BQ",
        entry_date=date(2026, 3, 16),
        label="Chèque fournisseur",
        reference="CHQ 0012345",
        lines=[
            accounting.LineInput("4411", debit=Decimal("1800")),
            accounting.LineInput("5141", credit=Decimal("1800")),
        ],
    )
    account = cih_account(session, ledger.id, "CIH")
    result = bank.import_statement(
        session, account.id, (DATA / "cih_march.csv").read_bytes(), "cih_march.csv"
    )
    session.commit()
    lines = bank.statement_lines(session, result.statement.id)
    return {
        "ledger": ledger,
        "account": account,
        "statement": result.statement,
        "receipt": lines[0],
        "fees": lines[1:3],
        "cheque": lines[3],
        "account_fee": lines[4],
        "invoice_line": _bank_side(invoice),
        "other_line": _bank_side(other),
        "cheque_line": _bank_side(cheque),
        "accountant": make_user("accountant"),
    }


def _bank_side(entry: Entry):
    return next(line for line in entry.lines if line.account.code == "5141")


def test_suggestion_with_the_invoice_number_in_the_label_comes_first(session, books):
    found = bank.suggestions(session, books["receipt"].id)
    assert [suggestion.line.id for suggestion in found] == [
        books["invoice_line"].id,
        books["other_line"].id,
    ]
    assert found[0].reference_found and not found[1].reference_found


def test_cheque_number_suggests_the_cheque_and_nothing_else_of_another_amount(session, books):
    found = bank.suggestions(session, books["cheque"].id)
    assert [suggestion.line.id for suggestion in found] == [books["cheque_line"].id]
    assert found[0].reference_found
    assert bank.suggestions(session, books["account_fee"].id) == []


def test_accepted_suggestion_marks_both_sides_reconciled_and_locks_the_line(session, books):
    actor = books["accountant"]
    bank.reconcile(session, books["receipt"].id, [books["invoice_line"].id], actor=actor)
    session.commit()
    receipt = books["receipt"]
    assert receipt.reconciled and receipt.reconciled_by_id == actor.id
    assert [line.id for line in bank.reconciled_lines(session, receipt.id)] == [
        books["invoice_line"].id
    ]
    # the book line is taken: another bank line of the same amount no longer gets it
    assert books["invoice_line"].id not in [
        suggestion.line.id for suggestion in bank.suggestions(session, receipt.id)
    ]
    with pytest.raises(DomainError, match="already reconciled"):
        bank.reconcile(session, receipt.id, [books["other_line"].id], actor=actor)
    assert session.scalar(select(func.count()).select_from(Reconciliation)) == 1


def test_lines_that_do_not_add_up_to_the_amount_are_refused(session, books):
    with pytest.raises(DomainError, match="add up to 2020.00"):
        bank.reconcile(
            session, books["cheque"].id, [books["invoice_line"].id], actor=books["accountant"]
        )
    assert not books["cheque"].reconciled


def test_a_bank_line_may_gather_several_book_lines(session, books, post):  # noqa: F811
    first = post(books["ledger"], [("4411", "5", ""), ("5141", "", "5")], on=date(2026, 3, 12))
    second = post(books["ledger"], [("4411", "5", ""), ("5141", "", "5")], on=date(2026, 3, 12))
    fee = books["fees"][0]
    bank.reconcile(
        session, fee.id, [_bank_side(first).id, _bank_side(second).id], actor=books["accountant"]
    )
    assert fee.reconciled
    assert len(bank.reconciled_lines(session, fee.id)) == 2


def test_undo_reopens_the_line_and_its_book_line(session, books):
    actor = books["accountant"]
    bank.reconcile(session, books["cheque"].id, [books["cheque_line"].id], actor=actor)
    bank.undo_reconciliation(session, books["cheque"].id, actor=actor)
    session.commit()
    assert not books["cheque"].reconciled
    assert [s.line.id for s in bank.suggestions(session, books["cheque"].id)] == [
        books["cheque_line"].id
    ]


def test_rules_match_without_case_or_accents_ledger_rules_first(session, books):
    bank.save_rule(session, ledger_id=None, pattern="frais", account_code="6147")
    assert bank.rule_for(session, books["account_fee"]).account_code == "6147"
    bank.save_rule(
        session,
        ledger_id=books["ledger"].id,
        pattern="Frais de tenue",
        account_code="6148",
        label="Tenue de compte",
    )
    books["account_fee"].label = "FRAÏS DE TENUE DE COMPTE"
    rule = bank.rule_for(session, books["account_fee"])
    assert (rule.account_code, rule.label) == ("6148", "Tenue de compte")
    assert bank.rule_for(session, books["receipt"]) is None


def test_entry_from_a_fee_line_is_posted_in_bq_and_reconciled(session, books):
    fee = books["account_fee"]
    entry = bank.entry_from_line(
        session, fee.id, account_code="6147", label="Frais de tenue", actor=books["accountant"]
    )
    session.commit()
    assert entry.number.startswith("BQ-2026-")
    assert entry.date == fee.date
    amounts = {line.account.code: (line.debit, line.credit) for line in entry.lines}
    assert amounts == {
        "6147": (Decimal("35.00"), Decimal("0.00")),
        "5141": (Decimal("0.00"), Decimal("35.00")),
    }
    assert fee.reconciled
    assert bank.reconciled_lines(session, fee.id)[0].entry_id == entry.id


def test_a_refused_posting_changes_nothing(session, books):
    accounting.set_lock_date(session, books["ledger"].id, date(2026, 3, 31))
    session.commit()
    entries = session.scalar(select(func.count()).select_from(Entry))
    with pytest.raises(DomainError, match="locked"):
        bank.entry_from_line(
            session, books["account_fee"].id, account_code="6147", actor=books["accountant"]
        )
    with pytest.raises(ValidationError, match="does not exist"):
        bank.entry_from_line(
            session, books["account_fee"].id, account_code="9999", actor=books["accountant"]
        )
    session.commit()
    assert session.scalar(select(func.count()).select_from(Entry)) == entries
    assert not books["account_fee"].reconciled


def test_reconciled_balance_equals_the_closing_balance_of_a_fully_reconciled_month(session, books):
    actor = books["accountant"]
    bank.reconcile(session, books["receipt"].id, [books["invoice_line"].id], actor=actor)
    bank.reconcile(session, books["cheque"].id, [books["cheque_line"].id], actor=actor)
    for fee in [*books["fees"], books["account_fee"]]:
        bank.entry_from_line(session, fee.id, account_code="6147", actor=actor)
    session.commit()
    view = bank.reconciliation_view(session, books["account"].id)
    assert view.on == date(2026, 3, 31)
    assert view.reconciled_balance == books["statement"].closing_balance == Decimal("15165.00")
    assert view.bank_balance == Decimal("15165.00")
    assert view.bank_lines == []
    # the second payment of 2020 is in the books and not at the bank: it explains the gap
    assert [line.id for line in view.book_lines] == [books["other_line"].id]
    assert view.book_balance == Decimal("17185.00")
    assert view.explained and view.opening_gap == Decimal("0.00")


def test_unreconciled_lines_either_side_explain_the_difference(session, books):
    bank.reconcile(
        session, books["receipt"].id, [books["invoice_line"].id], actor=books["accountant"]
    )
    view = bank.reconciliation_view(session, books["account"].id, on=date(2026, 3, 20))
    assert view.bank_balance == Decimal("15200.00")
    assert view.reconciled_balance == Decimal("17020.00")
    assert [line.amount for line in view.bank_lines] == [
        Decimal("-10.00"),
        Decimal("-10.00"),
        Decimal("-1800.00"),
    ]
    assert view.book_lines_total == Decimal("2020.00") - Decimal("1800.00")
    assert view.book_balance - view.book_lines_total + view.bank_lines_total == Decimal("15200.00")
    assert view.explained
