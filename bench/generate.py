"""A realistic dataset for the benchmarks: member cooperatives with open books (through the
services), then posted entries spread over their ledgers and fiscal years.

Entries go through `accounting.importers.post_entries`, the bulk posting path of the CSV
import: the same checks, gapless numbers per journal and year, hash chain (`services.digest`)
and Core bulk inserts as a real import, so `flask accounting verify` passes on every ledger.
One ledger is built, posted and committed at a time: memory stays at one ledger's entries.

The activity of the cooperatives is skewed (log-normal): with the defaults the busiest holds
about 4 % of the lines (some 40,000), the median one about 0.3 %. Each ledger has monthly
payroll, social security and VAT entries when it is busy enough, and otherwise a mix of sales
(3421/7121/4455), purchases (6121/34552/4411), bank receipts and payments (5141 against
customers and suppliers), cash sales, overheads and bank fees, each of 2 to 4 lines.

Receipts and payments are then matched (lettrage) with the invoices of their partner, oldest
first, in one bulk insert per ledger: most invoices end fully matched, some partially, the
recent ones open, and about one payment in ten is left unallocated.
"""

import csv
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from time import perf_counter

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from accounting import importers, services, vat_rates
from accounting.models import Account, Line, Match
from bench import databases
from gie.cooperatives import services as cooperative_services
from gie.cooperatives.models import FILIERES, PROVINCES
from gie.db import make_engine
from gie.demo import ice_for
from gie.money import ZERO

FIRST_YEAR = 2023
SEED = 2026

#: a draft line: account code, debit and credit in centimes, partner code
DraftLine = tuple[str, int, int, str]


@dataclass
class Draft:
    """An entry to post, in plain values (amounts in centimes)."""

    on: date
    journal: str
    label: str
    reference: str
    lines: list[DraftLine]


@dataclass
class LedgerInfo:
    id: int
    code: str
    entries: int
    lines: int
    matches: int = 0


