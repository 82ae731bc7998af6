"""Loader fuzz: N hostile CSV-ish files (default 10,000) through etl.load.load_file, each checked as in the suite.

The files come from the same hypothesis strategy as tests/security/test_fuzz_loader.py (which runs 50 of them,
with a fixed seed, in `make test`). Here the seed is drawn or given, generation only (no shrinking), and every
failure is kept in bench/out/fuzz-failures/ with its profile and reject rate so it can be replayed and turned
into a regression test. The checks: no exception escapes the loader, one-line message naming the file, the
warehouse opens, a refused file leaves no data rows, a planted email is never stored.
"""

from __future__ import annotations

import argparse
import collections
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import report

NAME = "fuzz"
SUMMARY = "N hostile CSV-ish files through the loader, checked as in the suite (default 10,000)"
TITLE = "Loader fuzz"
OUT = report.ROOT / "bench" / "out" / "fuzz-failures"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench fuzz", description=__doc__)
    p.add_argument("--files", type=report.count, default=10_000,
                   help="number of files to generate and load (default 10,000)")
    p.add_argument("--seed", type=int, help="hypothesis seed (default: drawn and printed)")
    p.add_argument("--fresh-every", type=int, default=500,
                   help="start a new warehouse every N files so copies stay small (default 500)")
    p.add_argument("--max-seconds", type=float, help="stop after this long and record the files run so far")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    from hypothesis import HealthCheck, Phase, given, seed, settings

    sys.path.insert(0, str(report.ROOT))
    from tests.security.fuzz_files import PROFILES, REJECT_RATES, check_load, csv_files

    args = parse_args(argv)
    run_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    work = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
    statuses: collections.Counter = collections.Counter()
    failures: list[tuple[str, str]] = []
    n = 0

    @settings(max_examples=args.files, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @seed(run_seed)
    @given(data=csv_files(), profile=PROFILES, rate=REJECT_RATES)
    def one(data, profile, rate):
        nonlocal n
        if args.max_seconds and time.perf_counter() - started > args.max_seconds:
            raise _TimeUp
        n += 1
        path = work / f"fuzz{n}.csv"
        path.write_bytes(data)
        db = work / f"warehouse{n // args.fresh_every}.duckdb"
        try:
            statuses[check_load(path, db, profile, rate).status] += 1
        except Exception as exc:  # noqa: BLE001 - counting every kind of failure is the point
            text = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            failures.append((f"fuzz{n}.csv profile={profile} rate={rate}", text))
            OUT.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, OUT / path.name)
        path.unlink()
        if n % 500 == 0:
            print(f"{n} files, {len(failures)} failures, {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    try:
        one()
    except _TimeUp:
        print(f"stopped after {args.max_seconds:.0f} s (--max-seconds)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    kinds = collections.Counter(text.split(":")[0] + ": " + _shape(text) for _, text in failures)
    print(f"seed {run_seed}: {n} files in {seconds:.0f} s ({seconds / max(n, 1) * 1000:.0f} ms each);"
          f" {dict(statuses)}; {len(failures)} failures")
    for where, text in failures[:20]:
        print(f"  {where}: {text}")
    if not args.no_docs:
        _record(run_seed, n, seconds, statuses, failures, kinds)
    return 1 if failures else 0


class _TimeUp(Exception):
    """Raised inside the hypothesis loop to stop at --max-seconds."""


def _shape(text: str) -> str:
    """A failure's message without its file name and numbers, to count distinct failures."""
    import re

    return re.sub(r"fuzz\d+\.csv|\d+", "N", text.split(":", 1)[-1]).strip()[:80]


def _record(run_seed, n, seconds, statuses, failures, kinds) -> None:
    row = {
        "files": f"{n:,}", "seed": str(run_seed), "time": f"{seconds:.0f} s", "per file": f"{seconds / n * 1000:.0f} ms",
        "loaded": str(statuses["loaded"]), "unchanged": str(statuses["unchanged"]),
        "refused": str(statuses["refused"]), "failures": str(len(failures)), "distinct": str(len(kinds)),
        "when": report.today(),
    }
    keep = report.section_table_rows(TITLE)
    header = "| " + " | ".join(row) + " |"
    rule = "|" + "|".join("---" for _ in row) + "|"
    body = f"""
`python -m bench fuzz [--files N] [--seed S]` (bench/fuzz_load.py): hostile CSV-ish files from the strategy in
tests/security/fuzz_files.py (random bytes, every encoding the loader meets and UTF-16, BOM, CR / CRLF / LF,
quotes, ragged rows, delimiters, formulas, control and bidi characters, person-level columns and a planted
email) through `etl.load.load_file`, in process, a fresh warehouse every 500 files. A failure is any exception
escaping the loader, a message that is not one line naming the file, a warehouse that does not open, a refused
file that left data rows, or the planted email stored. Failures are kept in bench/out/fuzz-failures/.
Machine: {report.machine()}.

{header}
{rule}
""" + "\n".join(keep + ["| " + " | ".join(row.values()) + " |"]) + "\n"
    if failures:
        body += "\nFailures of the latest run, by kind: " + "; ".join(f"{k} ({c})" for k, c in kinds.items()) + "\n"
    report.update_section(TITLE, body)
