"""Validating a VAT return: saved as computed then, with the entry that settles the VAT
accounts by exactly what the return read from each, all or nothing."""

from datetime import date

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from accounting.services import LineInput, lock_ledger, record_entry
from financial_close.models import VatReturn, VatReturnLine
from financial_close.vat_periods import (
    books_start,
    covering_return,
    period_of,
    returns_start,
    validated_returns,
)
from financial_close.vat_return import KINDS, VatReturnDraft, compute_return
from financial_close.vat_settings import VatAccounts, VatReturnRefused
from gie.money import ZERO


def _settlement_lines(draft: VatReturnDraft, accounts: VatAccounts) -> list[LineInput]:
    """Each account read cleared by what the return read from it (the collected ones
    debited, the deductible ones credited), the credit used taken from the credit account,
    and the balance to the VAT due account or carried on the credit account; positive
    amounts are debits."""
    label = str(_l("VAT return"))
    amounts = [
        (read.code, read.amount if read.kind == "collected" else -read.amount)
        for read in draft.accounts_read
    ] + [
        (accounts.credit, -draft.previous_credit),
        (accounts.due, -draft.line_200),
        (accounts.credit, draft.line_201),
    ]
    return [
        LineInput(code, debit=max(amount, ZERO), credit=max(-amount, ZERO), label=label)
        for code, amount in amounts
        if amount
    ]


def validate_return(
    session: Session,
    ledger_id: int,
    period_start: date,
    *,
    actor,
    today: date | None = None,
    confirm_left_out: bool = False,
) -> VatReturn:
    """Save the period's return as computed now and post the entry that settles the VAT
    accounts (journal OD, dated the period's last day), all or nothing. In the regime of
    collection, invoices unpaid or payments unmatched in the period are left out of the
    return: `confirm_left_out` says the accountant knows it.

    Raises VatReturnRefused (already validated, not ended, the previous period not validated,
    entries to check, lines left out not confirmed), PostingRefused (the books refuse the
    date), ValidationError (a settlement account missing from the chart), NotFound.
    """
    today = today or date.today()
    with session.begin_nested():
        ledger = lock_ledger(session, ledger_id)
        start, end = period_of(ledger, period_start)
        returns = validated_returns(session, ledger.id)
        if covering_return(returns, start, end):
            raise VatReturnRefused(_l("The return of this period is validated already."))
        if end >= today:
            raise VatReturnRefused(_l("The period has not ended yet."))
        first_day = returns_start(session, ledger) or books_start(session, ledger.id)
        if first_day is None or end < first_day:
            raise VatReturnRefused(_l("The books start after this period."))
        day_before = start - relativedelta(days=1)
        if day_before >= first_day and covering_return(returns, day_before, day_before) is None:
            raise VatReturnRefused(
                _l("Validate the returns in order: the previous period is not validated yet.")
            )
        draft = compute_return(session, ledger.id, start, end)
        if draft.to_check:
            raise VatReturnRefused(
                _l("Some entries have a VAT rate to check: correct them before validating.")
            )
        if draft.left_out and not confirm_left_out:
            raise VatReturnRefused(
                _l(
                    "Invoices unpaid or payments unmatched in this period are left out of the "
                    "return: match them, or confirm that the return leaves them out."
                )
            )
        vat_return = VatReturn(
            ledger_id=ledger.id,
            period_start=start,
            period_end=end,
            regime=draft.regime,
            collected=draft.line_130,
            deductible_fixed_assets=draft.deductible_fixed_assets,
            deductible_expenses=draft.deductible_expenses,
            previous_credit=draft.previous_credit,
            due=draft.line_200,
            credit=draft.line_201,
            validated_by_id=getattr(actor, "id", None),
            lines=[
                VatReturnLine(kind=kind, rate=amounts.rate, base=amounts.base, tax=amounts.tax)
                for kind in KINDS
                for amounts in draft.by_rate[kind]
            ],
        )
        lines = _settlement_lines(draft, VatAccounts.of(ledger))
        if lines:
            vat_return.entry_id = record_entry(
                session,
                ledger.id,
                journal_code="OD",
                entry_date=end,
                label=str(
                    _l(
                        "VAT return %(start)s – %(end)s",
                        start=start.isoformat(),
                        end=end.isoformat(),
                    )
                ),
                lines=lines,
                actor=actor,
            ).id
        session.add(vat_return)
        session.flush()
    return vat_return
