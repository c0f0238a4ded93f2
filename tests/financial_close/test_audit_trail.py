"""Importing a bank statement and reconciling its lines leave audit rows naming the records
and whoever acted."""

from sqlalchemy import select

from financial_close import bank
from financial_close.models import Reconciliation
from gie.audit.services import acting_as
from tests.accounting.conftest import ledger, make_ledger, post  # noqa: F401  (fixtures)
from tests.audit import audit_row
from tests.financial_close.helpers import cih_account
from tests.financial_close.test_bank_import import DATA
from tests.financial_close.test_reconciliation import books  # noqa: F401  (fixture)


def test_a_statement_import_is_audited_with_its_file_and_lines(session, ledger, make_user):  # noqa: F811
    accountant = make_user("accountant")
    account = cih_account(session, ledger.id, "CIH")
    with acting_as(accountant.id):
        result = bank.import_statement(
            session, account.id, (DATA / "cih_march.csv").read_bytes(), "cih_march.csv"
        )
    session.commit()
    statement = result.statement
    row = audit_row(session, statement, "create")
    assert row.record_label.startswith(f"Bank statement {statement.start_on} – ")
    assert row.record_label.endswith("cih_march.csv")
    assert row.after["file_sha256"] == statement.file_sha256
    assert row.user_id == accountant.id
    for line in bank.statement_lines(session, statement.id):
        line_row = audit_row(session, line, "create")
        assert line_row.record_label == f"Bank line {line.date} {line.amount} {line.label}"
        assert line_row.user_id == accountant.id


def test_reconciling_a_line_is_audited(session, books):  # noqa: F811
    accountant = books["accountant"]
    receipt = books["receipt"]
    with acting_as(accountant.id):
        bank.reconcile(session, receipt.id, [books["invoice_line"].id], actor=accountant)
    session.commit()
    [reconciliation] = session.scalars(
        select(Reconciliation).where(Reconciliation.bank_line_id == receipt.id)
    ).all()
    row = audit_row(session, reconciliation, "create")
    assert row.record_label == (
        f"Reconciliation of bank line #{receipt.id} with line #{books['invoice_line'].id}"
    )
    assert row.user_id == accountant.id
    marked = audit_row(session, receipt, "update")
    assert marked.after["reconciled_by_id"] == accountant.id
    assert marked.user_id == accountant.id
