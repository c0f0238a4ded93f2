"""`python -m bench.billing`: the billing targets. A billing run for 200 cooperatives with
4 subscriptions each, every invoice then issued and posted in the GIE's books and the
cooperative's (target 10 s on PostgreSQL), and a statement of account over three years of
one customer's history (target 100 ms)."""

import argparse
import json
import statistics
from datetime import date
from decimal import Decimal
from pathlib import Path
from time import perf_counter

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounting import services as accounting
from accounting import vat_rates
from bench import databases
from bench.generate import open_books
from billing import reports
from billing.models import Invoice, Service
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from billing.services import payments as billing_payments
from billing.services import runs as billing_runs
from billing.services import subscriptions as billing_subscriptions
from gie.db import make_engine

RESULTS = Path(__file__).resolve().parent / "results"
FIRST_YEAR = 2024
CATALOGUE = (
    ("COMPTA", "Tenue de comptabilité", "bookkeeping", "month", "2000", "1500", "monthly"),
    ("APPUI", "Appui commercial", "commercial_support", "hour", "400", "250", "monthly"),
    ("FORM", "Formation", "training", "day", "1200", "800", "quarterly"),
    ("ADH", "Cotisation", "membership_fee", "flat", "3000", "2400", "yearly"),
)


def _setup(session: Session, cooperatives: int) -> list[int]:
    accounting.open_ledger(session, "GIE", first_year=FIRST_YEAR)
    gie = accounting.ledger_by_code(session, "GIE")
    for _ in range(2):
        accounting.add_fiscal_year(session, gie.id)
    vat_rates.ensure_vat_rates(session)
    catalogue = [
        billing_catalogue.create_service(
            session,
            code=code,
            name=name,
            category=category,
            unit=unit,
            public_price=Decimal(public),
            member_price=Decimal(member),
            valid_from=date(FIRST_YEAR, 1, 1),
        )
        for code, name, category, unit, public, member, _ in CATALOGUE
    ]
    customers = []
    for number in range(1, cooperatives + 1):
        ledger = open_books(
            session, f"COOP-{number:03d}", f"Coopérative {number}", number, FIRST_YEAR, 3
        )
        customer = billing_customers.member_customer(session, ledger.cooperative_id)
        for service, row in zip(catalogue, CATALOGUE, strict=True):
            billing_subscriptions.create_subscription(
                session,
                customer_id=customer.id,
                service_id=service.id,
                start_on=date(FIRST_YEAR, 1, 1),
                period=row[6],
                quantity=Decimal("2") if service.unit == "hour" else Decimal("1"),
            )
        customers.append(customer.id)
        if number % 50 == 0:
            session.commit()
            print(f"  {number} cooperatives with books and subscriptions", flush=True)
    session.commit()
    return customers


def _run_and_issue(session: Session, year: int, month: int) -> int:
    summary = billing_runs.run_billing(session, year, month)
    issue_on = date(year, month, 1) + relativedelta(months=1, days=-1)
    for invoice_id in summary.invoice_ids:
        billing_invoices.issue_invoice(session, invoice_id, on=issue_on)
    session.commit()
    return summary.invoices_created


def _history(session: Session, customer_id: int) -> None:
    """Three years of one customer: monthly invoices (run for everyone's subscriptions would
    take the benchmark's whole time, so this customer's alone) and a payment each month."""
    service_ids = session.scalars(
        select(Service.id).where(Service.code.in_(("COMPTA", "APPUI")))
    ).all()
    for months in range(36):
        month = date(FIRST_YEAR, 1, 1) + relativedelta(months=months)
        draft = billing_invoices.save_draft_invoice(
            session,
            customer_id,
            [billing_invoices.DraftLine(service_id, Decimal("1")) for service_id in service_ids],
            on=month,
        )
        invoice = billing_invoices.issue_invoice(session, draft.id, on=month)
        billing_payments.record_payment(
            session,
            customer_id=customer_id,
            received_on=month + relativedelta(days=20),
            amount=invoice.total_gross - Decimal("10"),
            method="transfer",
            reference=f"VIR-{months}",
        )
    session.commit()


def bench(backend: str, cooperatives: int, repeat: int) -> dict:
    database = databases.create(backend)
    try:
        databases.migrate(database.url)
        engine = make_engine(database.url)
        started = perf_counter()
        with Session(engine) as session:
            customers = _setup(session, cooperatives)
        setup_seconds = perf_counter() - started
        with Session(engine) as session:
            _run_and_issue(session, FIRST_YEAR + 2, 1)  # warm-up month, not counted
        with Session(engine) as session:
            started = perf_counter()
            created = _run_and_issue(session, FIRST_YEAR + 2, 2)
            run_seconds = perf_counter() - started
            invoices = session.scalar(select(Invoice.id).order_by(Invoice.id.desc()))
        with Session(engine) as session:
            _history(session, customers[0])
        samples = []
        for _ in range(repeat + 1):
            with Session(engine) as session:
                begun = perf_counter()
                statement = reports.statement(
                    session,
                    customers[0],
                    date_from=date(FIRST_YEAR, 1, 1),
                    date_to=date(FIRST_YEAR + 2, 12, 31),
                )
                samples.append(perf_counter() - begun)
        samples = samples[1:]
        engine.dispose()
        return {
            "backend": backend,
            "setup_seconds": round(setup_seconds, 1),
            "billing_run": {
                "invoices": created,
                "seconds": round(run_seconds, 2),
                "target_seconds": 10,
            },
            "statement": {
                "lines": len(statement.lines),
                "median_ms": round(statistics.median(samples) * 1000, 1),
                "p95_ms": round(sorted(samples)[int(0.95 * (len(samples) - 1))] * 1000, 1),
                "target_ms": 100,
            },
            "last_invoice_id": invoices,
        }
    finally:
        database.drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.billing", description=__doc__)
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default=databases.default_backend()
    )
    parser.add_argument("--cooperatives", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args(argv)
    backends = databases.BACKENDS if arguments.backend == "both" else (arguments.backend,)
    failed = False
    for backend in backends:
        result = bench(backend, arguments.cooperatives, arguments.repeat)
        run, statement = result["billing_run"], result["statement"]
        run_ok = run["seconds"] <= run["target_seconds"]
        statement_ok = statement["median_ms"] <= statement["target_ms"]
        failed |= not (run_ok and statement_ok)
        print(f"== {backend} (setup {result['setup_seconds']} s)")
        print(
            f"billing run + issue, {run['invoices']} invoices, both ledgers: {run['seconds']} s"
            f" (target {run['target_seconds']} s) {'PASS' if run_ok else 'FAIL'}"
        )
        print(
            f"statement over 3 years, {statement['lines']} lines:"
            f" median {statement['median_ms']} ms,"
            f" p95 {statement['p95_ms']} ms (target {statement['target_ms']} ms)"
            f" {'PASS' if statement_ok else 'FAIL'}"
        )
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"billing-{backend}.json").write_text(json.dumps(result, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
