"""What the home pages show of the books: the period's result and the treasury."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from accounting.models import Account, Line
from accounting.reports.periods import RESULT_CLASSES
from accounting.reports.sums import as_decimal, money_sum, posted_lines


@dataclass
class ResultAndCash:
    result: Decimal  #: produits minus charges of the period, a loss negative
    cash: Decimal  #: treasury balance (51xx minus 55xx overdrafts) on the last day


def result_and_cash(
    session: Session, ledger_id: int, *, date_from: date, date_to: date
) -> ResultAndCash:
    """The period's result (classes 6, 7, 8) and the treasury on `date_to`, in one query."""
    credit_balance, debit_balance = Line.credit - Line.debit, Line.debit - Line.credit
    in_period = and_(Account.class_number.in_(RESULT_CLASSES), Line.date >= date_from)
    treasury = or_(Account.code.startswith("51"), Account.code.startswith("55"))
    result, cash = session.execute(
        select(money_sum(credit_balance, in_period), money_sum(debit_balance, treasury))
        .join(Account, Account.id == Line.account_id)
        .where(*posted_lines(ledger_id, None, date_to, end_inclusive=True))
    ).one()
    return ResultAndCash(as_decimal(result), as_decimal(cash))