@dataclass
class Dataset:
    first_year: int
    years: int
    ledgers: list[LedgerInfo] = field(default_factory=list)
    seconds: float = 0.0  #: generation, from the empty migrated database to the last commit
    settle_seconds: float = 0.0  #: VACUUM ANALYZE on PostgreSQL

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1

    @property
    def lines(self) -> int:
        return sum(ledger.lines for ledger in self.ledgers)

    @property
    def entries(self) -> int:
        return sum(ledger.entries for ledger in self.ledgers)

    @property
    def matches(self) -> int:
        return sum(ledger.matches for ledger in self.ledgers)

    def busiest(self) -> LedgerInfo:
        return max(self.ledgers, key=lambda ledger: (ledger.lines, ledger.code))

    def typical(self) -> LedgerInfo:
        """The ledger of median size."""
        ordered = sorted(self.ledgers, key=lambda ledger: (ledger.lines, ledger.code))
        return ordered[len(ordered) // 2]


# --- what a cooperative's year looks like ----------------------------------------------------


class Activity:
    """Draft entries of one ledger: deterministic for a seed and a ledger code."""

    EXPENSES = (
        ("6131", "Loyer de l'atelier"),
        ("6133", "Entretien et réparations du matériel"),
        ("6134", "Prime d'assurance multirisque"),
        ("6142", "Transport de marchandises"),
        ("6145", "Téléphone et internet"),
        ("6125", "Fournitures de bureau"),
        ("6126", "Prestations de services"),
    )

    def __init__(self, seed: str, cooperatives: int):
        self.rng = random.Random(seed)
        members = max(1, cooperatives)
        rng = self.rng
        self.customers = [f"CLI-{number:04d}" for number in range(1, rng.randint(8, 60))]
        self.customers += [f"COOP-{rng.randint(1, members):03d}" for _ in range(3)]
        self.suppliers = [f"FRS-{number:03d}" for number in range(1, rng.randint(4, 25))]
        self.suppliers.append("GIE")
        self.counters: dict[str, int] = {}
        # (weight, builder) of the entries that come at no fixed date
        self.kinds: list[tuple[int, Callable[[date], Draft]]] = [
            (24, self.sale),
            (20, self.receipt),
            (16, self.purchase),
            (14, self.payment),
            (8, self.expense),
            (5, self.purchase_two_items),
            (5, self.cash_sale),
            (3, self.cash_deposit),
            (3, self.bank_fees),
        ]
        self.weights = [weight for weight, _kind in self.kinds]

    def _next(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:06d}"

    def _amount(self, low_mad: int, high_mad: int) -> int:
        return self.rng.randint(low_mad * 100, high_mad * 100)

    # 2-line entries
    def receipt(self, on: date) -> Draft:
        customer = self.rng.choice(self.customers)
        amount = self._amount(100, 18_000)
        reference = self._next(self.rng.choice(("VIR", "CHQ", "EFF")))
        return Draft(
            on,
            "BQ",
            f"Encaissement {customer} {reference}",
            reference,
            [("5141", amount, 0, ""), ("3421", 0, amount, customer)],
        )

    def payment(self, on: date) -> Draft:
        supplier = self.rng.choice(self.suppliers)
        amount = self._amount(100, 10_000)
        reference = self._next("CHQ")
        return Draft(
            on,
            "BQ",
            f"Règlement {supplier} {reference}",
            reference,
            [("4411", amount, 0, supplier), ("5141", 0, amount, "")],
        )

    def cash_deposit(self, on: date) -> Draft:
        amount = self._amount(200, 5_000)
        return Draft(
            on,
            "BQ",
            "Versement des espèces en banque",
            self._next("BV"),
            [("5141", amount, 0, ""), ("5161", 0, amount, "")],
        )

    # 3-line entries
    def sale(self, on: date) -> Draft:
        customer = self.rng.choice(self.customers)
        net = self._amount(150, 15_000)
        vat = net // 5
        reference = self._next("FV")
        return Draft(
            on,
            "VT",
            f"Facture {reference} {customer}",
            reference,
            [("3421", net + vat, 0, customer), ("7121", 0, net, ""), ("4455", 0, vat, "")],
        )

    def purchase(self, on: date) -> Draft:
        supplier = self.rng.choice(self.suppliers)
        net = self._amount(100, 9_000)
        vat = net // 5
        reference = self._next("FA")
        return Draft(
            on,
            "AC",
            f"Achat de matières premières {supplier}",
            reference,
            [("6121", net, 0, ""), ("34552", vat, 0, ""), ("4411", 0, net + vat, supplier)],
        )

    def expense(self, on: date) -> Draft:
        supplier = self.rng.choice(self.suppliers)
        account, label = self.rng.choice(self.EXPENSES)
        net = self._amount(50, 3_000)
        vat = net // 5
        return Draft(
            on,
            "AC",
            f"{label} {supplier}",
            self._next("FA"),
            [(account, net, 0, ""), ("34552", vat, 0, ""), ("4411", 0, net + vat, supplier)],
        )

    def cash_sale(self, on: date) -> Draft:
        net = self._amount(50, 2_000)
        vat = net // 5
        return Draft(
            on,
            "CA",
            "Ventes au comptant",
            self._next("TK"),
            [("5161", net + vat, 0, ""), ("7121", 0, net, ""), ("4455", 0, vat, "")],
        )

    def bank_fees(self, on: date) -> Draft:
        fees = self._amount(10, 200)
        vat = fees // 10
        return Draft(
            on,
            "BQ",
            "Frais et commissions bancaires",
            self._next("AV"),
            [("6147", fees, 0, ""), ("34552", vat, 0, ""), ("5141", 0, fees + vat, "")],
        )

    def vat_return(self, on: date) -> Draft:
        collected = self._amount(500, 20_000)
        deductible = collected * self.rng.randint(30, 90) // 100
        return Draft(
            on,
            "OD",
            f"Déclaration de TVA {on:%m/%Y}",
            self._next("TVA"),
            [
                ("4455", collected, 0, ""),
                ("34552", 0, deductible, ""),
                ("5141", 0, collected - deductible, ""),
            ],
        )

    # 4-line entries
    def purchase_two_items(self, on: date) -> Draft:
        supplier = self.rng.choice(self.suppliers)
        materials, supplies = self._amount(100, 6_000), self._amount(20, 1_500)
        vat = (materials + supplies) // 5
        return Draft(
            on,
            "AC",
            f"Achat de matières et fournitures {supplier}",
            self._next("FA"),
            [
                ("6121", materials, 0, ""),
                ("6122", supplies, 0, ""),
                ("34552", vat, 0, ""),
                ("4411", 0, materials + supplies + vat, supplier),
            ],
        )

    def payroll(self, on: date) -> Draft:
        gross = self._amount(8_000, 60_000)
        employee = gross * 448 // 10_000  # CNSS and AMO withheld
        employer = gross * 2_109 // 10_000
        return Draft(
            on,
            "OD",
            f"Salaires {on:%m/%Y}",
            f"PAIE-{on:%Y%m}",
            [
                ("6171", gross, 0, ""),
                ("6174", employer, 0, ""),
                ("4441", 0, employee + employer, ""),
                ("4432", 0, gross - employee, ""),
            ],
        )

    # --- a ledger's entries

    def drafts(self, lines: int, first_year: int, years: int) -> list[Draft]:
        """About `lines` lines (exactly, when `lines` >= 2) of entries in date order."""
        first_day, last_day = date(first_year, 1, 1), date(first_year + years, 1, 1)
        days = (last_day - first_day).days
        rng = self.rng
        capital = self._amount(10_000, 200_000)
        drafts = [
            Draft(
                first_day,
                "BQ",
                "Libération du capital social",
                "PV-AG",
                [("5141", capital, 0, ""), ("1111", 0, capital, "")],
            )
        ]
        remaining = lines - 2
        if remaining == 1:  # no 1-line entry: one 3-line entry instead
            drafts, remaining = [], 3
        if remaining >= 3 * 11 * 12 * years:  # busy enough for a payroll: 11 lines a month
            for month in range(12 * years):
                start = date(first_year + month // 12, month % 12 + 1, 1)
                payroll = self.payroll(start.replace(day=28))
                paid = payroll.lines[3][2]
                social = payroll.lines[2][2]
                drafts.append(payroll)
                drafts.append(
                    Draft(
                        start.replace(day=28) + timedelta(days=2),
                        "BQ",
                        f"Virement des salaires {start:%m/%Y}",
                        f"VIR-PAIE-{start:%Y%m}",
                        [("4432", paid, 0, ""), ("5141", 0, paid, "")],
                    )
                )
                due = start + timedelta(days=40)  # the 10th of next month
                if due < last_day:
                    drafts.append(
                        Draft(
                            due,
                            "BQ",
                            f"Règlement CNSS {start:%m/%Y}",
                            f"CNSS-{start:%Y%m}",
                            [("4441", social, 0, ""), ("5141", 0, social, "")],
                        )
                    )
                    drafts.append(self.vat_return(due + timedelta(days=10)))
            remaining -= sum(len(draft.lines) for draft in drafts) - 2
        kinds = [kind for _weight, kind in self.kinds]
        by_size = {2: self.receipt, 3: self.sale, 4: self.purchase_two_items}
        while remaining > 0:
            on = first_day + timedelta(days=rng.randrange(days))
            if remaining <= 4:
                draft = by_size[remaining](on)
            else:
                draft = rng.choices(kinds, self.weights)[0](on)
                if remaining - len(draft.lines) == 1:
                    draft = self.receipt(on)
            drafts.append(draft)
            remaining -= len(draft.lines)
        drafts.sort(key=lambda draft: draft.on)
        return drafts


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2) if cents else ZERO


def to_post(drafts: list[Draft]) -> list[importers.EntryToPost]:
    """The drafts as `post_entries` takes them (line labels empty: the entry's label)."""
    entries = []
    number = 1
    for key, draft in enumerate(drafts, start=1):
        entry = importers.EntryToPost(
            str(key), number, draft.journal, draft.on, draft.label, draft.reference
        )
        for account, debit, credit, partner in draft.lines:
            entry.lines.append(
                importers.LineToPost(number, account, _money(debit), _money(credit), "", partner)
            )
            number += 1
        entries.append(entry)
    return entries


def _csv_amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}" if cents else ""


