"""`python -m etl demo`: write the synthetic demo files and load them into a fresh, synthetic-marked warehouse.

The warehouse is built beside the target under a temporary name, marked synthetic in
``meta`` and swapped in under the writer lock, so a dashboard that is open sees either the
old data or the complete demo, never a mix. A warehouse holding real (non-synthetic) data is
never overwritten.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from pathlib import Path

from supplywatch import db

from . import demo_data
from .progress import display as progress_display

DEFAULT_OUT = db.ROOT / "data" / "demo"


def _end_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m etl demo``."""
    parser.description = (
        "Write synthetic demo data (about two years, five regions: drug checks, overdose counts, external "
        "alerts) in the canonical CSV layouts, then load it into a fresh warehouse marked synthetic. "
        "Same seed, sample count and end date give identical files.")
    parser.epilog = "What the demo contains and the stories built in: docs/demo-data.md."
    parser.add_argument("--db", metavar="PATH", help="warehouse file to (re)build (default: SUPPLYWATCH_DB or "
                                     "data/supplywatch.duckdb); refused if it holds non-synthetic data")
    parser.add_argument("--seed", type=int, default=42, metavar="N", help="random seed (default 42)")
    parser.add_argument("--samples", type=_count, default=demo_data.DEFAULT_SAMPLES, metavar="N",
                        help=f"number of drug-checking samples (default {demo_data.DEFAULT_SAMPLES:,})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                        help="folder for the generated CSV files (default data/demo)")
    parser.add_argument("--end-date", type=_end_date, default=demo_data.DEFAULT_END, metavar="YYYY-MM-DD",
                        help=f"last day of the synthetic period, YYYY-MM-DD (default "
                             f"{demo_data.DEFAULT_END.isoformat()}, fixed so output is deterministic)")
    parser.add_argument("--no-load", action="store_true", help="only write the CSV files")


def run(args: argparse.Namespace) -> int:
    """Generate, load and mark; print one line per step. Exit status 0 done, 1 refused."""
    files = demo_data.generate(args.out, samples=args.samples, seed=args.seed, end_date=args.end_date)
    print(f"wrote {files.samples} ({args.samples:,} samples), {files.overdoses}, {files.alerts}")
    if args.no_load:
        return 0
    try:
        target = build_warehouse(files, args.db, progress=sys.stdout.isatty(), seed=args.seed)
    except DemoRefused as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    except db.AnotherLoadRunning as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    print(f"loaded the synthetic demo into {target}")
    return 0


class DemoRefused(RuntimeError):
    """The demo cannot be built here (real data in the target, or a file refused by the loader)."""


def build_warehouse(files: demo_data.DemoFiles, target: str | os.PathLike | None = None, progress: bool = False,
                    seed: int | None = None) -> Path:
    """Load ``files`` into a new warehouse, mark it synthetic and swap it in at ``target``; return the path."""
    from . import load  # the loader pulls in the dictionary; import only when loading

    path = db.real_warehouse_path(target)  # a symlinked warehouse stays a link; its target is replaced
    if not isinstance(path, Path):
        raise DemoRefused("the demo builds a warehouse file, not a lake: unset SUPPLYWATCH_WAREHOUSE (or pass --db"
                          " FILE), or load the demo's CSV files into the lake with python -m etl load")
    refuse_if_real(path)
    build = path.with_name(f".{path.stem}.demo-{os.getpid()}{path.suffix or '.duckdb'}")
    _remove_build(build)
    try:
        results = load.load_paths(files.paths(), db=build, progress=progress_display if progress else None,
                                  source=demo_data.SOURCE)
        for result in results:
            print(result.message)
        refused = [r for r in results if not r.ok]
        if refused:
            raise DemoRefused(f"the loader refused the generated file: {refused[0].message}")
        with db.writing_snapshot(build) as con:
            mark_synthetic(con, seed)
        with db.writer_lock(path, wait=True):
            refuse_if_real(path)
            os.replace(build, path)
    finally:
        _remove_build(build)
    return path


def mark_synthetic(con, seed: int | None = None) -> None:
    """Label the warehouse behind ``con`` as synthetic demo data (meta 'synthetic' = 'true')."""
    db.set_meta(con, "synthetic", "true")
    db.set_meta(con, "synthetic_source", demo_data.SOURCE)
    if seed is not None:
        db.set_meta(con, "synthetic_seed", str(seed))


def refuse_if_real(path: Path) -> None:
    """Raise :class:`DemoRefused` when ``path`` holds samples and is not marked synthetic."""
    if not path.exists():
        return
    con = db.connect_readonly(path)
    try:
        synthetic = db.get_meta(con, "synthetic") == "true"
        rows = con.execute("SELECT (SELECT count(*) FROM samples) + (SELECT count(*) FROM overdose_events)"
                           " + (SELECT count(*) FROM alerts)").fetchone()[0]
    finally:
        con.close()
    if rows and not synthetic:
        raise DemoRefused(f"{path} holds real (non-synthetic) data; give the demo its own file with --db")


def _remove_build(build: Path) -> None:
    for p in (build, build.with_name(build.name + ".wal"), build.with_name(build.name + ".lock")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
