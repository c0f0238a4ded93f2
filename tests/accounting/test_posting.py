from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from accounting import services
from accounting.models import Account, Entry, FiscalYear, Line, PostedEntryImmutable
from accounting.services import PostingRefused
from tests.accounting.conftest import lines

SALE = (("3421", "1200.00", ""), ("7124", "", "1000.00"), ("4455", "", "200.00"))


def _draft(session, ledger, pairs, on=date(2026, 3, 15), journal="VT"):
    return services.save_draft(
        session,
        ledger.id,
        journal_code=journal,
        entry_date=on,
        label="Facture",
        lines=lines(*pairs),
    )


def test_opening_books_copies_the_chart_journals_and_first_year(session, ledger):
    codes = set(session.scalars(select(Account.code).where(Account.ledger_id == ledger.id)))
    assert {"3421", "4411", "5141", "7124", "1191"} <= codes
    kinds = dict(
        session.execute(
            select(Account.code, Account.kind).where(Account.ledger_id == ledger.id)
        ).all()
    )
    assert (kinds["3421"], kinds["4411"], kinds["7124"], kinds["6126"], kinds["1111"]) == (
        "asset",
        "liability",
        "income",
        "expense",
        "equity",
    )


def test_posting_numbers_per_journal_and_year_and_chains_hashes(session, ledger):
    first = services.post_entry(session, _draft(session, ledger, SALE).id)
    second = services.post_entry(session, _draft(session, ledger, SALE).id)
    bank = services.post_entry(
        session,
        _draft(session, ledger, (("5141", "1200", ""), ("3421", "", "1200")), journal="BQ").id,
    )
    assert (first.number, second.number, bank.number) == (
        "VT-2026-00001",
        "VT-2026-00002",
        "BQ-2026-00001",
    )
    assert len(first.hash) == 64 and first.hash != second.hash
    assert services.verify_ledger(session, ledger.id).ok


def test_unbalanced_entry_is_refused_and_nothing_posted(session, ledger):
    draft = _draft(session, ledger, (("3421", "1200.00", ""), ("7124", "", "1000.00")))
    session.commit()
    with pytest.raises(PostingRefused) as refused:
        services.post_entry(session, draft.id)
    assert "unbalanced" in str(refused.value.message)
    session.rollback()
    assert session.scalar(select(Entry.state).where(Entry.id == draft.id)) == "draft"
    assert session.scalar(select(Entry.number).where(Entry.id == draft.id)) is None


def test_entry_with_a_single_line_is_refused(session, ledger):
    draft = services.save_draft(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date(2026, 3, 1),
        label="x",
        lines=lines(("5141", "10", "")),
    )
    with pytest.raises(PostingRefused):
        services.post_entry(session, draft.id)


def test_entry_in_a_closed_year_is_refused(session, ledger):
    fiscal_year = session.scalar(select(FiscalYear).where(FiscalYear.ledger_id == ledger.id))
    services.set_fiscal_year_closed(session, fiscal_year.id, True)
    with pytest.raises(PostingRefused) as refused:
        services.post_entry(session, _draft(session, ledger, SALE).id)
    assert "closed" in str(refused.value.message)


def test_entry_outside_any_fiscal_year_is_refused(session, ledger):
    with pytest.raises(PostingRefused) as refused:
        services.post_entry(session, _draft(session, ledger, SALE, on=date(2027, 1, 5)).id)
    assert "No fiscal year" in str(refused.value.message)


def test_entry_on_or_before_the_lock_date_is_refused(session, ledger):
    services.set_lock_date(session, ledger.id, date(2026, 3, 31))
    with pytest.raises(PostingRefused) as refused:
        services.post_entry(session, _draft(session, ledger, SALE, on=date(2026, 3, 31)).id)
    assert "locked" in str(refused.value.message)
    assert services.post_entry(
        session, _draft(session, ledger, SALE, on=date(2026, 4, 1)).id
    ).posted


def test_entry_using_another_ledgers_account_is_refused(session, make_ledger):
    mine, other = make_ledger(), make_ledger()
    draft = _draft(session, mine, SALE)
    foreign = session.scalar(
        select(Account).where(Account.ledger_id == other.id, Account.code == "7124")
    )
    draft.lines[1].account_id = foreign.id
    session.flush()
    session.expire(draft)
    with pytest.raises(PostingRefused) as refused:
        services.post_entry(session, draft.id)
    assert "other books" in str(refused.value.message)


