"""Export of posted entries: CSV in the import's format, and the hledger journal format, so
that an auditor can cross-check our balances with an independent tool.

Both stream one joined SELECT of posted lines in posting order; no ORM object is loaded.
"""

import io
import re
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from accounting.importers import COLUMNS
from accounting.models import Account, Entry, Journal, Ledger, Line
from gie.money import CENT
from gie.tabular import INTERNATIONAL, CsvDialect, write_csv

BATCH = 2000


def _posted_lines(session: Session, ledger_id: int) -> Iterator[Row]:
    """Every line of the ledger's posted entries, in posting order, streamed."""
    statement = (
        select(
            Entry.number,
            Entry.date,
            Journal.code.label("journal"),
            Entry.label.label("entry_label"),
            Entry.reference,
            Account.code.label("account"),
            Account.label.label("account_label"),
            Line.label,
            Line.partner,
            Line.debit,
            Line.credit,
        )
        .select_from(Line)
        .join(Entry, Line.entry_id == Entry.id)
        .join(Journal, Entry.journal_id == Journal.id)
        .join(Account, Line.account_id == Account.id)
        .where(Entry.ledger_id == ledger_id, Entry.state == "posted")
        .order_by(Entry.chain_index, Line.position, Line.id)
        .execution_options(yield_per=BATCH)
    )
    with closing(session.execute(statement)) as result:
        yield from result


def _amount(value: Decimal) -> Decimal | None:
    return value.quantize(CENT) if value else None


def export_csv(session: Session, ledger_id: int, dialect: CsvDialect = INTERNATIONAL) -> str:
    """The posted entries as CSV in the import's format, in either dialect (ISO dates):
    re-imported into empty books, it gives the same trial balance."""

    def rows():
        for row in _posted_lines(session, ledger_id):
            values = {
                "entry": row.number,
                "date": row.date,
                "journal": row.journal,
                "account": row.account,
                "label": row.label,
                "debit": _amount(row.debit),
                "credit": _amount(row.credit),
                "reference": row.reference,
                "partner": row.partner,
                "account_label": row.account_label,
            }
            yield [values[column] for column in COLUMNS]

    return write_csv(COLUMNS, rows(), dialect)


# --- hledger -----------------------------------------------------------------------------

COMMODITY = "MAD"
_SPACES = re.compile(r"\s+")


def _text(value: str) -> str:
    """One line of text that hledger reads as written: `;` would open a comment, a tab or two
    spaces would end an account name."""
    return _SPACES.sub(" ", value.replace(";", ",")).strip()


def _account_name(code: str, label: str) -> str:
    """`5141 Banques`; a `:` would make hledger see a parent account, so it becomes ` - `."""
    return _text(f"{code} {label}".replace(":", " - "))


def export_hledger(session: Session, ledger_id: int) -> str:
    """The posted entries in the hledger journal format (https://hledger.org/journal.html):
    one transaction per entry, `YYYY-MM-DD (NUMBER) label`, one posting per line with the
    account `CODE Label` and the amount in MAD, debits positive and credits negative."""
    ledger = session.get(Ledger, ledger_id)
    out = io.StringIO()
    out.write(f"; Books of {_text(ledger.code)} ({_text(ledger.name)}): posted entries\n")
    out.write(f"; amounts in {COMMODITY}, debit positive, credit negative\n\n")
    out.write(f"commodity 1000.00 {COMMODITY}\n")
    number = None
    entry_label = ""
    for row in _posted_lines(session, ledger_id):
        if row.number != number:
            number, entry_label = row.number, _text(row.entry_label)
            reference = f"  ; reference: {_text(row.reference)}" if row.reference else ""
            out.write(f"\n{row.date.isoformat()} ({number}) {entry_label}{reference}\n")
        amount = row.debit - row.credit
        posting = f"    {_account_name(row.account, row.account_label)}  {amount:.2f} {COMMODITY}"
        comments = []
        label = _text(row.label)
        if label and label != entry_label:
            comments.append(label)
        if row.partner:
            comments.append(f"partner: {_text(row.partner).replace(',', ' ')}")
        if comments:
            posting += "  ; " + ", ".join(comments)
        out.write(posting + "\n")
    return out.getvalue()
