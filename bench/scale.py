"""Scale curve on both warehouse backends: one demo file of N samples (0.1M, 1M, 10M) loaded in one go into a new
warehouse file and into a new lake (DuckLake, catalog in PostgreSQL, Parquet under a local data path), then every
supply page's queries on each, cold and warm, beside a bare DuckDB ``read_csv`` of the same file in the same run;
and "two workers vs one" on the lake: two different files loaded by two processes at once against one after the
other.

Each load and read runs as its own process so its peak memory (``ru_maxrss``) is its own. Pages are timed through
the query functions the pages call (``supplywatch.views.QUERIES`` with each page's default arguments,
``views.PAGE_DEFAULT_QUERIES``), in a child process per size and backend: cold = the first run on a fresh
read-only connection (DuckDB reads the file, or the lake's Parquet, from disk), warm = the median of three reruns
on that connection (DuckDB's buffers warm; the dashboard's own cache, keyed by data version, serves a warm page
without any query at all). The lake's catalog is a throwaway PostgreSQL cluster (tests/postgres_cluster.py, one
new database per lake) unless ``--dsn`` names a server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from etl import demo_data

from . import report
from .etl_load import BARE_READ

NAME = "scale"
SUMMARY = ("one file of 0.1M / 1M / 10M demo samples on the file and lake backends: load time, peak RSS, store size,"
           " supply pages cold/warm; two lake workers vs one")
TITLE = "Scale curve (file and lake backends)"
SUPPLY_PAGES = ("overview", "trends", "concentration", "expected_found", "emerging", "samples")
BACKENDS = ("file", "lake")
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
# Bring a kept store to this code's schema (and its folded findings to this code's rule) before timing it.
MIGRATE = "import sys; from supplywatch import db; db.ensure_warehouse(sys.argv[1])"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__)
    p.add_argument("--sizes", default="100000,1000000,10000000",
                   help="comma-separated sample counts (default 100000,1000000,10000000)")
    p.add_argument("--backends", default=",".join(BACKENDS), help="file, lake or both (default file,lake)")
    p.add_argument("--workers", type=report.count, default=1_000_000, metavar="N",
                   help="samples per file for two lake workers vs one (default 1,000,000; 0 skips it)")
    p.add_argument("--memory", default=None, help="SUPPLYWATCH_LOAD_MEMORY for the loads (default: the loader's)")
    p.add_argument("--dsn", help="libpq DSN of a PostgreSQL server for the lakes' catalogs, whose user may create"
                   " databases (default: a throwaway cluster)")
    p.add_argument("--workdir", type=Path, help="folder for the files (default: a temporary folder, removed after)")
    p.add_argument("--keep", action="store_true", help="keep each size's files and stores under --workdir")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    p.add_argument("--pages-only", action="store_true",
                   help="time the pages on the stores a --keep run left under --workdir (each migrated first to"
                        " this code's schema), without generating or loading; prints the table")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        print(f"python -m bench scale: unknown backend {unknown[0]!r} (known: file, lake)", file=sys.stderr)
        return 2
    if args.pages_only:
        if args.workdir is None:
            print("python -m bench scale: --pages-only needs the --workdir of a --keep run", file=sys.stderr)
            return 2
        return _pages_only(args, backends)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        catalogs = _Catalogs(args.dsn, "lake" in backends or args.workers > 0)
        try:
            return _run(args, work, backends, catalogs)
        finally:
            catalogs.close()


class _Catalogs:
    """New, empty PostgreSQL databases for lake catalogs: on ``--dsn``'s server, or on a throwaway cluster."""

    def __init__(self, dsn: str | None, needed: bool):
        self.cluster, self.dsn = None, dsn
        if needed and dsn is None:
            sys.path.insert(0, str(report.ROOT))
            from tests import postgres_cluster

            self.cluster = postgres_cluster.start_cluster()

    def new(self, name: str) -> str:
        if self.cluster is not None:
            return self.cluster.dsn(self.cluster.create_database(name))
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            pg.execute(f'CREATE DATABASE "{name}"')
        return " ".join([*(kv for kv in self.dsn.split() if not kv.startswith("dbname=")), f"dbname={name}"])

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.remove()


