"""Importing bank statements: CSV in the bank's remembered format, OFX, balances checked,
the same lines never imported twice."""

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from financial_close import bank, statement_files
from financial_close.models import BankLine, BankStatement
from gie.errors import ImportFailed, ValidationError
from tests.accounting.conftest import ledger, make_ledger  # noqa: F401  (fixtures)

DATA = Path(__file__).parent / "data"

CIH = {
    "name": "CIH Bank",
    "delimiter": ";",
    "decimal_mark": ",",
    "date_format": "%d/%m/%Y",
    "encoding": "cp1252",
    "skip_lines": 2,
    "date_column": "Date opération",
    "label_column": "Libellé",
    "debit_column": "Débit",
    "credit_column": "Crédit",
    "balance_column": "Solde",
    "reference_column": "Référence",
}
ATTIJARI = {
    "name": "Attijariwafa bank",
    "delimiter": ";",
    "decimal_mark": ",",
    "date_format": "%d/%m/%Y",
    "encoding": "utf-8",
    "date_column": "date",
    "label_column": "libelle",
    "amount_column": "Montant",
}


@pytest.fixture
def cih(session):
    return bank.save_bank_format(session, CIH)


@pytest.fixture
def bank_account(session, ledger, cih):  # noqa: F811
    account = bank.add_bank_account(
        session, ledger.id, name="CIH Tétouan", account_code="5141", bank_format_id=cih.id
    )
    session.commit()
    return account


def _count(session, model, bank_account):
    return session.scalar(
        select(func.count()).select_from(model).where(model.bank_account_id == bank_account.id)
    )


def test_french_csv_with_debit_credit_and_balances_is_imported(session, bank_account):
    result = bank.import_statement(
        session, bank_account.id, (DATA / "cih_march.csv").read_bytes(), "cih_march.csv"
    )
    statement = result.statement
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("15000.00"),
        Decimal("15165.00"),
    )
    assert (statement.start_on.isoformat(), statement.end_on.isoformat()) == (
        "2026-03-05",
        "2026-03-31",
    )
    lines = bank.statement_lines(session, statement.id)
    assert [line.amount for line in lines] == [
        Decimal("2020.00"),
        Decimal("-10.00"),
        Decimal("-10.00"),
        Decimal("-1800.00"),
        Decimal("-35.00"),
    ]
    assert lines[3].reference == "0012345"
    assert lines[0].label == "VIR RECU CLIENT FA-2026-00012"
    # two identical fees on one day stay two lines
    assert statement.lines_added == 5


def test_the_same_file_imported_twice_adds_nothing_the_second_time(session, bank_account):
    content = (DATA / "cih_march.csv").read_bytes()
    bank.import_statement(session, bank_account.id, content, "cih_march.csv")
    again = bank.import_statement(session, bank_account.id, content, "cih_march (1).csv")
    assert again.already_imported
    assert (again.lines_added, again.lines_skipped) == (0, 5)
    assert _count(session, BankLine, bank_account) == 5
    assert _count(session, BankStatement, bank_account) == 1


def test_an_overlapping_file_adds_only_the_new_lines(session, bank_account):
    bank.import_statement(
        session, bank_account.id, (DATA / "cih_march.csv").read_bytes(), "cih_march.csv"
    )
    longer = (
        (DATA / "cih_march.csv")
        .read_bytes()
        .replace(
            b"Solde\r\n", "Solde\r\n02/04/2026;VIR RECU;;;100,00;15\xa0265,00\r\n".encode("cp1252")
        )
    )
    result = bank.import_statement(session, bank_account.id, longer, "cih_april.csv")
    assert (result.lines_added, result.lines_skipped) == (1, 5)
    assert result.statement.lines_skipped == 5
    assert _count(session, BankLine, bank_account) == 6


def test_a_balance_that_does_not_follow_refuses_the_file_naming_the_line(session, bank_account):
    content = (DATA / "cih_march.csv").read_bytes().replace(b"15\xa0200,00", b"15\xa0210,00")
    with pytest.raises(ImportFailed) as failure:
        bank.import_statement(session, bank_account.id, content, "bad.csv")
    (line, message), *_ = failure.value.line_errors
    assert line == 5  # the file's line of the cheque, whose balance is wrong
    assert "15200.00" in str(message)
    assert _count(session, BankStatement, bank_account) == 0


