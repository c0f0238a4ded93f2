"""Journal AN holds opening entries only: the year-end closing's, and the opening balances of
the books' first fiscal year dated its first day; anything else there is refused, by hand
and by import alike."""

from datetime import date

import pytest

from accounting import closing, importers, services
from accounting.services import PostingRefused
from gie.errors import ImportFailed
from tests.accounting.conftest import lines
from tests.snapshot import assert_unchanged, snapshot

PURCHASE = (("6126", "500.00", ""), ("4411", "", "500.00"))
OPENING = (("5141", "8000.00", ""), ("1111", "", "8000.00"))
HEADER = "entry;date;journal;account;label;debit;credit\n"


def _draft(session, ledger, pairs, on):
    return services.save_draft(
        session, ledger.id, journal_code="AN", entry_date=on, label="Pièce", lines=lines(*pairs)
    )


def test_a_mid_year_purchase_in_journal_an_is_refused_and_stays_a_draft(session, ledger):
    draft = _draft(session, ledger, PURCHASE, date(2026, 6, 12))
    session.commit()
    before = snapshot(session)

    with pytest.raises(PostingRefused, match="Journal AN holds opening entries only"):
        services.post_entry(session, draft.id)
    session.rollback()

    assert_unchanged(session, before)
    assert session.get(type(draft), draft.id).state == "draft"


def test_opening_balances_on_the_first_day_of_the_first_year_are_posted(session, ledger):
    entry = services.post_entry(session, _draft(session, ledger, OPENING, date(2026, 1, 1)).id)
    assert entry.number == "AN-2026-00001"


def test_opening_balances_of_a_later_year_are_refused_outside_the_closing(session, make_ledger):
    ledger = make_ledger(first_year=2025)
    services.add_fiscal_year(session, ledger.id)
    draft = _draft(session, ledger, OPENING, date(2026, 1, 1))
    with pytest.raises(PostingRefused, match="dated 2025-01-01"):
        services.post_entry(session, draft.id)


def test_the_closing_still_posts_its_opening_entry_and_reopening_reverses_it(
    session, ledger, post, make_user
):
    post(ledger, (("5141", "3000.00", ""), ("7124", "", "3000.00")), on=date(2026, 5, 2))
    summary = closing.close_fiscal_year(session, ledger.id, "2026")
    assert summary.opening_entry.number == "AN-2027-00001"
    assert summary.opening_entry.date == date(2027, 1, 1)

    closing.reopen_fiscal_year(
        session, summary.year.id, reason="Facture oubliée", actor=make_user("admin")
    )
    assert session.get(type(summary.year), summary.year.id).closed is False


def test_an_import_with_a_mid_year_entry_in_an_names_its_line_and_imports_nothing(session, ledger):
    text = HEADER + (
        "O1;01/01/2026;AN;5141;Solde d'ouverture;8000,00;\n"
        "O1;01/01/2026;AN;1111;Solde d'ouverture;;8000,00\n"
        "A1;12/06/2026;AN;6126;Achat;500,00;\n"
        "A1;12/06/2026;AN;4411;Achat;;500,00\n"
    )
    session.commit()
    before = snapshot(session)
    with pytest.raises(ImportFailed) as refused:
        importers.import_entries(session, ledger.id, text.encode())
    session.rollback()

    assert [line for line, _message in refused.value.line_errors] == [4]
    assert "Journal AN holds opening entries only" in str(refused.value.line_errors[0][1])
    assert_unchanged(session, before)