def write_csv(path: Path, drafts: list[Draft]) -> int:
    """The drafts as an import file (the CSV export's columns); returns its line count."""
    written = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ("entry", "date", "journal", "account", "label", "debit", "credit", "reference")
            + ("partner",)
        )
        for key, draft in enumerate(drafts, start=1):
            for account, debit, credit, partner in draft.lines:
                writer.writerow(
                    (
                        f"E{key:06d}",
                        draft.on.isoformat(),
                        draft.journal,
                        account,
                        draft.label,
                        _csv_amount(debit),
                        _csv_amount(credit),
                        draft.reference,
                        partner,
                    )
                )
                written += 1
    return written


#: the partner accounts matched, and the side of their invoices: customers' invoices are debits
#: settled by receipts (credits), suppliers' are credits settled by payments (debits)
MATCHED_ACCOUNTS = (("3421", "debit"), ("4411", "credit"))
#: share of the payments left unallocated (an open credit of the partner)
UNALLOCATED = 0.1


def match_payments(session: Session, ledger_id: int, rng: random.Random) -> int:
    """Match each payment of a partner with its open invoices dated on or before it, oldest
    first, as far as the payment goes (the last invoice it reaches may stay partly open);
    one bulk insert of the Match rows. Returns how many were inserted."""
    rows = []
    for code, invoice_side in MATCHED_ACCOUNTS:
        account_id = session.scalar(
            select(Account.id).where(Account.ledger_id == ledger_id, Account.code == code)
        )
        lines = session.execute(
            select(Line.id, Line.partner, Line.debit, Line.credit)
            .where(Line.account_id == account_id, Line.posted.is_(True), Line.partner != "")
            .order_by(Line.partner, Line.date, Line.id)
        )
        partner, invoices = None, deque()
        for line_id, line_partner, debit, credit in lines:
            if line_partner != partner:
                partner, invoices = line_partner, deque()
            is_invoice = (debit if invoice_side == "debit" else credit) > 0
            if is_invoice:
                invoices.append([line_id, debit + credit])
                continue
            left = debit + credit
            if rng.random() < UNALLOCATED:
                continue
            while invoices and left > 0:
                invoice = invoices[0]
                amount = min(invoice[1], left)
                debit_id, credit_id = (
                    (invoice[0], line_id) if invoice_side == "debit" else (line_id, invoice[0])
                )
                rows.append(
                    {
                        "ledger_id": ledger_id,
                        "account_id": account_id,
                        "debit_line_id": debit_id,
                        "credit_line_id": credit_id,
                        "amount": amount,
                    }
                )
                invoice[1] -= amount
                left -= amount
                if invoice[1] == 0:
                    invoices.popleft()
    if rows:
        session.execute(insert(Match.__table__), rows)
    return len(rows)