def _run(args: argparse.Namespace, work: Path, backends: list[str], catalogs: _Catalogs) -> int:
    """Each size, smallest first; two workers vs one right after the first size at least as large as its files (so
    a long 10M run has it early). The section is rewritten after every step, so a run stopped midway keeps what it
    measured."""
    rows: list[dict] = []
    workers = None
    pending = args.workers > 0
    load_before = os.getloadavg()[0]
    for n in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        rows += _one_size(n, work / str(n), args.memory, backends, catalogs, args.keep)
        if not args.keep:
            shutil.rmtree(work / str(n), ignore_errors=True)  # a 10M file and its warehouse are ~2 GB
        _report(rows, backends, workers, args, load_before)
        if pending and n >= args.workers:
            workers, pending = _two_workers(args.workers, work / "workers", args.memory, catalogs), False
            shutil.rmtree(work / "workers", ignore_errors=True)
            _report(rows, backends, workers, args, load_before)
    if pending:
        workers = _two_workers(args.workers, work / "workers", args.memory, catalogs)
        shutil.rmtree(work / "workers", ignore_errors=True)
        _report(rows, backends, workers, args, load_before)
    print(_table(rows, backends))
    if workers:
        print(_workers_table(workers))
    return 0 if all("error" not in r for r in rows) else 1


def _report(rows: list[dict], backends: list[str], workers: dict | None, args: argparse.Namespace,
            load_before: float) -> None:
    if not args.no_docs:
        _record(_table(rows, backends), workers, args, load_before, os.getloadavg()[0])
        print(f"recorded in {report.DOC}", flush=True)


def _generate(n: int, out: Path, seed: int = 42) -> Path | None:
    gen = report.run_measured([report.python(), "-m", "etl", "demo", "--samples", str(n), "--seed", str(seed),
                               "--out", str(out), "--no-load"])
    if gen.returncode != 0:
        print(f"generator failed: {gen.stderr.strip()}", file=sys.stderr)
        return None
    return out / "samples.csv"


def _load_cmd(samples: Path, source: str = demo_data.SOURCE) -> list[str]:
    return [report.python(), "-m", "etl", "load", str(samples), "--source", source, "--quiet", "--no-signals"]


def _lake_env(dsn: str, data: Path) -> dict[str, str]:
    return {"SUPPLYWATCH_WAREHOUSE": f"ducklake:postgres:{dsn}", "SUPPLYWATCH_DATA_PATH": str(data)}


def _one_size(n: int, work: Path, memory: str | None, backends: list[str], catalogs: _Catalogs,
              keep: bool = False) -> list[dict]:
    samples = _generate(n, work / "files")
    if samples is None:
        return [{"n": n, "backend": b, "error": "generator failed"} for b in backends]
    bare = report.run_measured([report.python(), "-c", BARE_READ, str(samples), str(work / "bare.duckdb"),
                                ",".join(demo_data.SAMPLE_COLUMNS)])
    (work / "bare.duckdb").unlink(missing_ok=True)
    base = {"n": n, "file_mb": samples.stat().st_size / 1e6, "bare_s": bare.seconds, "bare_mb": bare.peak_mb}
    env_memory = {"SUPPLYWATCH_LOAD_MEMORY": memory} if memory else {}
    rows = []
    for backend in backends:
        if backend == "file":
            target, env = str(work / "load.duckdb"), {"SUPPLYWATCH_WAREHOUSE": ""}
            load = report.run_measured(_load_cmd(samples) + ["--db", target], env={**env, **env_memory})
        else:
            env = _lake_env(catalogs.new(f"scale_{n}"), work / "lake")
            (work / "lake.env").write_text(json.dumps(env))
            target = env["SUPPLYWATCH_WAREHOUSE"]
            load = report.run_measured(_load_cmd(samples), env={**env, **env_memory})
        row = {**base, "backend": backend, "load_s": load.seconds, "load_mb": load.peak_mb}
        if load.returncode != 0:
            row["error"] = f"load failed (exit {load.returncode}): {_last_line(load)}"
        else:
            row["store_mb"] = _store_mb(work, backend, env)
            row.update(_time_pages(target, env))
        rows.append(row)
        print(_progress(row), flush=True)
        if not keep:
            shutil.rmtree(work / "lake", ignore_errors=True)
            (work / "load.duckdb").unlink(missing_ok=True)
    return rows


def _kept_store(work: Path, backend: str) -> tuple[str, dict[str, str]] | None:
    """The warehouse a --keep run left for one size and backend, as (target, environment), or None."""
    if backend == "file":
        path = work / "load.duckdb"
        return (str(path), {"SUPPLYWATCH_WAREHOUSE": ""}) if path.exists() else None
    saved = work / "lake.env"
    if not saved.exists():
        return None
    env = json.loads(saved.read_text())
    return env["SUPPLYWATCH_WAREHOUSE"], env


def _time_pages(target: str, env: dict[str, str]) -> dict:
    """Each supply page's default queries in a fresh process: {"pages": {page: [cold, warm]}} or {"error": ...}."""
    pages = report.run_measured([report.python(), "-c", PAGE_TIMES, target, ",".join(SUPPLY_PAGES)], env=env)
    if pages.returncode != 0:
        return {"error": f"page queries failed: {_last_line(pages)}"}
    # DuckDB draws its progress bar on stdout for a query over 2 s, on the same line as the JSON that follows it
    last = pages.stdout.strip().splitlines()[-1]
    return {"pages": json.loads(last[last.index("{"):])}


