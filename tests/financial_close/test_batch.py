"""Batch work: post every draft of a ledger, lock a period for several ledgers at once."""

from datetime import date
from decimal import Decimal

import pytest

from accounting import services
from accounting.models import Entry, Ledger
from accounting.services import LineInput
from financial_close import batch

LOCK = date(2026, 3, 31)


def _draft(session, ledger, on: date, label: str, *, debit="100", credit="100"):
    return services.save_draft(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=on,
        label=label,
        lines=[
            LineInput("5141", debit=Decimal(debit)),
            LineInput("7121", credit=Decimal(credit)),
        ],
    )


@pytest.fixture
def open_books(session, make_cooperative):
    def open_books(name: str) -> Ledger:
        cooperative = make_cooperative(name=name)
        ledger = services.open_ledger(session, cooperative.code, first_year=2026)
        session.commit()
        return ledger

    return open_books


@pytest.fixture
def drafts(session, open_books):
    """A ledger with two valid drafts (March then February) and an unbalanced one."""
    ledger = open_books("Tissage Atlas")
    made = {
        "march": _draft(session, ledger, date(2026, 3, 5), "Vente de mars"),
        "february": _draft(session, ledger, date(2026, 2, 5), "Vente de février"),
        "unbalanced": _draft(session, ledger, date(2026, 2, 20), "Erreur", credit="90"),
    }
    session.commit()
    return ledger, made


def test_posting_all_drafts_posts_the_valid_ones_in_date_order(session, drafts, make_user):
    ledger, made = drafts
    result = batch.post_all_drafts(session, ledger.id, actor=make_user("accountant"))
    session.commit()

    assert [entry.number for entry in result.done] == ["OD-2026-00001", "OD-2026-00002"]
    assert session.get(Entry, made["february"].id).number == "OD-2026-00001"
    assert session.get(Entry, made["march"].id).number == "OD-2026-00002"
    (failure,) = result.failures
    assert failure.record.id == made["unbalanced"].id
    assert session.get(Entry, made["unbalanced"].id).state == "draft"
    assert [str(reason) for reason in failure.reasons] == [
        "The entry is unbalanced: debit 100.00, credit 90.00."
    ]
    assert services.verify_ledger(session, ledger.id).ok


def test_a_draft_under_the_lock_date_stays_a_draft_with_its_reason(session, drafts):
    ledger, made = drafts
    services.set_lock_date(session, ledger.id, date(2026, 2, 28))
    result = batch.post_all_drafts(session, ledger.id)

    assert [entry.id for entry in result.done] == [made["march"].id]
    reasons = {failure.record.id: [str(r) for r in failure.reasons] for failure in result.failures}
    assert reasons[made["february"].id] == ["The books are locked up to 2026-02-28."]
    assert len(reasons[made["unbalanced"].id]) == 2


def test_locking_several_ledgers_refuses_those_with_earlier_drafts_or_a_later_lock(
    session, open_books, make_user
):
    clean, late_draft, locked_later = (
        open_books("Tissage Atlas"),
        open_books("Poterie du Rif"),
        open_books("Zitoun"),
    )
    _draft(session, clean, date(2026, 4, 2), "Après la période")
    _draft(session, late_draft, date(2026, 3, 31), "Oubliée")
    services.set_lock_date(session, locked_later.id, date(2026, 6, 30))
    session.commit()

    result = batch.lock_period(
        session,
        [clean.id, late_draft.id, locked_later.id],
        LOCK,
        actor=make_user("accountant"),
    )
    session.commit()

    assert [ledger.id for ledger in result.done] == [clean.id]
    reasons = {failure.record.id: [str(r) for r in failure.reasons] for failure in result.failures}
    assert reasons[late_draft.id] == [
        "Drafts dated on or before 2026-03-31 are waiting: 1. Post or delete them first."
    ]
    assert reasons[locked_later.id] == [
        "The books are already locked up to 2026-06-30: move the lock date back on the"
        " ledger's page."
    ]
    assert session.get(Ledger, clean.id).lock_date == LOCK
    assert session.get(Ledger, late_draft.id).lock_date is None
    assert session.get(Ledger, locked_later.id).lock_date == date(2026, 6, 30)


# --- pages ---------------------------------------------------------------------------------


