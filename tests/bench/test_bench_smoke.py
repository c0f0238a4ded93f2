"""The benchmark code works at tiny size (timings are not checked: `make bench` does)."""

import os

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounting import services
from accounting.models import Account, Entry, Line, Match
from bench import billing, run
from bench import databases as bench_databases
from bench.__main__ import parse_arguments
from bench.generate import generate
from gie.db import make_engine
from tests.conftest import migrate


def test_generate_and_measure_at_tiny_size(databases, tmp_path):
    url = databases.new()
    migrate(url)
    dataset = generate(url, lines=2_000, cooperatives=2, years=2, progress=lambda _message: None)

    assert dataset.lines == 2_000
    assert len(dataset.ledgers) == 2
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count(Line.id)).where(Line.posted.is_(True))) == 2_000
        assert session.scalar(select(func.count(Entry.id))) == dataset.entries
        assert session.scalar(select(func.count(Line.id)).where(Line.posted.is_(False))) == 0
        for ledger in dataset.ledgers:  # what `flask accounting verify` checks
            verification = services.verify_ledger(session, ledger.id)
            assert verification.ok, verification.reason
            assert verification.entries_checked == ledger.entries
        assert session.scalar(select(func.count(Match.id))) == dataset.matches
        matched = (
            select(Match.debit_line_id, func.sum(Match.amount).label("amount"))
            .group_by(Match.debit_line_id)
            .subquery()
        )
        invoices = session.execute(
            select(Line.debit, func.coalesce(matched.c.amount, 0))
            .join(Account, Account.id == Line.account_id)
            .outerjoin(matched, matched.c.debit_line_id == Line.id)
            .where(Account.code == "3421", Line.debit > 0)
        ).all()
    engine.dispose()
    states = {
        "open" if not settled else "matched" if settled == debit else "partial"
        for debit, settled in invoices
    }
    assert states == {"open", "partial", "matched"}

    results = run.measure(
        url, dataset, repeat=1, import_lines=500, import_repeat=1, folder=tmp_path
    )

    assert set(results["measurements"]) == {
        f"{ledger}.{report}" for ledger in run.LEDGERS for report in run.REPORTS
    } | {"import", "cockpit", "closing"}
    for row in results["measurements"].values():
        assert row["runs"] == 1
        assert row["median_s"] > 0 and row["p95_s"] > 0 and row["target_s"] > 0
        assert isinstance(row["pass"], bool)
    assert results["measurements"]["import"]["lines"] == 500
    assert results["measurements"]["closing"]["opening_lines"] > 0
    assert results["dataset"]["lines"] == 2_000
    assert results["dataset"]["generation_s"] > 0
    assert results["dataset"]["size_bytes"]["database"] > 0
    assert results["dataset"]["verified"]["ok"]
    assert isinstance(results["passed"], bool)
    table = run.table("test", results)
    verdicts = [line.split()[-1] for line in table.splitlines()[3:]]
    assert verdicts.count("PASS") + verdicts.count("FAIL") == len(results["measurements"])
    run.write_json(results, tmp_path / "latest-test.json")
    assert (tmp_path / "latest-test.json").stat().st_size > 0


def test_arguments_have_the_documented_defaults(monkeypatch):
    monkeypatch.delenv("GIE_BENCH_POSTGRES_URL", raising=False)
    monkeypatch.delenv("GIE_TEST_DATABASE_URL", raising=False)
    arguments = parse_arguments([])
    assert (arguments.backend, arguments.lines, arguments.cooperatives) == (
        "sqlite",
        1_000_000,
        200,
    )
    assert (arguments.years, arguments.repeat, arguments.keep) == (3, 20, False)
    monkeypatch.setenv("GIE_TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/test")
    assert parse_arguments([]).backend == "both"


def test_a_benchmark_database_is_created_migrated_and_dropped(databases):
    database = bench_databases.create(databases.backend)
    try:
        bench_databases.migrate(database.url)
        engine = make_engine(database.url)
        bench_databases.settle(engine)
        assert bench_databases.size(engine)["database"] > 0
        engine.dispose()
    finally:
        database.drop()
    assert not database.folder.exists()


def test_billing_benchmark_at_tiny_size():
    backend = os.environ.get("GIE_TEST_BACKEND", "sqlite")
    result = billing.bench(backend, cooperatives=3, repeat=1)
    assert result["billing_run"]["invoices"] == 3
    assert result["statement"]["lines"] == 36 * 2 + 2  # its history, and the two benchmarked months
    assert result["statement"]["median_ms"] > 0
