"""The measurements: report timings on a generated dataset, the CSV import, the results table
and its JSON.

Each report is called once to warm the caches, then `repeat` times, each call in a new
session (a new transaction, the connection from the pool, as a web request has); the time
is the service function's (SQL and the Python that shapes the result), not the page's
rendering. The cockpit is timed the same way, once over every ledger. The import is
`importers.import_entries` of a generated CSV file into the fresh books of a new cooperative,
commit included, as `flask accounting import` runs it. Last, the year-end closing of the first
fiscal year of the busiest ledger is timed once, in a transaction rolled back.
"""

import json
import math
import os
import platform
import sqlite3
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter

import sqlalchemy
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from accounting import closing, importers, services
from accounting.models import Account
from accounting.reports import books, partners, statements
from bench import databases
from bench.generate import SEED, Activity, Dataset, LedgerInfo, open_books, write_csv
from financial_close import cockpit
from financial_close.vat_return import compute_return
from gie.db import make_engine

#: seconds
REPORT_TARGET = 0.050
COCKPIT_TARGET = 0.5
IMPORT_TARGET = 20.0
CLOSING_TARGET = 10.0

REPORTS = (
    "trial_balance",
    "income_statement",
    "balance_sheet",
    "general_ledger",
    "aged_balance",
    "vat_return",
)
#: the ledgers the reports are measured on
LEDGERS = ("busiest", "typical")


@dataclass
class Timing:
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """Nearest rank: the smallest sample with at least 95 % of the samples at or below."""
        ordered = sorted(self.samples)
        return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _timed(make_session: sessionmaker, call: Callable[[Session], object], repeat: int) -> Timing:
    with make_session() as session:  # warm-up, not counted
        call(session)
    samples = []
    for _ in range(repeat):
        with make_session() as session:
            started = perf_counter()
            call(session)
            samples.append(perf_counter() - started)
    return Timing(samples)


def _report_calls(session: Session, ledger: LedgerInfo, year: int) -> dict[str, Callable]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    bank = session.scalar(
        select(Account.id).where(Account.ledger_id == ledger.id, Account.code == "5141")
    )

    def general_ledger(session):
        page = books.general_ledger(
            session, ledger.id, bank, date_from=first, date_to=last, page=1, size=100
        )
        assert page.lines, "the bank account has no line in the year"
        return page

    def aged_balance(session):
        aged = partners.aged_balance(session, ledger.id, on=last, side="customers")
        assert aged.rows, "no customer has anything open"
        return aged

    def vat_return(session):
        draft = compute_return(session, ledger.id, date(year, 10, 1), last)
        assert draft.line_130, "no VAT collected in the quarter"
        return draft

    return {
        "trial_balance": lambda session: statements.trial_balance(
            session, ledger.id, date_from=first, date_to=last
        ),
        "income_statement": lambda session: statements.income_statement(
            session, ledger.id, date_from=first, date_to=last
        ),
        "balance_sheet": lambda session: statements.balance_sheet(session, ledger.id, on=last),
        "general_ledger": general_ledger,
        "aged_balance": aged_balance,
        "vat_return": vat_return,
    }


LABELS = {
    "trial_balance": "trial balance {year}",
    "income_statement": "CPC (income statement) {year}",
    "balance_sheet": "bilan (balance sheet) {year}-12-31",
    "general_ledger": "general ledger 5141 {year}, page 1",
    "aged_balance": "aged balance of customers {year}-12-31",
    "vat_return": "VAT return Q4 {year} (collection)",
}


def _environment(engine: Engine) -> dict:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            version = connection.execute(text("SHOW server_version")).scalar()
        else:
            version = sqlite3.sqlite_version
    return {
        "database": f"{engine.dialect.name} {version}",
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }


