"""`python -m bench`: generate a dataset in a fresh database per backend, time the reports, the
cockpit, the import and a year-end closing against their targets, print the table and write
bench/results/latest-<backend>.json.

Exits 1 when a measurement misses its target.
"""

import argparse
import sys
from pathlib import Path
from time import perf_counter

from bench import databases, generate, run

RESULTS = Path(__file__).resolve().parent / "results"


def _positive(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 1:
        raise argparse.ArgumentTypeError("a positive number")
    return value


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of the books: reports and CSV import on generated data.",
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "both"),
        default=databases.default_backend(),
        help="default: both when GIE_BENCH_POSTGRES_URL or GIE_TEST_DATABASE_URL is set,"
        " else sqlite",
    )
    parser.add_argument("--lines", type=_positive, default=1_000_000, help="journal lines")
    parser.add_argument("--cooperatives", type=_positive, default=200)
    parser.add_argument("--years", type=_positive, default=3, help="fiscal years per ledger")
    parser.add_argument("--repeat", type=_positive, default=20, help="timed runs per report")
    parser.add_argument("--import-lines", type=_positive, default=100_000)
    parser.add_argument("--import-repeat", type=_positive, default=3, help="timed imports")
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated database (its URL is printed)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    arguments = parser.parse_args(argv)
    if arguments.lines < 2 * arguments.cooperatives:
        parser.error("--lines must be at least twice --cooperatives")
    return arguments


def bench(backend: str, arguments: argparse.Namespace) -> dict:
    started = perf_counter()
    database = databases.create(backend)
    try:
        print(f"== {backend}: {database.url}", flush=True)
        databases.migrate(database.url)
        print(f"  migrated ({perf_counter() - started:.1f} s)", flush=True)
        dataset = generate.generate(
            database.url,
            lines=arguments.lines,
            cooperatives=arguments.cooperatives,
            years=arguments.years,
            progress=lambda message: print(message, flush=True),
        )
        print(
            f"  generated in {dataset.seconds:.1f} s"
            + (f", VACUUM ANALYZE {dataset.settle_seconds:.1f} s" if backend != "sqlite" else ""),
            flush=True,
        )
        results = run.measure(
            database.url,
            dataset,
            repeat=arguments.repeat,
            import_lines=arguments.import_lines,
            import_repeat=arguments.import_repeat,
            folder=database.folder,
            progress=lambda message: print(message, flush=True),
        )
        results["backend"] = backend
    finally:
        if arguments.keep:
            print(f"  kept: {database.url} (files in {database.folder})")
        else:
            database.drop()
    path = arguments.results / f"latest-{backend}.json"
    run.write_json(results, path)
    print(f"  results written to {path} ({perf_counter() - started:.0f} s in all)\n", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    backends = databases.BACKENDS if arguments.backend == "both" else (arguments.backend,)
    results = {backend: bench(backend, arguments) for backend in backends}
    print("\n\n".join(run.table(backend, result) for backend, result in results.items()))
    return 0 if all(result["passed"] for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
