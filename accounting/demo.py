"""Demo books: the GIE's and a few cooperatives', with a year and a half of believable entries.
The GIE's invoices to its members come from billing's demo, issued and posted there."""

import random
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting import services
from accounting.models import GIE_LEDGER_CODE, Ledger
from accounting.services import LineInput
from gie.money import D

BOOKS = (GIE_LEDGER_CODE, "COOP-001", "COOP-002", "COOP-003", "COOP-005")
MEMBERS = ("COOP-001", "COOP-002", "COOP-003", "COOP-005")


def _post(session, ledger, journal, on, label, reference, lines):
    services.record_entry(
        session,
        ledger.id,
        journal_code=journal,
        entry_date=on,
        label=label,
        reference=reference,
        lines=lines,
    )


def _cooperative_books(session, ledger, first_day: date, today: date, rng: random.Random):
    _post(
        session,
        ledger,
        "BQ",
        first_day,
        "Libération du capital social",
        "PV-AG",
        [
            LineInput("5141", debit=Decimal("25000")),
            LineInput("1111", credit=Decimal("25000")),
        ],
    )
    month = first_day
    number = 0
    while month <= today:
        number += 1
        sale = D(Decimal(rng.randrange(800_000, 2_500_000)) / 100)
        day = min(month + relativedelta(days=rng.randrange(0, 20)), today)
        _post(
            session,
            ledger,
            "VT",
            day,
            f"Ventes du mois {month:%m/%Y}",
            f"FV-{number:04d}",
            [
                LineInput("3421", debit=sale, partner="CLIENTS-DIVERS"),
                LineInput("7121", credit=sale),
            ],
        )
        purchase = D(sale * Decimal("0.45"))
        _post(
            session,
            ledger,
            "AC",
            day,
            f"Achats de matières {month:%m/%Y}",
            f"FA-{number:04d}",
            [
                LineInput("6121", debit=purchase),
                LineInput("4411", credit=purchase, partner="FOURNISSEUR"),
            ],
        )
        if day + relativedelta(days=25) <= today:
            paid_on = day + relativedelta(days=25)
            _post(
                session,
                ledger,
                "BQ",
                paid_on,
                "Encaissement clients",
                f"RC-{number:04d}",
                [
                    LineInput("5141", debit=sale),
                    LineInput("3421", credit=sale, partner="CLIENTS-DIVERS"),
                ],
            )
            _post(
                session,
                ledger,
                "BQ",
                paid_on,
                "Règlement fournisseur",
                f"RF-{number:04d}",
                [
                    LineInput("4411", debit=purchase, partner="FOURNISSEUR"),
                    LineInput("5141", credit=purchase),
                ],
            )
        month += relativedelta(months=1)


def _gie_books(session, ledger, first_day: date):
    """The GIE's own entries that are not invoices: the members' joining fees. Its sales and
    their payments are posted by billing (billing/demo.py) from real invoices."""
    _post(
        session,
        ledger,
        "BQ",
        first_day,
        "Cotisations d'adhésion",
        "ADH",
        [
            LineInput("5141", debit=Decimal("8000")),
            LineInput("7127", credit=Decimal("8000")),
        ],
    )


def load(session: Session, today: date | None = None) -> None:
    """Open the demo books that are not open yet, with entries up to today."""
    today = today or date.today()
    first_day = date(today.year - 1, 1, 1)
    opened = set(session.scalars(select(Ledger.code)))
    rng = random.Random(2026)
    for code in BOOKS:
        if code in opened:
            continue
        ledger = services.open_ledger(session, code, first_year=today.year - 1)
        services.add_fiscal_year(session, ledger.id)
        if code == GIE_LEDGER_CODE:
            _gie_books(session, ledger, first_day)
        else:
            _cooperative_books(session, ledger, first_day, today, rng)
