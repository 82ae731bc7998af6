"""Lake load benchmark: the same N demo samples loaded into a warehouse file and into a lake (DuckLake, PostgreSQL
catalog, local data path), against a bare DuckDB read_csv, all in one run so the ratios share the machine's load.

Goal (issue 15): the lake load within 1.5x the file load. Each step runs as its own process (its peak memory is its
own). The catalog is a throwaway PostgreSQL cluster (tests/postgres_cluster.py) unless ``--dsn`` names a database.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from etl import demo_data

from . import report
from .etl_load import BARE_READ, generate

NAME = "lake"
SUMMARY = "python -m etl load of N demo samples into a lake vs a warehouse file vs a bare read_csv (default 1,000,000)"
TITLE = "ETL load: lake vs file"
GOAL_LAKE_RATIO = 1.5


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench lake", description=__doc__)
    p.add_argument("--samples", type=report.count, default=1_000_000,
                   help="number of samples to generate and load (default 1,000,000)")
    p.add_argument("--seed", type=int, default=42, help="demo seed (default 42)")
    p.add_argument("--dsn", help="libpq DSN of an empty database for the catalog (default: a throwaway cluster)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-lake-"))
    cluster = None
    try:
        dsn = args.dsn
        if dsn is None:
            sys.path.insert(0, str(report.ROOT))
            from tests import postgres_cluster

            cluster = postgres_cluster.start_cluster()
            dsn = cluster.dsn(cluster.create_database("bench_lake"))
        return _run(args, work, dsn)
    finally:
        if cluster is not None:
            cluster.remove()
        shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path, dsn: str) -> int:
    out = work / "files"
    if generate(args.samples, args.seed, out) is None:
        return 1
    samples = out / "samples.csv"
    bare = report.run_measured([report.python(), "-c", BARE_READ, str(samples), str(work / "bare.duckdb"),
                                ",".join(demo_data.SAMPLE_COLUMNS)])
    load = [report.python(), "-m", "etl", "load", str(samples), "--source", demo_data.SOURCE, "--quiet",
            "--no-signals"]
    on_file = report.run_measured(load + ["--db", str(work / "file.duckdb")], env={"SUPPLYWATCH_WAREHOUSE": ""})
    on_lake = report.run_measured(load, env={"SUPPLYWATCH_WAREHOUSE": f"ducklake:postgres:{dsn}",
                                             "SUPPLYWATCH_DATA_PATH": str(work / "lake")})
    for name, step in (("bare read", bare), ("file load", on_file), ("lake load", on_lake)):
        if step.returncode != 0:
            print(f"{name} failed: {step.stderr.strip() or step.stdout.strip()}", file=sys.stderr)
            return 1
    lake_mb = sum(f.stat().st_size for f in (work / "lake").rglob("*.parquet")) / 1e6
    file_mb = (work / "file.duckdb").stat().st_size / 1e6
    ratio = on_lake.seconds / on_file.seconds
    row = {
        "samples": f"{args.samples:,}",
        "bare read": f"{bare.seconds:.1f} s",
        "file load": f"{on_file.seconds:.1f} s, {on_file.peak_mb:.0f} MB peak, {file_mb:.0f} MB file",
        "lake load": f"{on_lake.seconds:.1f} s, {on_lake.peak_mb:.0f} MB peak, {lake_mb:.0f} MB Parquet",
        "lake / file": f"{ratio:.2f}x ({'met' if ratio <= GOAL_LAKE_RATIO else 'MISSED'})",
        "file / bare": f"{on_file.seconds / bare.seconds:.2f}x",
        "lake / bare": f"{on_lake.seconds / bare.seconds:.2f}x",
        "when": report.today(),
    }
    for key, value in row.items():
        print(f"{key:<12}  {value}")
    if not args.no_docs:
        _record(row)
        print(f"recorded in {report.DOC}")
    return 0


def _record(row: dict[str, str]) -> None:
    keep = [r for r in report.section_table_rows(TITLE) if r.split("|")[1].strip() != row["samples"]]
    line = "| " + " | ".join(row.values()) + " |"
    rows = sorted(keep + [line], key=lambda r: int(r.split("|")[1].strip().replace(",", "") or 0))
    body = f"""
`python -m bench lake --samples N [--dsn DSN]` (bench/lake.py): the same generated file read bare (DuckDB
`read_csv` into a table), loaded into a new warehouse file, and loaded into a new lake (DuckLake 0.3, catalog in a
throwaway PostgreSQL 15 on loopback, Parquet on the local disk), one after another in one run, each in its own
process. The lake load includes creating the lake's tables (a first load). Goal (issue 15): lake within
{GOAL_LAKE_RATIO:g}x the file. Machine: {report.machine()}.

| {' | '.join(row)} |
|{'|'.join('---' for _ in row)}|
""" + "\n".join(rows) + "\n"
    report.update_section(TITLE, body)
