"""Postings of billing documents and payments in the books: the GIE's, and the mirror entries
in a member cooperative's books when the GIE keeps them; and the matching (lettrage) of
what a payment or credit note settles."""

from collections import defaultdict
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting import matching
from accounting.models import GIE_LEDGER_CODE, Account, Ledger, Line
from accounting.services import LineInput
from billing.models import (
    Customer,
    Invoice,
    Payment,
    Service,
)
from billing.services.refusals import BillingRefused
from gie.money import HUNDRED, ZERO, D

#: where the GIE's invoices land in a member cooperative's books, by service category
EXPENSE_ACCOUNTS = {"membership_fee": "6146"}
DEFAULT_EXPENSE_ACCOUNT = "6136"
CUSTOMER_ACCOUNT, SUPPLIER_ACCOUNT = "3421", "4411"
VAT_COLLECTED, VAT_DEDUCTIBLE = "4455", "34552"
PAYMENT_ACCOUNTS = {"transfer": ("BQ", "5141"), "cheque": ("BQ", "5141"), "cash": ("CA", "5161")}


def gie_ledger(session: Session) -> Ledger:
    ledger = session.scalar(select(Ledger).where(Ledger.code == GIE_LEDGER_CODE))
    if ledger is None:
        raise BillingRefused(_l("Open the GIE's books first: documents are posted in them."))
    return ledger


def mirror_ledger(session: Session, customer: Customer) -> Ledger | None:
    """The customer cooperative's books, when the GIE keeps them."""
    if customer.cooperative_id is None:
        return None
    return session.scalar(select(Ledger).where(Ledger.cooperative_id == customer.cooperative_id))


def document_lines(
    session: Session, invoice: Invoice, sign: int
) -> tuple[list[LineInput], list[LineInput]]:
    """The GIE's lines (customer / income / VAT collected) and the mirror's (expense /
    deductible VAT / supplier GIE); `sign` -1 for a credit note swaps every side. Base and VAT
    lines carry their rate, which the VAT return reads."""

    def side(
        amount: Decimal, debit: bool, code: str, partner: str = "", rate: Decimal | None = None
    ) -> LineInput:
        debit = debit if sign > 0 else not debit
        return LineInput(
            code,
            debit=amount if debit else ZERO,
            credit=ZERO if debit else amount,
            partner=partner,
            vat_rate=rate,
        )

    code = invoice.customer.code
    categories = dict(
        session.execute(
            select(Service.id, Service.category).where(
                Service.id.in_([line.service_id for line in invoice.lines])
            )
        ).all()
    )
    income: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    expense: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    net_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in invoice.lines:
        income[line.income_account, line.vat_rate] += line.net_amount
        category = categories.get(line.service_id, "other")
        account = EXPENSE_ACCOUNTS.get(category, DEFAULT_EXPENSE_ACCOUNT)
        expense[account, line.vat_rate] += line.net_amount
        net_by_rate[line.vat_rate] += line.net_amount
    gie = [side(invoice.total_gross, True, CUSTOMER_ACCOUNT, code)]
    gie += [side(amount, False, *key_rate) for key_rate, amount in _with_rates(income)]
    mirror = [side(amount, True, *key_rate) for key_rate, amount in _with_rates(expense)]
    for rate, net in sorted(net_by_rate.items()):
        vat = D(net * rate / HUNDRED)
        if vat:
            gie.append(side(vat, False, VAT_COLLECTED, "", rate))
            mirror.append(side(vat, True, VAT_DEDUCTIBLE, "", rate))
    mirror.append(side(invoice.total_gross, False, SUPPLIER_ACCOUNT, GIE_LEDGER_CODE))
    return gie, mirror


def _with_rates(amounts: dict[tuple[str, Decimal], Decimal]):
    """(account, "", rate), amount for each non-zero amount: the arguments `side` takes."""
    return [((account, "", rate), amount) for (account, rate), amount in amounts.items() if amount]


def match_settlement(
    session: Session, invoice: Invoice, settling: Payment | Invoice, amount: Decimal, *, actor
) -> None:
    """Lettrage of what billing settles: `amount` of the invoice's customer line in the GIE's
    books matched with the customer line of the payment or credit note (`settling`), and
    likewise on the supplier account of the cooperative's mirror books when both were posted
    there. Capped at what is left of either line: an accountant may have matched some by hand.
    """
    pairs = (
        (invoice.gie_entry_id, settling.gie_entry_id, CUSTOMER_ACCOUNT, invoice.customer.code),
        (settling.mirror_entry_id, invoice.mirror_entry_id, SUPPLIER_ACCOUNT, GIE_LEDGER_CODE),
    )
    for debit_entry_id, credit_entry_id, code, partner in pairs:
        if debit_entry_id is None or credit_entry_id is None:
            continue
        lines = dict(
            session.execute(
                select(Line.entry_id, Line)
                .join(Account, Account.id == Line.account_id)
                .where(
                    Line.entry_id.in_((debit_entry_id, credit_entry_id)),
                    Account.code == code,
                    Line.partner == partner,
                )
            ).all()
        )
        debit, credit = lines.get(debit_entry_id), lines.get(credit_entry_id)
        if debit is None or credit is None:
            continue
        done = matching.matched_amounts(session, [debit.id, credit.id])
        share = min(
            amount,
            matching.remaining(debit, done[debit.id]),
            matching.remaining(credit, done[credit.id]),
        )
        if share > 0:
            matching.match_pair(session, debit.id, credit.id, share, actor=actor)
