"""A refused write leaves the books exactly as they were, whatever the page does next."""

import re
from datetime import date

from sqlalchemy import func, select

from accounting import services
from accounting.models import Entry
from accounting.services import LineInput
from gie.money import D
from tests.accounting.conftest import lines
from tests.accounting.test_pages import SALE_FORM
from tests.snapshot import assert_unchanged, snapshot


def _flashed_errors(page: str) -> list[str]:
    return re.findall(r'class="flash flash-error">([^<]*)<', page)


def _reverse_date_shown(page: str) -> str:
    return re.search(r'name="date"[^>]*value="([^"]*)"', page).group(1)


def test_refused_reversal_leaves_nothing_and_a_valid_one_reverses_once(
    client, session, login_as, ledger, post
):
    login_as("accountant")
    sale = post(ledger, [("3421", "1200.00", ""), ("7124", "", "1200.00")], journal="VT")
    page = client.get(f"/accounting/entries/{sale.id}").text
    assert _reverse_date_shown(page) == "2026-03-15"  # the original's own date, still open

    before = snapshot(session)
    refused = client.post(
        f"/accounting/entries/{sale.id}/reverse", data={"date": "2031-01-05"}, follow_redirects=True
    )
    assert any("2031-01-05" in message for message in _flashed_errors(refused.text))
    assert "Contrepasser" in refused.text or "Reverse" in refused.text  # the button is still there
    assert_unchanged(session, before)

    done = client.post(f"/accounting/entries/{sale.id}/reverse", data={"date": "2026-03-20"})
    assert done.status_code == 302
    again = client.post(
        f"/accounting/entries/{sale.id}/reverse", data={"date": "2026-03-21"}, follow_redirects=True
    )
    assert any("VT-2026-00001" in message for message in _flashed_errors(again.text))
    reversals = session.scalars(select(Entry).where(Entry.reversal_of_id == sale.id)).all()
    assert [(entry.state, entry.number) for entry in reversals] == [("posted", "VT-2026-00002")]
    assert session.scalar(select(func.count()).where(Entry.state == "draft")) == 0
    original = client.get(f"/accounting/entries/{sale.id}").text
    assert "VT-2026-00002" in original and 'name="date"' not in original


def test_reversal_after_the_lock_date_proposes_the_first_open_day(
    client, session, login_as, ledger, post
):
    login_as("accountant")
    sale = post(ledger, [("3421", "600.00", ""), ("7124", "", "600.00")], on=date(2026, 2, 10))
    client.post(f"/accounting/ledgers/{ledger.id}/lock-date", data={"lock_date": "2026-03-31"})
    page = client.get(f"/accounting/entries/{sale.id}").text
    assert _reverse_date_shown(page) == "2026-04-01"

    before = snapshot(session)
    client.post(f"/accounting/entries/{sale.id}/reverse", data={"date": "2026-02-10"})
    assert_unchanged(session, before)
    client.post(f"/accounting/entries/{sale.id}/reverse", data={"date": "2026-04-01"})
    assert session.scalar(select(Entry.number).where(Entry.reversal_of_id == sale.id)) == (
        "OD-2026-00002"
    )


def test_refused_post_of_a_draft_and_refused_delete_change_nothing(
    client, session, login_as, ledger, post
):
    login_as("accountant")
    unbalanced = dict(SALE_FORM, save="1")
    unbalanced["lines-2-credit"] = "150.00"
    saved = client.post(f"/accounting/ledgers/{ledger.id}/entries/new", data=unbalanced)
    draft_id = int(saved.location.rsplit("/", 1)[1])

    before = snapshot(session)
    refused = client.post(f"/accounting/entries/{draft_id}/post", follow_redirects=True)
    assert any("1150.00" in message for message in _flashed_errors(refused.text))
    assert_unchanged(session, before)

    posted = post(ledger, [("5141", "80.00", ""), ("7124", "", "80.00")])
    before = snapshot(session)
    refused = client.post(f"/accounting/entries/{posted.id}/delete", follow_redirects=True)
    assert _flashed_errors(refused.text)
    assert_unchanged(session, before)


def test_refused_draft_with_an_unknown_account_changes_nothing(client, session, login_as, ledger):
    login_as("accountant")
    before = snapshot(session)
    data = dict(SALE_FORM, save="1")
    data["lines-1-account"] = "7999"
    response = client.post(f"/accounting/ledgers/{ledger.id}/entries/new", data=data)
    assert response.status_code == 422 and "7999" in response.text
    assert_unchanged(session, before)


def test_a_refused_command_changes_nothing_and_exits_1(session, runner, ledger, tmp_path):
    code = ledger.code
    services.save_draft(  # a draft left in the year: closing it is refused
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date(2026, 6, 30),
        label="Provision à revoir",
        lines=lines(("6147", "40.00", ""), ("5141", "", "40.00")),
    )
    session.commit()
    half_good = tmp_path / "entries.csv"
    half_good.write_text(
        "entry,date,journal,account,label,debit,credit\n"
        "P1,2026-03-02,VT,3421,Facture 1,120.00,\n"
        "P1,2026-03-02,VT,7124,Facture 1,,120.00\n"
        "P2,2026-03-03,VT,3421,Facture 2,50.00,\n"
        "P2,2026-03-03,VT,9999,Facture 2,,50.00\n",
        encoding="utf-8",
    )
    before = snapshot(session)
    result = runner.invoke(args=["accounting", "import", code, str(half_good)])
    assert result.exit_code == 1 and "9999" in result.output
    assert_unchanged(session, before)

    result = runner.invoke(args=["accounting", "close", code, "--year", "2026"])
    assert result.exit_code == 1 and "Brouillons non validés" in result.output
    assert_unchanged(session, before)


def test_a_refused_match_changes_nothing_and_says_why(client, session, login_as, ledger):
    login_as("accountant")
    partner_lines = []
    for partner, debit, credit in (("CLIENT-A", "500.00", ""), ("CLIENT-B", "", "500.00")):
        entry = services.record_entry(
            session,
            ledger.id,
            journal_code="OD",
            entry_date=date(2026, 3, 10),
            label=f"{partner} {debit or credit}",
            lines=[
                LineInput("3421", partner=partner, debit=D(debit or "0"), credit=D(credit or "0")),
                LineInput("5141", debit=D(credit or "0"), credit=D(debit or "0")),
            ],
        )
        partner_lines.append(next(line.id for line in entry.lines if line.partner == partner))
    session.commit()

    before = snapshot(session)
    refused = client.post(
        f"/accounting/ledgers/{ledger.id}/matching/lines?account=3421",
        data={"line": [str(line_id) for line_id in partner_lines]},
        follow_redirects=True,
    )
    assert _flashed_errors(refused.text) == [
        "Des lignes de tiers différents ne peuvent pas être lettrées ensemble."
    ]
    assert_unchanged(session, before)