def measure(
    url: str,
    dataset: Dataset,
    *,
    repeat: int,
    import_lines: int,
    import_repeat: int,
    folder: Path,
    seed: int = SEED,
    progress: Callable[[str], None] = print,
) -> dict:
    """Run every measurement on the generated database at `url`; returns the results as the
    JSON file holds them (times in seconds)."""
    engine = make_engine(url)
    make_session = sessionmaker(engine, expire_on_commit=False)
    year = dataset.last_year
    results: dict = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": _environment(engine),
        "parameters": {
            "lines": dataset.lines,
            "cooperatives": len(dataset.ledgers),
            "years": dataset.years,
            "repeat": repeat,
            "import_lines": import_lines,
            "import_repeat": import_repeat,
        },
        "dataset": {
            "lines": dataset.lines,
            "entries": dataset.entries,
            "ledgers": len(dataset.ledgers),
            "first_year": dataset.first_year,
            "last_year": year,
            "matches": dataset.matches,
            "generation_s": dataset.seconds,
            "settle_s": dataset.settle_seconds,
            "size_bytes": databases.size(engine),
        },
        "measurements": {},
    }
    measurements = results["measurements"]

    sample = dataset.typical()
    with make_session() as session:
        started = perf_counter()
        verification = services.verify_ledger(session, sample.id)
    results["dataset"]["verified"] = {
        "ledger": sample.code,
        "entries": verification.entries_checked,
        "ok": verification.ok,
        "seconds": perf_counter() - started,
    }
    progress(
        f"  verify {sample.code}: {verification.entries_checked:,} entries,"
        f" {'chain intact' if verification.ok else 'BROKEN: ' + verification.reason}"
    )

    for which in LEDGERS:
        ledger = getattr(dataset, which)()
        results["dataset"][which] = {
            "ledger": ledger.code,
            "entries": ledger.entries,
            "lines": ledger.lines,
        }
        with make_session() as session:
            calls = _report_calls(session, ledger, year)
        for name, call in calls.items():
            timing = _timed(make_session, call, repeat)
            label = LABELS[name].format(year=year)
            measurements[f"{which}.{name}"] = _row(
                f"{label}, {ledger.code} ({which}, {ledger.lines:,} lines)", timing, REPORT_TARGET
            )
            progress(f"  {which} {name}: median {timing.median * 1000:.1f} ms")

    today = date(year + 1, 1, 31)

    def cockpit_of_every_ledger(session):
        rows = cockpit.cockpit(session, today)
        assert len(rows) == len(dataset.ledgers), (len(rows), len(dataset.ledgers))
        return rows

    timing = _timed(make_session, cockpit_of_every_ledger, repeat)
    measurements["cockpit"] = _row(
        f"cockpit on {today}, all {len(dataset.ledgers)} ledgers", timing, COCKPIT_TARGET
    )
    progress(f"  cockpit: median {timing.median * 1000:.1f} ms")

    drafts = Activity(f"{seed}-import", len(dataset.ledgers)).drafts(
        import_lines, dataset.first_year, dataset.years
    )
    path = folder / "import.csv"
    written = write_csv(path, drafts)
    data = path.read_bytes()
    samples = []
    for attempt in range(1, import_repeat + 1):
        with make_session() as session:
            ledger = open_books(
                session,
                f"IMPORT-{attempt}",
                f"Import {attempt}",
                attempt,
                dataset.first_year,
                dataset.years,
            )
            session.commit()
            started = perf_counter()
            summary = importers.import_entries(session, ledger.id, data)
            session.commit()
            samples.append(perf_counter() - started)
        assert summary.lines == written, (summary.lines, written)
        progress(f"  import {attempt}/{import_repeat}: {samples[-1]:.2f} s")
    measurements["import"] = _row(
        f"import {written:,} lines ({len(drafts):,} entries) into new books",
        Timing(samples),
        IMPORT_TARGET,
    )
    measurements["import"].update(lines=written, entries=len(drafts), csv_bytes=len(data))

    busiest = dataset.busiest()
    with make_session() as session:
        started = perf_counter()
        summary = closing.close_fiscal_year(session, busiest.id, str(dataset.first_year))
        seconds = perf_counter() - started
        assert summary.opening_entry is not None, "the closing carried nothing"
        session.rollback()
    measurements["closing"] = _row(
        f"year-end closing {dataset.first_year}, {busiest.code} (busiest), once, rolled back",
        Timing([seconds]),
        CLOSING_TARGET,
    )
    measurements["closing"].update(opening_lines=summary.lines)
    progress(f"  closing {busiest.code} {dataset.first_year}: {seconds:.2f} s")
    results["passed"] = all(row["pass"] for row in measurements.values())
    engine.dispose()
    return results


def _row(label: str, timing: Timing, target: float) -> dict:
    return {
        "label": label,
        "runs": len(timing.samples),
        "median_s": timing.median,
        "p95_s": timing.p95,
        "min_s": min(timing.samples),
        "max_s": max(timing.samples),
        "target_s": target,
        "pass": timing.median <= target,
    }


# --- output ----------------------------------------------------------------------------------


def _duration(seconds: float, unit: str) -> str:
    return f"{seconds * 1000:.1f} ms" if unit == "ms" else f"{seconds:.2f} s"


def _bytes(count: int) -> str:
    return f"{count / 2**20:,.0f} MiB"


def table(backend: str, results: dict) -> str:
    """The plain-text table: one row per measurement, target and PASS/FAIL (on the median)."""
    dataset = results["dataset"]
    rows = [("measure", "median", "p95", "target", "result")]
    for row in results["measurements"].values():
        unit = "ms" if row["target_s"] < 1 else "s"
        rows.append(
            (
                row["label"],
                _duration(row["median_s"], unit),
                _duration(row["p95_s"], unit),
                _duration(row["target_s"], unit).replace(".0 ms", " ms").replace(".00 s", " s"),
                "PASS" if row["pass"] else "FAIL",
            )
        )
    settle = (
        f" (then VACUUM ANALYZE: {dataset['settle_s']:.1f} s)"
        if results["environment"]["database"].startswith("postgresql")
        else ""
    )
    rows.append(
        (
            f"generation: {dataset['lines']:,} lines, {dataset['entries']:,} entries,"
            f" {dataset['matches']:,} matches, {dataset['ledgers']} ledgers{settle}",
            f"{dataset['generation_s']:.1f} s",
            "",
            "",
            "info",
        )
    )
    sizes = dataset["size_bytes"]
    detail = (
        f" (lines table {_bytes(sizes['lines_table'])}, of which indexes"
        f" {_bytes(sizes['lines_indexes'])})"
        if "lines_table" in sizes
        else ""
    )
    size = _bytes(sizes["database"])
    rows.append((f"database size after generation{detail}", size, "", "", "info"))
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines = [
        f"== {backend}: {results['environment']['database']},"
        f" {results['parameters']['repeat']} runs per report (PASS: median <= target) =="
    ]
    for number, row in enumerate(rows):
        lines.append(
            "  ".join(
                cell.ljust(width) if column == 0 else cell.rjust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