# --- the database ------------------------------------------------------------------------------


def open_books(session: Session, code: str, name: str, number: int, first_year: int, years: int):
    """A member cooperative with its books open for `years` fiscal years, by the services."""
    cooperative_services.create_cooperative(
        session,
        {
            "code": code,
            "name": name,
            "filiere": sorted(FILIERES)[number % len(FILIERES)],
            "province": sorted(PROVINCES)[number % len(PROVINCES)],
            "ice": ice_for(8_000_000 + number),
            "status": "active",
            "members_women": 7 + number % 30,
            "members_men": number % 11,
        },
    )
    ledger = services.open_ledger(session, code, first_year=first_year)
    for _year in range(years - 1):
        services.add_fiscal_year(session, ledger.id)
    return ledger


def split(lines: int, ledgers: int, rng: random.Random) -> list[int]:
    """`lines` shared among `ledgers`, log-normally (a few busy ledgers, many small ones),
    each at least 2 (one entry), summing to `lines` exactly."""
    weights = [rng.lognormvariate(0, 1.0) for _ in range(ledgers)]
    total = sum(weights)
    shares = [max(2, int(lines * weight / total)) for weight in weights]
    shares[shares.index(max(shares))] += lines - sum(shares)
    return shares


def generate(
    url: str,
    *,
    lines: int,
    cooperatives: int,
    years: int,
    first_year: int = FIRST_YEAR,
    seed: int = SEED,
    progress: Callable[[str], None] = print,
) -> Dataset:
    """Fill the migrated, empty database at `url`; returns what was generated."""
    if lines < 2 * cooperatives:
        raise ValueError("at least 2 lines per cooperative")
    engine = make_engine(url)
    make_session = sessionmaker(engine, expire_on_commit=False)
    dataset = Dataset(first_year, years)
    started = perf_counter()
    shares = split(lines, cooperatives, random.Random(seed))
    ledgers = []
    with make_session() as session:
        vat_rates.ensure_vat_rates(session)  # what the VAT return snaps rates to
        for number in range(1, cooperatives + 1):
            code = f"COOP-{number:03d}"
            ledger = open_books(
                session, code, f"Coopérative artisanale {number}", number, first_year, years
            )
            ledgers.append((ledger.id, code))
            if number % 50 == 0:
                session.commit()
        session.commit()
    progress(
        f"  {cooperatives} cooperatives, books open for {first_year}-{first_year + years - 1}"
        f" ({perf_counter() - started:.1f} s)"
    )
    posted = 0
    step = max(1, lines // 10)
    for (ledger_id, code), share in zip(ledgers, shares, strict=True):
        activity = Activity(f"{seed}-{code}", cooperatives)
        drafts = activity.drafts(share, first_year, years)
        entries = to_post(drafts)
        with make_session() as session:
            summary = importers.post_entries(session, ledger_id, entries)
            matches = match_payments(session, ledger_id, activity.rng)
            session.commit()
        dataset.ledgers.append(LedgerInfo(ledger_id, code, summary.entries, summary.lines, matches))
        before, posted = posted, posted + summary.lines
        if posted // step != before // step or posted == lines:
            elapsed = perf_counter() - started
            progress(
                f"  {posted:>10,} lines posted ({len(dataset.ledgers)}/{cooperatives} ledgers)"
                f" {elapsed:6.1f} s, {posted / elapsed:,.0f} lines/s"
            )
    dataset.seconds = perf_counter() - started
    started = perf_counter()
    databases.settle(engine)
    dataset.settle_seconds = perf_counter() - started
    engine.dispose()
    return dataset
