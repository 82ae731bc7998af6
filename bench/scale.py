"""Scale curve on the file backend: one demo file of N samples (0.1M, 1M, 10M) loaded in one go, then every supply
page's queries on the result, cold and warm, beside a bare DuckDB ``read_csv`` of the same file in the same run.

Each load and read runs as its own process so its peak memory (``ru_maxrss``) is its own. Pages are timed through
the query functions the pages call (``supplywatch.views.QUERIES`` with each page's default arguments,
``views.PAGE_DEFAULT_QUERIES``), in a child process per size: cold = the first run on a fresh read-only
connection (DuckDB reads the file from disk), warm = the median of three reruns on that connection (DuckDB's
buffers warm; the dashboard's own cache, keyed by data version, serves a warm page without any query at all).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from etl import demo_data

from . import report
from .etl_load import BARE_READ

NAME = "scale"
SUMMARY = "one file of 0.1M / 1M / 10M demo samples: load time, peak RSS, warehouse size, supply pages cold/warm"
TITLE = "Scale curve (file backend)"
SUPPLY_PAGES = ("overview", "trends", "concentration", "expected_found", "emerging", "samples")
GOAL_COLD_S, GOAL_RATIO = 2.0, 3.0  # pages at 10M: cold under 2 s, within 3x of 1M

PAGE_TIMES = """
import json, statistics, sys, time
from supplywatch import db, views
from supplywatch.filters import Filters
con = db.connect_readonly(sys.argv[1])
out = {}
for page in sys.argv[2].split(','):
    def run():
        started = time.perf_counter()
        for name, kwargs in views.PAGE_DEFAULT_QUERIES[page]:
            views.QUERIES[name](con, Filters(), **kwargs)
        return time.perf_counter() - started
    cold = run()
    out[page] = [cold, statistics.median(run() for _ in range(3))]
print(json.dumps(out))
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__)
    p.add_argument("--sizes", default="100000,1000000,10000000",
                   help="comma-separated sample counts (default 100000,1000000,10000000)")
    p.add_argument("--memory", default=None, help="SUPPLYWATCH_LOAD_MEMORY for the loads (default: the loader's)")
    p.add_argument("--workdir", type=Path, help="folder for the files (default: a temporary folder, removed after)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return _run(args, args.workdir)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        return _run(args, Path(tmp))


def _run(args: argparse.Namespace, work: Path) -> int:
    rows = []
    load_before = os.getloadavg()[0]
    for n in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        row = _one_size(n, work / str(n), args.memory)
        if row is None:
            return 1
        rows.append(row)
        shutil.rmtree(work / str(n), ignore_errors=True)  # a 10M file and its warehouse are ~2 GB
    load_after = os.getloadavg()[0]
    table = _table(rows)
    print(table)
    if not args.no_docs:
        _record(table, args, load_before, load_after)
        print(f"recorded in {report.DOC}")
    return 0


def _one_size(n: int, work: Path, memory: str | None) -> dict | None:
    out = work / "files"
    gen = report.run_measured([report.python(), "-m", "etl", "demo", "--samples", str(n), "--out", str(out),
                               "--no-load"])
    if gen.returncode != 0:
        print(f"generator failed: {gen.stderr.strip()}", file=sys.stderr)
        return None
    samples = out / "samples.csv"
    bare = report.run_measured([report.python(), "-c", BARE_READ, str(samples), str(work / "bare.duckdb"),
                                ",".join(demo_data.SAMPLE_COLUMNS)])
    (work / "bare.duckdb").unlink(missing_ok=True)
    wh = work / "load.duckdb"
    env_memory = {"SUPPLYWATCH_LOAD_MEMORY": memory} if memory else {}
    load = report.run_measured([report.python(), "-m", "etl", "load", str(samples), "--db", str(wh),
                                "--source", demo_data.SOURCE, "--quiet", "--no-signals"], env=env_memory)
    if load.returncode != 0:
        print(f"{n:,}: load failed (exit {load.returncode}): {load.stderr.strip() or load.stdout.strip()}",
              file=sys.stderr)
        return None
    pages = report.run_measured([report.python(), "-c", PAGE_TIMES, str(wh), ",".join(SUPPLY_PAGES)])
    if pages.returncode != 0:
        print(f"{n:,}: page queries failed: {pages.stderr.strip()}", file=sys.stderr)
        return None
    times = json.loads(pages.stdout.strip().splitlines()[-1])
    row = {"n": n, "file_mb": samples.stat().st_size / 1e6, "bare_s": bare.seconds, "bare_mb": bare.peak_mb,
           "load_s": load.seconds, "load_mb": load.peak_mb, "warehouse_mb": wh.stat().st_size / 1e6,
           "pages": times}
    print(f"{n:>10,} samples: load {load.seconds:.1f} s ({load.peak_mb:.0f} MB peak), bare read {bare.seconds:.1f} s,"
          f" warehouse {row['warehouse_mb']:.0f} MB; "
          + ", ".join(f"{p} {c:.2f}/{w:.2f} s" for p, (c, w) in times.items()), flush=True)
    return row


def _table(rows: list[dict]) -> str:
    head = ["samples", "file", "bare read_csv", "load", "load / bare", "load peak RSS", "warehouse"]
    head += [f"{p} cold / warm" for p in SUPPLY_PAGES]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        cells = [f"{r['n']:,}", f"{r['file_mb']:.0f} MB", f"{r['bare_s']:.1f} s, {r['bare_mb']:.0f} MB",
                 f"{r['load_s']:.1f} s", f"{r['load_s'] / r['bare_s']:.1f}x", f"{r['load_mb']:.0f} MB",
                 f"{r['warehouse_mb']:.0f} MB"]
        cells += [f"{r['pages'][p][0]:.2f} / {r['pages'][p][1]:.3f} s" for p in SUPPLY_PAGES]
        lines.append("| " + " | ".join(cells) + " |")
    by_n = {r["n"]: r for r in rows}
    if 1_000_000 in by_n and 10_000_000 in by_n:
        cells = ["10M / 1M", "", "", f"{by_n[10_000_000]['load_s'] / by_n[1_000_000]['load_s']:.1f}x", "", "", ""]
        for p in SUPPLY_PAGES:
            cold10, cold1 = by_n[10_000_000]["pages"][p][0], by_n[1_000_000]["pages"][p][0]
            met = "met" if cold10 < GOAL_COLD_S and cold10 <= GOAL_RATIO * cold1 else "MISSED"
            cells.append(f"{cold10 / cold1:.1f}x cold ({met})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _record(table: str, args: argparse.Namespace, load_before: float, load_after: float) -> None:
    body = f"""
`python -m bench scale [--sizes 100000,1000000,10000000] [--memory 768MB]` (bench/scale.py): one demo file of N
samples (seed 42) loaded in one go with `python -m etl load` into a new warehouse, under the load's memory cap
({args.memory or 'the default, 768MB'}); each step its own process (peak RSS from `wait4`). Bare read_csv = DuckDB
reading the same file into a table with all-VARCHAR columns, in the same run. Pages: each supply page's default
queries through the functions the page calls, on a fresh read-only connection: cold = first run (file read from
disk), warm = median of three reruns on that connection (the dashboard's cache would serve a warm page with no
query at all). Goal at 10M: every page cold under {GOAL_COLD_S:g} s and within {GOAL_RATIO:g}x of 1M.
Machine: {report.machine()}; 1-minute load average {load_before:.1f} before and {load_after:.1f} after (a shared
machine: treat times as upper bounds). Run {report.today()}.

{table}
"""
    report.update_section(TITLE, body)