def test_accountant_confirms_then_sees_the_summary_of_posting_all_drafts(
    client, login_as, drafts, session
):
    ledger, made = drafts
    login_as("accountant", locale="en")
    page = client.get(f"/accounting/ledgers/{ledger.id}/post-drafts")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Vente de mars" in text and "Erreur" in text
    assert "data-confirm=" in text

    summary = client.post(f"/accounting/ledgers/{ledger.id}/post-drafts").get_data(as_text=True)
    assert "<dd data-posted>2</dd>" in summary
    assert "<dd data-failed>1</dd>" in summary
    assert "The entry is unbalanced: debit 100.00, credit 90.00." in summary
    assert "OD-2026-00001" in summary and "OD-2026-00002" in summary
    assert f'href="/accounting/entries/{made["unbalanced"].id}"' in summary
    assert session.get(Entry, made["march"].id).state == "posted"


def test_ledger_page_links_to_posting_all_drafts(client, login_as, drafts):
    ledger, _ = drafts
    login_as("accountant", locale="en")
    text = client.get(f"/accounting/ledgers/{ledger.id}").get_data(as_text=True)
    assert f'href="/accounting/ledgers/{ledger.id}/post-drafts"' in text


def test_accountant_locks_selected_ledgers_from_the_cockpit(client, login_as, open_books, session):
    clean, late_draft = open_books("Tissage Atlas"), open_books("Poterie du Rif")
    _draft(session, late_draft, date(2026, 3, 1), "Oubliée")
    session.commit()
    login_as("accountant", locale="en")

    response = client.post(
        "/accounting/cockpit/lock",
        data={"lock_date": "2026-03-31", "ledgers": [clean.id, late_draft.id]},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<dd data-locked>1</dd>" in text and "<dd data-failed>1</dd>" in text
    assert "Drafts dated on or before 2026-03-31 are waiting: 1." in text
    assert session.get(Ledger, clean.id).lock_date == LOCK
    assert session.get(Ledger, late_draft.id).lock_date is None


def test_locking_without_a_date_or_books_changes_nothing(client, login_as, open_books, session):
    ledger = open_books("Tissage Atlas")
    login_as("accountant", locale="en")
    response = client.post("/accounting/cockpit/lock", data={"ledgers": [ledger.id]})
    assert response.status_code == 302
    assert "Give the lock date." in client.get("/accounting/cockpit").get_data(as_text=True)
    assert session.get(Ledger, ledger.id).lock_date is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_president_may_not_post_all_drafts_even_of_own_books(
    client, login_as, session, make_cooperative, method
):
    cooperative = make_cooperative()
    ledger = services.open_ledger(session, cooperative.code, first_year=2026)
    session.commit()
    login_as("president", cooperative)
    response = getattr(client, method)(f"/accounting/ledgers/{ledger.id}/post-drafts")
    assert response.status_code == 403


# --- commands ------------------------------------------------------------------------------


def test_post_drafts_command_reports_what_stayed_a_draft(runner, drafts, session):
    ledger, made = drafts
    result = runner.invoke(args=["accounting", "post-drafts", ledger.code])
    assert result.exit_code == 1
    assert f"{ledger.code}: 2 posted, 1 not posted." in result.output
    assert f"draft #{made['unbalanced'].id} 2026-02-20 Erreur: " in result.output
    assert session.get(Entry, made["march"].id).state == "posted"


def test_lock_command_locks_several_ledgers(runner, open_books, session):
    first, second = open_books("Tissage Atlas"), open_books("Poterie du Rif")
    result = runner.invoke(
        args=["accounting", "lock", "--date", "2026-03-31", first.code, second.code]
    )
    assert result.exit_code == 0, result.output
    assert "Locked up to 2026-03-31: 2 ledgers, 0 refused." in result.output
    assert session.get(Ledger, first.id).lock_date == LOCK
    assert session.get(Ledger, second.id).lock_date == LOCK


def test_lock_command_refuses_an_unknown_code(runner, open_books, session):
    first = open_books("Tissage Atlas")
    first_id = first.id  # a refused command rolls back: the object expires
    result = runner.invoke(args=["accounting", "lock", "--date", "2026-03-31", first.code, "NOPE"])
    assert result.exit_code == 1
    assert "Aucune comptabilité n’est ouverte pour NOPE." in result.output
    assert session.get(Ledger, first_id).lock_date is None