def _pages_only(args: argparse.Namespace, backends: list[str]) -> int:
    """Re-time the pages on kept stores: each is first brought to this code's schema in its own process (a new
    summary table is built there, not inside the timing), then timed cold and warm as in a full run."""
    rows = []
    load_before = os.getloadavg()[0]
    for n in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        for backend in backends:
            kept = _kept_store(args.workdir / str(n), backend)
            row: dict = {"n": n, "backend": backend}
            if kept is None:
                row["error"] = f"no kept {backend} store under {args.workdir / str(n)}"
            else:
                target, env = kept
                migrate = report.run_measured([report.python(), "-c", MIGRATE, target], env=env)
                row.update({"migrate_s": migrate.seconds} if migrate.returncode == 0 else
                           {"error": f"migration failed: {_last_line(migrate)}"})
                if "error" not in row:
                    row.update(_time_pages(target, env))
            rows.append(row)
            print(f"{n:>10,} samples, {backend}: " + (row.get("error") or ", ".join(
                f"{p} {c:.2f}/{w:.2f} s" for p, (c, w) in row["pages"].items())), flush=True)
    print(_pages_table(rows, backends))
    print(f"1-minute load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after, {report.machine()}")
    return 0 if all("error" not in r for r in rows) else 1


def _pages_table(rows: list[dict], backends: list[str]) -> str:
    """Pages only: one row per size and backend, then 10M / 1M per backend."""
    head = ["backend", "samples", *(f"{p} cold / warm" for p in SUPPLY_PAGES)]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        cells = [r["backend"], f"{r['n']:,}"] + ([r["error"]] + [""] * (len(SUPPLY_PAGES) - 1) if "error" in r else
                                                 [f"{r['pages'][p][0]:.2f} / {r['pages'][p][1]:.2f} s"
                                                  for p in SUPPLY_PAGES])
        lines.append("| " + " | ".join(cells) + " |")
    lines += _ratio_rows(rows, backends, with_load=False)
    return "\n".join(lines)


def _last_line(step: report.Measured) -> str:
    lines = (step.stderr.strip() or step.stdout.strip()).splitlines()
    return lines[-1] if lines else ""


def _store_mb(work: Path, backend: str, env: dict[str, str]) -> float:
    """The warehouse file, or the lake's Parquet files plus its catalog database."""
    if backend == "file":
        return (work / "load.duckdb").stat().st_size / 1e6
    import psycopg

    parquet = sum(f.stat().st_size for f in (work / "lake").rglob("*.parquet"))
    dsn = env["SUPPLYWATCH_WAREHOUSE"].removeprefix("ducklake:postgres:")
    with psycopg.connect(dsn) as pg:
        catalog = pg.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return (parquet + catalog) / 1e6


def _progress(row: dict) -> str:
    head = f"{row['n']:>10,} samples, {row['backend']}: "
    if "error" in row:
        return head + row["error"]
    return (head + f"load {row['load_s']:.1f} s ({row['load_mb']:.0f} MB peak), bare read {row['bare_s']:.1f} s,"
            f" store {row['store_mb']:.0f} MB; "
            + ", ".join(f"{p} {c:.2f}/{w:.2f} s" for p, (c, w) in row["pages"].items()))


