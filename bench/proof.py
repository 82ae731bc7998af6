"""Scale-out proof at size: the scenario of tests/backends/test_proof.py (two `streamlit run app.py` servers, two
`python -m etl load` workers, one lake and one PostgreSQL, chromium reading both servers) with four large files,
the worker holding file 2 killed with SIGKILL several times, and PostgreSQL stopped and started once.

It prints a result table (and records it in docs/benchmarks.md unless --no-docs): the scenario's time, each load's
time (queueing for the lock included), page views and their times, and the checks the test asserts: exact sample
ids against the union of the files, none twice, every view one snapshot whose figures it printed, nothing visible
from the killed loads, no traceback. A throwaway PostgreSQL cluster (tests/postgres_cluster.py) is used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from . import report

NAME = "proof"
SUMMARY = "two servers, two workers, kills and a PostgreSQL restart on one lake, at size (default 4 x 200,000)"
TITLE = "Scale-out proof at size"
HEADLINE = "Carfentanil found in down sold as fentanyl."


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench proof", description=__doc__)
    p.add_argument("--per-file", type=report.count, default=200_000,
                   help="samples per file (default 200,000)")
    p.add_argument("--overlap", type=report.count, default=None,
                   help="samples files 2 and 3 share (default a tenth of --per-file)")
    p.add_argument("--kills", type=int, default=3, help="times the worker holding file 2 is killed (default 3)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(report.ROOT))
    from tests import postgres_cluster

    work = Path(tempfile.mkdtemp(prefix="bench-proof-"))
    cluster = postgres_cluster.start_cluster()
    saved = dict(os.environ)
    try:
        return _run(args, work, cluster)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        cluster.remove()
        shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path, cluster) -> int:
    from supplywatch import db
    from tests.alerts.conftest import complete_text
    from tests.backends import proof_scenario as scenario

    overlap = args.overlap if args.overlap is not None else args.per_file // 10
    os.environ.update(scenario.settings(cluster, work))
    for key in (*scenario.UNSET, "SUPPLYWATCH_WARM_CACHE"):
        os.environ.pop(key, None)  # warming stays on, as in production
    files = scenario.make_files(work / "files", per_file=args.per_file, overlap=overlap)
    db.ensure_warehouse()

    out = scenario.run(work, dict(os.environ), files, cluster, lambda: scenario.approve_alert(complete_text()),
                       HEADLINE, kills=args.kills)
    row = _row(args, overlap, files, out)
    for key, value in row.items():
        print(f"{key:<22}  {value}")
    if not args.no_docs:
        _record(row)
        print(f"recorded in {report.DOC}")
    return 0 if row["checks"] == "all held" else 1


def _row(args, overlap: int, files, out) -> dict[str, str]:
    from supplywatch import db
    from tests.backends import proof_scenario as scenario

    reader = db.Warehouse()
    con = reader.cursor()
    stored = con.execute("SELECT count(*), count(DISTINCT sample_id) FROM samples").fetchone()
    ids = {r[0] for r in con.execute("SELECT sample_id FROM samples").fetchall()}
    views = out.readers.views
    one_snapshot = all(len(v.versions) == 1 and v.rejected == scenario.rejected_at(reader, v.versions[0])
                       for v in views)
    failed = [name for name, ok in (
        ("ids", ids == files.union), ("doubles", stored[0] == stored[1]),
        ("one snapshot per view", one_snapshot), ("killed loads invisible", not out.left_by_kills),
        ("loads", all(code == 0 for w in out.workers for _, code, _ in w.finished)),
        ("banner while down", all(v.down_banner for v in out.down)),
        ("alert on server 2", HEADLINE in out.board_after_approval), ("no traceback", not out.tracebacks),
    ) if not ok]
    times = [v.seconds for v in views]
    loads = sorted((name, sec) for w in out.workers for (name, _, _), sec in zip(w.finished, w.seconds))
    return {
        "files": f"4 x {args.per_file:,} ({overlap:,} shared)",
        "kills": str(sum(w.killed for w in out.workers)),
        "scenario": f"{out.seconds:.0f} s",
        "loads": ", ".join(f"{name} {sec:.0f} s" for name, sec in loads),
        "samples stored": f"{stored[0]:,} ({len(files.union):,} expected)",
        "page views": f"{len(views)}, median {statistics.median(times):.1f} s, max {max(times):.1f} s",
        "snapshots seen": str(len({v.versions[0] for v in views if v.versions})),
        "checks": "all held" if not failed else "FAILED: " + ", ".join(failed),
        "when": report.today() + f", load average {os.getloadavg()[0]:.0f}",
    }


def _record(row: dict[str, str]) -> None:
    body = f"""
`python -m bench proof [--per-file N] [--overlap N] [--kills N]` (bench/proof.py): the scenario of
tests/backends/test_proof.py at size. Two Streamlit servers, two `python -m etl load` workers (the one holding file
2 killed with SIGKILL inside its transaction `kills` times), PostgreSQL stopped and started once, one chromium page
per server reading the Data page in turn all along (cache warming on, as in production). Load times include
queueing for the lake's writer lock. Machine: {report.machine()}; the load average is the machine's at the end.

| {' | '.join(row)} |
|{'|'.join('---' for _ in row)}|
| {' | '.join(row.values())} |
"""
    report.update_section(TITLE, body)
