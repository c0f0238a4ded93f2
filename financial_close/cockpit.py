"""The accountant's cockpit: what waits in every ledger, read with a fixed number of grouped
queries over all ledgers at once (there may be two hundred of them)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session

from accounting.models import GIE_LEDGER_CODE, Entry, FiscalYear, Ledger
from financial_close import vat_periods
from financial_close.models import BankLine, Document, VatReturn
from gie.cooperatives.models import Cooperative
from gie.tabular import Table


@dataclass
class CockpitRow:
    ledger_id: int
    code: str
    name: str
    lock_date: date | None
    drafts: int = 0
    unreconciled: int = 0
    last_reconciled_on: date | None = None
    #: the oldest ended VAT period without a validated return: (start, end, filing deadline)
    vat_due: tuple[date, date, date] | None = None
    vat_overdue: bool = False
    #: ended fiscal years still open, and the oldest of them
    open_years: int = 0
    oldest_open_year: str | None = None
    oldest_open_year_id: int | None = None
    undocumented: int = 0

    @property
    def work(self) -> int:
        """How much waits: the counts, plus one for a VAT return due."""
        return (
            self.drafts
            + self.unreconciled
            + self.open_years
            + self.undocumented
            + (1 if self.vat_due else 0)
        )

    @property
    def needs_attention(self) -> bool:
        return self.work > 0


@dataclass
class CockpitTotals:
    ledgers: int
    drafts: int
    unreconciled: int
    vat_due: int
    vat_overdue: int
    open_years: int
    undocumented: int


def _ledgers(session: Session, search: str):
    statement = (
        select(Ledger.id, Ledger.code, func.coalesce(Cooperative.name, Ledger.name), Ledger)
        .outerjoin(Cooperative, Cooperative.id == Ledger.cooperative_id)
        .order_by(Ledger.code)
    )
    if search.strip():
        pattern = f"%{search.strip()}%"
        statement = statement.where(
            or_(
                Ledger.code.ilike(pattern),
                Ledger.name.ilike(pattern),
                Cooperative.name.ilike(pattern),
            )
        )
    return session.execute(statement).all()


def _next_vat_return(ledger: Ledger, first_vat: date | None, validated: set[date], today: date):
    """`vat_periods.next_return_due` from data read for every ledger at once: the same periods, the
    same deadline."""
    if first_vat is None:
        return None
    first_day = vat_periods.period_containing(ledger, first_vat)[0]
    for year in range(first_day.year, today.year + 1):
        for start, end in vat_periods.vat_periods(ledger, year):
            if first_day <= end < today and start not in validated:
                return start, end, vat_periods.filing_deadline(end)
    return None


def cockpit(
    session: Session, today: date, *, search: str = "", attention_only: bool = False
) -> list[CockpitRow]:
    """One row per ledger (the GIE's and each cooperative's), matching `search` on the code or
    the cooperative's name, sorted by most work first, then code."""
    found = _ledgers(session, search)
    rows = {
        ledger_id: CockpitRow(ledger_id, code, name, ledger.lock_date)
        for ledger_id, code, name, ledger in found
    }
    ledgers = {ledger.id: ledger for *_, ledger in found}
    if not rows:
        return []
    ids = list(rows)

    drafts = session.execute(
        select(Entry.ledger_id, func.count())
        .where(Entry.ledger_id.in_(ids), Entry.state == "draft")
        .group_by(Entry.ledger_id)
    )
    for ledger_id, count in drafts:
        rows[ledger_id].drafts = count

    bank = session.execute(
        select(
            BankLine.ledger_id,
            func.count(case((BankLine.reconciled_at.is_(None), BankLine.id))),
            func.max(case((BankLine.reconciled_at.is_not(None), BankLine.date))),
        )
        .where(BankLine.ledger_id.in_(ids))
        .group_by(BankLine.ledger_id)
    )
    for ledger_id, unreconciled, last_reconciled_on in bank:
        rows[ledger_id].unreconciled = unreconciled
        rows[ledger_id].last_reconciled_on = last_reconciled_on

    undocumented = session.execute(
        select(Entry.ledger_id, func.count())
        .where(
            Entry.ledger_id.in_(ids),
            Entry.state == "posted",
            ~exists().where(Document.entry_id == Entry.id),
        )
        .group_by(Entry.ledger_id)
    )
    for ledger_id, count in undocumented:
        rows[ledger_id].undocumented = count

    open_years = session.execute(
        select(FiscalYear.ledger_id, FiscalYear.id, FiscalYear.name)
        .where(
            FiscalYear.ledger_id.in_(ids),
            FiscalYear.end_on < today,
            FiscalYear.closed.is_(False),
        )
        .order_by(FiscalYear.ledger_id, FiscalYear.start_on)
    )
    for ledger_id, year_id, name in open_years:
        row = rows[ledger_id]
        row.open_years += 1
        if row.oldest_open_year is None:
            row.oldest_open_year, row.oldest_open_year_id = name, year_id

    first_vat = vat_periods.first_vat_dates(session, ids)
    validated = defaultdict(set)
    for ledger_id, start in session.execute(
        select(VatReturn.ledger_id, VatReturn.period_start).where(VatReturn.ledger_id.in_(ids))
    ):
        validated[ledger_id].add(start)
    for ledger_id, row in rows.items():
        row.vat_due = _next_vat_return(
            ledgers[ledger_id], first_vat.get(ledger_id), validated[ledger_id], today
        )
        row.vat_overdue = row.vat_due is not None and row.vat_due[2] < today

    result = [row for row in rows.values() if row.needs_attention or not attention_only]
    # The GIE's own books first among equals: it is the accountant's own house.
    result.sort(key=lambda row: (-row.work, row.code != GIE_LEDGER_CODE, row.code))
    return result


def totals(rows: list[CockpitRow]) -> CockpitTotals:
    return CockpitTotals(
        ledgers=len(rows),
        drafts=sum(row.drafts for row in rows),
        unreconciled=sum(row.unreconciled for row in rows),
        vat_due=sum(1 for row in rows if row.vat_due),
        vat_overdue=sum(1 for row in rows if row.vat_overdue),
        open_years=sum(row.open_years for row in rows),
        undocumented=sum(row.undocumented for row in rows),
    )


def cockpit_table(rows: list[CockpitRow], headers: list[str], title: str, total: str) -> Table:
    """The cockpit as a table for download, with its total row labelled `total`."""
    summed = totals(rows)
    return Table(
        title=title,
        headers=headers,
        rows=[
            [
                row.code,
                row.name,
                row.drafts,
                row.unreconciled,
                row.last_reconciled_on,
                *(row.vat_due or (None, None, None)),
                row.oldest_open_year,
                row.open_years,
                row.undocumented,
                row.lock_date,
            ]
            for row in rows
        ],
        totals=[
            total,
            None,
            summed.drafts,
            summed.unreconciled,
            None,
            None,
            None,
            None,
            None,
            summed.open_years,
            summed.undocumented,
            None,
        ],
    )
