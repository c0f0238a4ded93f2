"""Demo bank: a CIH Bank account for COOP-001's books with a statement since the month before
last imported, not yet reconciled (its payments are suggested against the books), an account
fee the books do not have, and the rule "FRAIS -> 6147". Idempotent."""

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting.models import Account, Entry, Ledger, Line
from financial_close import bank
from financial_close.models import BankAccount, BankFormat, BankRule
from gie.money import D

LEDGER_CODE = "COOP-001"
CIH = {
    "name": "CIH Bank",
    "delimiter": ";",
    "decimal_mark": ",",
    "date_format": "%d/%m/%Y",
    "encoding": "cp1252",
    "skip_lines": 1,
    "date_column": "Date opération",
    "label_column": "Libellé",
    "reference_column": "Référence",
    "debit_column": "Débit",
    "credit_column": "Crédit",
    "balance_column": "Solde",
}
ACCOUNT_FEE = D("35.00")
#: the header line of the file, in this order
_COLUMNS = (
    "date_column",
    "label_column",
    "reference_column",
    "debit_column",
    "credit_column",
    "balance_column",
)


def _french(amount) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _statement(session: Session, ledger: Ledger, account: Account, since: date, today: date):
    """The bank's CSV from `since`: the books' bank lines as the bank saw them, but for the
    last two (cheques not cashed yet, left to import and reconcile), and its account fee."""
    debit, credit = session.execute(
        select(func.sum(Line.debit), func.sum(Line.credit)).where(
            Line.account_id == account.id, Line.posted, Line.date < since
        )
    ).one()
    balance = (debit or D(0)) - (credit or D(0))
    lines = session.execute(
        select(Line, Entry)
        .join(Entry, Entry.id == Line.entry_id)
        .where(Line.account_id == account.id, Line.posted, Line.date >= since)
        .order_by(Line.date, Line.id)
    ).all()[:-2]
    rows = []
    for line, entry in lines:
        on = line.date
        if line.debit:
            label, debit, credit = f"VIR RECU {entry.reference}", "", _french(line.debit)
        else:
            label, debit, credit = f"VIR EMIS {entry.reference}", _french(line.credit), ""
        balance += line.debit - line.credit
        rows.append((on, label, entry.reference, debit, credit, balance))
    end = max([since + relativedelta(months=1, days=-1), *(row[0] for row in rows)])
    balance -= ACCOUNT_FEE
    rows.append((min(end, today), "FRAIS TENUE DE COMPTE", "", _french(ACCOUNT_FEE), "", balance))
    text = [f"CIH BANK - Relevé {ledger.name}", ";".join(CIH[key] for key in _COLUMNS)]
    text += [
        f"{on:%d/%m/%Y};{label};{reference};{debit};{credit};{_french(after)}"
        for on, label, reference, debit, credit, after in rows
    ]
    return ("\r\n".join(text) + "\r\n").encode("cp1252")


def load(session: Session, today: date | None = None) -> None:
    today = today or date.today()
    ledger = session.scalar(select(Ledger).where(Ledger.code == LEDGER_CODE))
    if ledger is None or session.scalar(
        select(BankAccount.id).where(BankAccount.ledger_id == ledger.id)
    ):
        return
    bank_format = session.scalar(select(BankFormat).where(BankFormat.name == CIH["name"]))
    if bank_format is None:
        bank_format = bank.save_bank_format(session, CIH)
    if not session.scalar(select(BankRule.id).where(BankRule.ledger_id.is_(None))):
        bank.save_rule(
            session, ledger_id=None, pattern="FRAIS", account_code="6147", label="Frais bancaires"
        )
    bank_account = bank.add_bank_account(
        session,
        ledger.id,
        name="CIH Bank, Bab Taza",
        account_code="5141",
        bank_format_id=bank_format.id,
    )
    since = today.replace(day=1) - relativedelta(months=2)
    content = _statement(session, ledger, bank_account.account, since, today)
    bank.import_statement(session, bank_account.id, content, f"cih-{since:%Y-%m}.csv")
    session.flush()