def test_deactivated_account_cannot_be_posted_to(session, ledger, make_user):
    accountant = make_user("accountant")
    account = session.scalar(
        select(Account).where(Account.ledger_id == ledger.id, Account.code == "7124")
    )
    services.update_account(
        session, account.id, label=account.label, active=False, actor=accountant
    )
    with pytest.raises(PostingRefused) as refused:
        services.post_entry(session, _draft(session, ledger, SALE).id)
    assert "deactivated" in str(refused.value.message)


def test_posted_entry_cannot_change_or_be_deleted_through_the_orm(session, ledger, post):
    entry = post(ledger, SALE)
    entry = session.get(Entry, entry.id)
    entry.label = "Changed"
    with pytest.raises(PostedEntryImmutable):
        session.flush()
    session.rollback()

    line = session.scalar(select(Line).where(Line.entry_id == entry.id).limit(1))
    line.debit = Decimal("1.00")
    with pytest.raises(PostedEntryImmutable):
        session.flush()
    session.rollback()

    session.delete(session.get(Entry, entry.id))
    with pytest.raises(PostedEntryImmutable):
        session.flush()
    session.rollback()

    with pytest.raises(PostedEntryImmutable):
        session.execute(update(Line).where(Line.entry_id == entry.id).values(label="x"))


def test_posted_entry_cannot_be_edited_or_deleted_through_the_service(
    session, ledger, post, make_user
):
    accountant = make_user("accountant")
    entry = post(ledger, SALE)
    with pytest.raises(PostingRefused):
        services.save_draft(
            session,
            ledger.id,
            journal_code="VT",
            entry_date=date(2026, 3, 15),
            label="x",
            lines=lines(*SALE),
            entry_id=entry.id,
        )
    with pytest.raises(PostingRefused):
        services.delete_draft(session, entry.id, actor=accountant)


def test_reversal_nets_the_original_to_zero(session, ledger, post):
    entry = post(ledger, SALE, journal="VT")
    reversal = services.reverse_entry(session, entry.id, on=date(2026, 4, 2))
    assert reversal.reversal_of_id == entry.id
    assert reversal.number == "VT-2026-00002"
    balances = session.execute(
        select(Account.code, Line.debit, Line.credit)
        .join(Account)
        .where(Line.ledger_id == ledger.id)
    ).all()
    net = {}
    for code, debit, credit in balances:
        net[code] = net.get(code, Decimal("0")) + debit - credit
    assert set(net.values()) == {Decimal("0.00")}
    with pytest.raises(PostingRefused):
        services.reverse_entry(session, entry.id, on=date(2026, 4, 3))


def test_verify_names_the_entry_whose_line_was_tampered_with_in_the_database(
    session, ledger, post, runner
):
    post(ledger, SALE)
    tampered = post(ledger, SALE)
    post(ledger, SALE)
    assert runner.invoke(args=["accounting", "verify", ledger.code]).exit_code == 0
    session.execute(
        text(
            "UPDATE accounting_line SET credit = credit + 100 WHERE entry_id = :id AND credit > 0"
        ),
        {"id": tampered.id},
    )
    session.commit()
    result = runner.invoke(args=["accounting", "verify", ledger.code])
    assert result.exit_code == 1
    assert tampered.number in result.output


def test_new_ledger_command_opens_cooperative_and_gie_books(runner, make_cooperative):
    cooperative = make_cooperative()
    opened = runner.invoke(
        args=["accounting", "new-ledger", cooperative.code, "--first-year", "2026"]
    )
    assert opened.exit_code == 0, opened.output
    assert (
        runner.invoke(args=["accounting", "new-ledger", "GIE", "--first-year", "2026"]).exit_code
        == 0
    )
    again = runner.invoke(args=["accounting", "new-ledger", "GIE", "--first-year", "2026"])
    assert again.exit_code == 1
    unknown = runner.invoke(args=["accounting", "new-ledger", "COOP-999", "--first-year", "2026"])
    assert unknown.exit_code == 1


def test_used_account_cannot_be_deleted(session, ledger, post, make_user):
    accountant = make_user("accountant")
    post(ledger, SALE)
    used = session.scalar(
        select(Account).where(Account.ledger_id == ledger.id, Account.code == "7124")
    )
    with pytest.raises(Exception) as refused:
        services.delete_account(session, used.id, actor=accountant)
    assert "deactivate" in str(refused.value.message)
    unused = services.add_account(session, ledger.id, "71241", "Tenue de comptabilité")
    assert unused.kind == "income"
    services.delete_account(session, unused.id, actor=accountant)