def test_unreadable_lines_are_all_named_and_nothing_is_saved(session, bank_account):
    content = (
        (DATA / "cih_march.csv")
        .read_bytes()
        .replace(b"20/03/2026", b"20/13/2026")
        .replace(b"35,00", b"trente")
    )
    with pytest.raises(ImportFailed) as failure:
        bank.import_statement(session, bank_account.id, content, "bad.csv")
    assert [line for line, _ in failure.value.line_errors] == [4, 5]
    assert _count(session, BankLine, bank_account) == 0


def test_csv_without_balances_needs_opening_and_closing_that_add_up(session, ledger):  # noqa: F811
    attijari = bank.save_bank_format(session, ATTIJARI)
    account = bank.add_bank_account(session, ledger.id, name="Attijari", account_code="5141")
    content = (DATA / "attijari_april.csv").read_bytes()
    with pytest.raises(ImportFailed, match="opening and closing"):
        bank.import_statement(session, account.id, content, "a.csv", bank_format_id=attijari.id)
    with pytest.raises(ImportFailed, match="not the closing balance"):
        bank.import_statement(
            session,
            account.id,
            content,
            "a.csv",
            bank_format_id=attijari.id,
            opening_balance=Decimal("1000"),
            closing_balance=Decimal("2000"),
        )
    result = bank.import_statement(
        session,
        account.id,
        content,
        "a.csv",
        bank_format_id=attijari.id,
        opening_balance=Decimal("1000"),
        closing_balance=Decimal("2079.50"),
    )
    assert result.statement.closing_balance == Decimal("2079.50")
    assert [line.amount for line in bank.statement_lines(session, result.statement.id)] == [
        Decimal("1500.00"),
        Decimal("-420.50"),
    ]
    # the format chosen on import is remembered on the bank account
    assert account.bank_format_id == attijari.id


def test_ofx_sgml_statement_takes_ledgerbal_as_closing(session, bank_account):
    content = (DATA / "march.ofx").read_bytes()
    result = bank.import_statement(session, bank_account.id, content, "march.ofx", source="ofx")
    statement = result.statement
    assert statement.closing_balance == Decimal("16985.00")
    assert statement.opening_balance == Decimal("15000.00")
    lines = bank.statement_lines(session, statement.id)
    assert [(line.label, line.reference) for line in lines] == [
        ("VIR RECU CLIENT FA-2026-00012", "202603050001"),
        ("FRAIS TENUE DE COMPTE", "202603310001"),
    ]
    again = bank.import_statement(session, bank_account.id, content, "march.ofx", source="ofx")
    assert again.already_imported


def test_a_damaged_ofx_file_is_refused(session, bank_account):
    with pytest.raises(ImportFailed, match="not an OFX"):
        bank.import_statement(session, bank_account.id, b"<OFX><BROKEN", "x.ofx", source="ofx")


def test_french_amounts_are_read_with_the_format_decimal_mark():
    assert statement_files.parse_amount("1\u00a0234,56", ",") == Decimal("1234.56")
    assert statement_files.parse_amount("1.234,56", ",") == Decimal("1234.56")
    assert statement_files.parse_amount("1,234.56", ".") == Decimal("1234.56")
    assert statement_files.parse_amount("10,00-", ",") == Decimal("-10.00")
    with pytest.raises(ValueError):
        statement_files.parse_amount("dix", ",")


def test_bank_account_must_be_a_class_5_account(session, ledger):  # noqa: F811
    with pytest.raises(ValidationError) as error:
        bank.add_bank_account(session, ledger.id, name="Erreur", account_code="6147")
    assert "class 5" in str(error.value.field_errors["account_code"][0])


def test_bank_format_needs_an_amount_or_debit_and_credit_columns(session):
    data = dict(CIH, debit_column="", credit_column="", name="Sans montant")
    with pytest.raises(ValidationError) as error:
        bank.save_bank_format(session, data)
    assert "amount_column" in error.value.field_errors
