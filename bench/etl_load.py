"""ETL load benchmark: `python -m etl load` of N canonical samples against a bare DuckDB read_csv of the same file.

Goals (issue 2): the load within 2x the bare read, peak memory under 1 GB, a repeat load of the
same file under 0.2x the bare read. Each step runs as its own process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from etl import demo_data

from . import report

NAME = "etl"
SUMMARY = "python -m etl load of N demo samples vs a bare DuckDB read_csv (default 1,000,000)"
TITLE = "ETL load"
GOAL_LOAD_RATIO, GOAL_PEAK_MB, GOAL_REPEAT_RATIO = 2.0, 1024.0, 0.2

BARE_READ = """
import sys, duckdb
path, db, columns = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
con = duckdb.connect(db)
con.execute('SET enable_progress_bar = false')
spec = '{' + ', '.join(f"'{c}': 'VARCHAR'" for c in columns) + '}'
con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{path}', header = true, delim = ',', quote = '\\"', "
            f"columns = {spec}, store_rejects = true)")
print(con.execute('SELECT count(*) FROM raw').fetchone()[0])
con.close()
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench etl", description=__doc__)
    p.add_argument("--samples", type=report.count, default=1_000_000,
                   help="number of samples to generate and load (default 1,000,000)")
    p.add_argument("--seed", type=int, default=42, help="demo seed (default 42)")
    p.add_argument("--workdir", type=Path, help="folder for the files (default: a temporary folder, removed after)")
    p.add_argument("--phases", action="store_true",
                   help="also run the load in-process once and time each of its phases, to see which is slow")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-etl-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return _run(args, work)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def generate(samples: int, seed: int, out: Path) -> report.Measured | None:
    """Write N demo samples into ``out`` (``python -m etl demo --no-load``, measured); None, said, if it fails."""
    gen = report.run_measured([report.python(), "-m", "etl", "demo", "--samples", str(samples), "--seed",
                               str(seed), "--out", str(out), "--no-load"])
    if gen.returncode != 0:
        print(f"generator failed: {gen.stderr.strip()}", file=sys.stderr)
        return None
    return gen


def _run(args: argparse.Namespace, work: Path) -> int:
    out = work / "files"
    gen = generate(args.samples, args.seed, out)
    if gen is None:
        return 1
    files = demo_data.DemoFiles(out / "samples.csv", out / "overdoses.csv", out / "alerts.csv")
    size_mb = files.samples.stat().st_size / 1e6
    print(f"generated {args.samples:,} samples ({size_mb:.0f} MB) in {gen.seconds:.1f} s, {gen.peak_mb:.0f} MB peak")

    bare = report.run_measured([report.python(), "-c", BARE_READ, str(files.samples), str(work / "bare.duckdb"),
                                ",".join(demo_data.SAMPLE_COLUMNS)])
    if bare.returncode != 0 or int((bare.stdout.split() or ['-1'])[-1]) != args.samples:
        print(f"bare read failed: {bare.stderr.strip() or bare.stdout.strip()}", file=sys.stderr)
        return 1
    load_cmd = [report.python(), "-m", "etl", "load", str(files.samples), "--db", str(work / "load.duckdb"),
                "--source", demo_data.SOURCE, "--quiet"]
    first = report.run_measured(load_cmd)
    if first.returncode != 0:
        print(f"load failed (exit {first.returncode}): {first.stderr.strip() or first.stdout.strip()}",
              file=sys.stderr)
        return 1
    repeat = report.run_measured(load_cmd)
    if repeat.returncode != 0:
        print(f"repeat load failed: {repeat.stderr.strip()}", file=sys.stderr)
        return 1
    loaded = _count(work / "load.duckdb")
    slowest = _phases(files.samples, work / "phases.duckdb") if args.phases else ""

    row = {
        "samples": f"{args.samples:,}",
        "file": f"{size_mb:.0f} MB",
        "generate": f"{gen.seconds:.1f} s, {gen.peak_mb:.0f} MB",
        "bare read": f"{bare.seconds:.1f} s, {bare.peak_mb:.0f} MB",
        "load": f"{first.seconds:.1f} s",
        "load / bare": _verdict(first.seconds / bare.seconds, GOAL_LOAD_RATIO),
        "load peak RSS": _verdict(first.peak_mb, GOAL_PEAK_MB, "{:.0f} MB"),
        "repeat": f"{repeat.seconds:.2f} s",
        "repeat / bare": _verdict(repeat.seconds / bare.seconds, GOAL_REPEAT_RATIO),
        "rows loaded": f"{loaded:,}",
        "slowest load phases": slowest or "not timed (--phases)",
        "when": report.today(),
    }
    _print_table(row)
    print(f"first load said: {first.stdout.strip().splitlines()[-1] if first.stdout.strip() else '(nothing)'}")
    print(f"repeat load said: {repeat.stdout.strip().splitlines()[-1] if repeat.stdout.strip() else '(nothing)'}")
    if not args.no_docs:
        _record(row)
        print(f"recorded in {report.DOC}")
    return 0


def _verdict(value: float, goal: float, fmt: str = "{:.2f}x") -> str:
    return f"{fmt.format(value)} ({'met' if value <= goal else 'MISSED'})"


def _count(path: Path) -> int:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM samples").fetchone()[0]
    finally:
        con.close()


def _phases(samples: Path, db_path: Path) -> str:
    """Load once in this process, timing the loader's phase callbacks; the three slowest, as text."""
    from etl import load

    marks: list[tuple[str, float]] = []
    load.load_file(samples, db=db_path, on_phase=lambda text: marks.append((text, time.perf_counter())),
                   source=demo_data.SOURCE)
    marks.append(("end", time.perf_counter()))
    spans = [(name, end - start) for (name, start), (_, end) in zip(marks, marks[1:])]
    spans.sort(key=lambda s: -s[1])
    return "; ".join(f"{name} {secs:.1f} s" for name, secs in spans[:3])


def _print_table(row: dict[str, str]) -> None:
    width = max(len(k) for k in row)
    for key, value in row.items():
        print(f"{key:<{width}}  {value}")


def _record(row: dict[str, str]) -> None:
    keep = [r for r in report.section_table_rows(TITLE)
            if r.split("|")[1].strip() != row["samples"]]
    header = "| " + " | ".join(row) + " |"
    rule = "|" + "|".join("---" for _ in row) + "|"
    line = "| " + " | ".join(row.values()) + " |"
    rows = sorted(keep + [line], key=lambda r: int(r.split("|")[1].strip().replace(",", "") or 0))
    body = f"""
`python -m bench etl --samples N [--phases]` (bench/etl_load.py). Each step runs in its own process so its peak
memory (`ru_maxrss` from `wait4`) is its own:

- **generate**: `python -m etl demo --samples N --no-load` writes N canonical-layout samples (seed 42);
- **bare read**: DuckDB `read_csv` of the same file with explicit all-VARCHAR columns into a table in a new file;
- **load**: `python -m etl load FILE --db NEW` (checks, substance normalisation, detections, snapshot swap);
- **repeat**: the same command again on the same file (should say "unchanged", hashing only).

Goals (issue 2): load within {GOAL_LOAD_RATIO:g}x the bare read, peak memory under 1 GB, repeat under
{GOAL_REPEAT_RATIO:g}x the bare read. Machine: {report.machine()}.

{header}
{rule}
""" + "\n".join(rows) + "\n"
    report.update_section(TITLE, body)
