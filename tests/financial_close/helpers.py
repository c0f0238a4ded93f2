"""Records the financial close tests build alike: a bank statement to hang bank lines on, the
customer's payment of invoice FA-2026-00012, a bank account in the CIH format, a statement of
one line imported today."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from accounting import services as accounting
from accounting.models import Account, Entry
from financial_close import bank
from financial_close.models import BankAccount, BankStatement
from tests.financial_close.test_bank_import import CIH


def bank_statement(
    session, ledger, *, start_on: date, end_on: date, closing_balance: str
) -> BankStatement:
    """An Al Barid Bank account following 5141 with one statement and no line yet."""
    account = session.scalar(
        select(Account).where(Account.ledger_id == ledger.id, Account.code == "5141")
    )
    bank_account = BankAccount(ledger_id=ledger.id, account_id=account.id, name="Al Barid Bank")
    session.add(bank_account)
    session.flush()
    statement = BankStatement(
        ledger_id=ledger.id,
        bank_account_id=bank_account.id,
        source="csv",
        file_sha256="0" * 64,
        start_on=start_on,
        end_on=end_on,
        opening_balance=Decimal("0"),
        closing_balance=Decimal(closing_balance),
    )
    session.add(statement)
    session.flush()
    return statement


def customer_payment(session, ledger_id: int, on: date) -> Entry:
    """The customer's 2,020 MAD for invoice FA-2026-00012, received at the bank."""
    return accounting.record_entry(
        session,
        ledger_id,
        journal_code="BQ",
        entry_date=on,
        label="Encaissement client",
        reference="FA-2026-00012",
        lines=[
            accounting.LineInput("5141", debit=Decimal("2020")),
            accounting.LineInput("3421", credit=Decimal("2020")),
        ],
    )


def cih_account(session, ledger_id: int, name: str):
    """A bank account following 5141, its statements read in the CIH format."""
    cih = bank.save_bank_format(session, CIH)
    return bank.add_bank_account(
        session, ledger_id, name=name, account_code="5141", bank_format_id=cih.id
    )


def imported_one_line(session, ledger, *, label: str, amount: str) -> BankStatement:
    """A bank format named after the ledger (names are unique), a bank account on 5141 and
    a statement of one line dated today, imported through the service."""
    bank_format = bank.save_bank_format(
        session,
        {
            "name": f"Banque {ledger.code}",
            "date_column": "Date",
            "label_column": "Libellé",
            "amount_column": "Montant",
            "delimiter": ";",
            "decimal_mark": ",",
            "date_format": "%d/%m/%Y",
            "encoding": "utf-8",
        },
    )
    account = bank.add_bank_account(
        session, ledger.id, name="Banque test", account_code="5141", bank_format_id=bank_format.id
    )
    amount = Decimal(amount)
    written = f"{amount:.2f}".replace(".", ",")
    content = f"Date;Libellé;Montant\n{date.today():%d/%m/%Y};{label};{written}\n".encode()
    return bank.import_statement(
        session,
        account.id,
        content,
        "releve.csv",
        opening_balance=max(-amount, Decimal("0")),
        closing_balance=max(amount, Decimal("0")),
    ).statement
