"""Every write on the books leaves an audit row naming the record and whoever acted."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from accounting import closing, importers, matching, services
from accounting.models import Entry, ImportedEntriesFile, Line
from accounting.services import LineInput
from gie.audit.services import acting_as
from gie.money import ZERO
from tests.accounting.conftest import lines
from tests.accounting.test_import_guard import SALES
from tests.audit import audit_row

RENT = (("6131", "500.00", ""), ("5141", "", "500.00"))


def _draft(session, ledger):
    return services.save_draft(
        session,
        ledger.id,
        journal_code="OD",
        entry_date=date(2026, 3, 15),
        label="Loyer",
        lines=lines(*RENT),
    )


def test_posting_records_the_poster_and_the_number(session, ledger, make_user):
    accountant = make_user("accountant")
    with acting_as(accountant.id):
        draft = _draft(session, ledger)
        entry = services.post_entry(session, draft.id)
    session.commit()

    assert entry.posted_by_id == accountant.id
    created = audit_row(session, entry, "create")
    assert created.record_label == f"Draft entry #{entry.id}"
    posted = audit_row(session, entry, "update")
    assert posted.record_label == f"Entry {entry.number}"
    assert posted.after["state"] == "posted"
    assert posted.user_id == created.user_id == accountant.id
    line = audit_row(session, entry.lines[0], "create")
    assert line.record_label == f"Line of entry #{entry.id}: debit 500.00 Loyer"


def test_a_command_posts_as_nobody(session, ledger):
    entry = services.post_entry(session, _draft(session, ledger).id)
    session.commit()
    assert entry.posted_by_id is None
    assert audit_row(session, entry, "update").user_id is None


def test_a_reversal_is_audited_with_its_poster(session, ledger, post, make_user):
    accountant = make_user("accountant")
    original = post(ledger, RENT)
    with acting_as(accountant.id):
        reversal = services.reverse_entry(
            session, original.id, on=date(2026, 3, 20), actor=accountant
        )
    session.commit()
    row = audit_row(session, reversal, "update")
    assert row.record_label == f"Entry {reversal.number}"
    assert row.user_id == reversal.posted_by_id == accountant.id


def test_deleting_a_draft_is_audited_with_its_lines(session, ledger, make_user):
    accountant = make_user("accountant")
    draft = _draft(session, ledger)
    session.commit()
    line_ids = [line.id for line in draft.lines]
    with acting_as(accountant.id):
        services.delete_draft(session, draft.id, actor=accountant)
    session.commit()
    row = audit_row(session, draft, "delete")
    assert row.record_label == f"Draft entry #{draft.id}"
    assert row.user_id == accountant.id
    for line_id in line_ids:
        assert audit_row(session, Line(id=line_id), "delete").user_id == accountant.id


def test_matching_lines_is_audited(session, ledger, make_user):
    accountant = make_user("accountant")

    def partner_line(debit, credit, counterpart):
        entry = services.record_entry(
            session,
            ledger.id,
            journal_code="OD",
            entry_date=date(2026, 3, 1),
            label="Client",
            lines=[
                LineInput("3421", partner="CLIENT-A", debit=debit, credit=credit),
                LineInput(counterpart, debit=credit, credit=debit),
            ],
        )
        return next(line for line in entry.lines if line.partner == "CLIENT-A")

    invoice = partner_line(Decimal("120"), ZERO, "7124")
    payment = partner_line(ZERO, Decimal("120"), "5141")
    with acting_as(accountant.id):
        [match] = matching.match_lines(session, ledger.id, [invoice.id, payment.id])
    session.commit()
    row = audit_row(session, match, "create")
    assert row.record_label == f"Match of line #{invoice.id} with line #{payment.id}: 120.00"
    assert row.user_id == accountant.id


def test_closing_a_year_is_audited_and_its_opening_entry_names_the_closer(
    session, ledger, post, make_user
):
    admin = make_user("admin")
    post(ledger, (("5141", "1000.00", ""), ("7124", "", "1000.00")))
    with acting_as(admin.id):
        summary = closing.close_fiscal_year(session, ledger.id, "2026", actor=admin)
    session.commit()
    year = closing.find_fiscal_year(session, ledger.id, "2026")
    row = audit_row(session, year, "update")
    assert row.record_label == f"Fiscal year 2026 of ledger #{ledger.id}"
    assert row.after["closed"] is True
    assert row.user_id == admin.id
    assert summary.opening_entry.posted_by_id == admin.id


def test_an_import_leaves_a_row_per_entry_and_line_and_one_for_the_file(session, ledger, make_user):
    accountant = make_user("accountant")
    with acting_as(accountant.id):
        importers.import_entries(session, ledger.id, SALES, actor=accountant, filename="v.csv")
    session.commit()
    imported = session.scalar(select(ImportedEntriesFile))
    file_row = audit_row(session, imported, "create")
    assert file_row.record_label == f"Imported file v.csv (SHA-256 {imported.sha256[:12]})"
    assert file_row.after["sha256"] == imported.sha256
    entries = session.scalars(select(Entry).where(Entry.ledger_id == ledger.id)).all()
    assert {entry.posted_by_id for entry in entries} == {accountant.id}
    for entry in entries:
        row = audit_row(session, entry, "create")
        assert row.record_label == f"Entry {entry.number}"
        assert row.user_id == accountant.id
        for line in entry.lines:
            line_row = audit_row(session, line, "create")
            assert line_row.record_label.startswith(f"Line of entry #{entry.id}: ")
            assert "posted" not in line_row.after