def _two_workers(n: int, work: Path, memory: str | None, catalogs: _Catalogs) -> dict | None:
    """Two different files (seeds 42 and 43, two sources) into a new lake: one after the other, then into another
    new lake by two processes at once (each waiting for the lake's writer lock rather than giving up)."""
    files = [_generate(n, work / f"files{seed}", seed) for seed in (42, 43)]
    if None in files:
        return None
    env_memory = {"SUPPLYWATCH_LOAD_MEMORY": memory} if memory else {}
    cmds = [_load_cmd(f, f"{demo_data.SOURCE} {i + 1}") + ["--wait"] for i, f in enumerate(files)]
    env = {**_lake_env(catalogs.new("workers_serial"), work / "serial"), **env_memory}
    serial = [report.run_measured(cmd, env=env) for cmd in cmds]
    env = {**_lake_env(catalogs.new("workers_parallel"), work / "parallel"), **env_memory}
    both: list[report.Measured | None] = [None, None]

    def worker(i: int) -> None:
        both[i] = report.run_measured(cmds[i], env=env)

    threads = [threading.Thread(target=worker, args=(i,)) for i in (0, 1)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    together = time.perf_counter() - started
    failed = [s for s in serial + both if s.returncode != 0]
    if failed:
        print(f"two workers: a load failed: {_last_line(failed[0])}", file=sys.stderr)
        return None
    return {"n": n, "serial": [s.seconds for s in serial], "serial_mb": max(s.peak_mb for s in serial),
            "parallel": [s.seconds for s in both], "parallel_mb": sum(s.peak_mb for s in both),
            "together": together}


def _workers_table(w: dict) -> str:
    one_after = sum(w["serial"])
    lines = ["| lake, 2 files of " + f"{w['n']:,} samples | wall | each load | samples / s | peak RSS |",
             "|---|---|---|---|---|",
             f"| one worker, one file after the other | {one_after:.1f} s | "
             + " + ".join(f"{s:.1f} s" for s in w["serial"])
             + f" | {2 * w['n'] / one_after:,.0f} | {w['serial_mb']:.0f} MB |",
             f"| two workers at once | {w['together']:.1f} s | "
             + " and ".join(f"{s:.1f} s" for s in w["parallel"])
             + f" | {2 * w['n'] / w['together']:,.0f} | {w['parallel_mb']:.0f} MB (both) |",
             f"| two / one | {w['together'] / one_after:.2f}x wall | | {one_after / w['together']:.2f}x | |"]
    return "\n".join(lines)


def _table(rows: list[dict], backends: list[str]) -> str:
    head = ["backend", "samples", "file", "bare read_csv", "load", "load / bare", "load peak RSS", "store"]
    head += [f"{p} cold / warm" for p in SUPPLY_PAGES]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['backend']} | {r['n']:,} | {r['error']} |" + " |" * (len(head) - 3))
            continue
        cells = [r["backend"], f"{r['n']:,}", f"{r['file_mb']:.0f} MB", f"{r['bare_s']:.1f} s, {r['bare_mb']:.0f} MB",
                 f"{r['load_s']:.1f} s", f"{r['load_s'] / r['bare_s']:.1f}x", f"{r['load_mb']:.0f} MB",
                 f"{r['store_mb']:.0f} MB"]
        cells += [f"{r['pages'][p][0]:.2f} / {r['pages'][p][1]:.3f} s" for p in SUPPLY_PAGES]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines + _ratio_rows(rows, backends, with_load=True))


def _ratio_rows(rows: list[dict], backends: list[str], with_load: bool) -> list[str]:
    """Per backend measured at both 1M and 10M: 10M / 1M cold, and whether each page met the goal."""
    lines = []
    for backend in backends:
        by_n = {r["n"]: r for r in rows if r["backend"] == backend and "error" not in r}
        if 1_000_000 in by_n and 10_000_000 in by_n:
            big, one = by_n[10_000_000], by_n[1_000_000]
            cells = [backend, "10M / 1M"]
            if with_load:
                cells += ["", "", f"{big['load_s'] / one['load_s']:.1f}x", "",
                          f"{big['load_mb'] / one['load_mb']:.1f}x", f"{big['store_mb'] / one['store_mb']:.1f}x"]
            for p in SUPPLY_PAGES:
                cold10, cold1 = big["pages"][p][0], one["pages"][p][0]
                met = "met" if cold10 < GOAL_COLD_S and cold10 <= GOAL_RATIO * cold1 else "MISSED"
                cells.append(f"{cold10 / cold1:.1f}x cold ({met})")
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def _record(table: str, workers: dict | None, args: argparse.Namespace, load_before: float,
            load_after: float) -> None:
    cap = args.memory or "the default, 768MB"
    body = f"""
`python -m bench scale [--sizes 100000,1000000,10000000] [--backends file,lake] [--workers 1000000] [--memory
768MB] [--dsn DSN]` (bench/scale.py): one demo file of N samples (seed 42) loaded in one go with `python -m etl
load` into a new warehouse file, and the same file into a new lake (DuckLake, catalog in a new database of a
throwaway PostgreSQL on loopback, Parquet on the local disk), under the load's memory cap
({cap}); each step its own process (peak RSS from `wait4`). Store = the warehouse file, or the lake's
Parquet plus its catalog database. Bare read_csv = DuckDB reading the same file into a table with all-VARCHAR
columns, in the same run. Pages: each supply page's default queries through the functions the page calls, on a
fresh read-only connection: cold = first run (file read from disk), warm = median of three reruns on that
connection (the dashboard's cache would serve a warm page with no query at all). Goal at 10M: every page cold
under {GOAL_COLD_S:g} s and within {GOAL_RATIO:g}x of 1M. Machine: {report.machine()}; 1-minute load average
{load_before:.1f} before and {load_after:.1f} after (a shared machine: treat times as upper bounds). Run
{report.today()}.

{table}
"""
    if workers:
        body += f"""
Two workers vs one on the lake: two different files of {workers['n']:,} samples (seeds 42 and 43, two sources)
loaded into a new lake one after the other by one process each, then into another new lake by two processes
started at once (`python -m etl load --wait`: the second waits for the lake's writer lock).

{_workers_table(workers)}
"""
    report.update_section(TITLE, body)
