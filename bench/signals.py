"""Time for each signal rule and run_all over a synthetic demo warehouse of N samples."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from supplywatch import db, signals

from . import report

NAME = "signals"
SUMMARY = "each signal rule and run_all over the demo warehouse (default 20,000 samples; --db to reuse one)"
TITLE = "Signals"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench signals", description=__doc__)
    p.add_argument("--samples", type=report.count, default=20_000)
    p.add_argument("--db", help="an existing warehouse to run on instead of building the demo")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "demo.duckdb"
        if not args.db:
            built = report.run_measured([report.python(), "-m", "etl", "demo", "--db", str(path), "--samples",
                                         str(args.samples), "--out", str(Path(tmp) / "csv")])
            if built.returncode:
                print(built.stderr)
                return built.returncode
        con = db.connect_readonly(path)
        (end,) = con.execute("SELECT max(collected_date) FROM samples").fetchone()
        now = dt.datetime.combine(end, dt.time(12), tzinfo=dt.timezone.utc)
        settings = signals.SignalSettings()
        lines = []
        for name, rule in signals.RULE_FUNCTIONS.items():
            started = time.perf_counter()
            found = rule(con, now, settings)
            lines.append(f"{name}: {(time.perf_counter() - started) * 1000:.0f} ms, {len(found)} suggestions")
        started = time.perf_counter()
        total = signals.run_all(con, now, settings)
        lines.append(f"run_all: {time.perf_counter() - started:.2f} s, {len(total)} suggestions as of {end}")
        con.close()
    print("\n".join(lines))
    if not args.no_docs:
        source = f"`{args.db}`" if args.db else f"the synthetic demo ({args.samples:,} samples, `python -m etl demo`)"
        body = (
            f"`python -m bench signals [--samples N | --db FILE]` (bench/signals.py): each rule, then `run_all`, "
            f"over {source}, as of noon on its newest sample date, default settings. "
            f"Machine: {report.machine()}. Run {report.today()}.\n\n" + "\n".join(f"- {line}" for line in lines)
        )
        report.update_section(TITLE, body)
    return 0
