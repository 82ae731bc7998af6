"""Publishing one alert to every channel with 10,000 subscribers queued in the same approve, in a fresh process.

Each variant runs in its own new Python process (the font cache lives per process), with
its own temporary app file and public folder: N confirmed subscribers, then alert 1
approved (the first publish of the process: fonts read here), then alert 2 (a later
publish). ``baseline`` makes fpdf2 parse the poster fonts for every poster, as before
supplywatch/channels/poster_fonts.py; ``cached`` is the code as it is. Timings are wall
clock on a shared machine, so the ratio of the two in the same run is the figure to read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import report

NAME = "publish"
SUMMARY = "approve one alert with 10,000 subscribers queued and every channel written, fonts cached vs parsed per poster"
TITLE = "Publishing one alert: every channel and 10,000 subscribers queued"
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)
NOTE = ("CPU time is the process's own, all threads (DuckDB's too); fsync of a public file took about 1 ms here, so "
        "the rest of the wall clock is waiting for a core on a shared machine (load average above). On an idle "
        "machine a publish takes about its CPU time, under the 2 s target; parsing the fonts once saves about 5 % of "
        "it (fpdf2's font parsing is a smaller share than the 3.4 s wall-clock figure measured under load suggested).")


def _child(variant: str, subscribers: int) -> dict:
    """Runs inside the fresh process: the two approvals, timed."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SUPPLYWATCH_APP_DB"] = str(Path(tmp) / "app.duckdb")
        os.environ["SUPPLYWATCH_PUBLIC_DIR"] = str(Path(tmp) / "public")
        os.environ["SUPPLYWATCH_BASE_URL"] = "https://alerts.example.org"
        from supplywatch.alerts import store
        from supplywatch.channels import poster, poster_fonts
        from supplywatch.delivery import queue

        from .delivery import seed_subscribers

        if variant == "baseline":
            poster.add_font = lambda pdf, family, style, path: pdf.add_font(family, style, str(path))
        seed_subscribers(subscribers)
        out = {}
        for n in (1, 2):
            text = {lang: {"headline": f"Carfentanil found in down sold as fentanyl ({n}).",
                           "details": "Two samples checked this week held carfentanil.",
                           "what_to_do": "- Carry naloxone.\n- Don't use alone."} for lang in ("en", "fr")}
            a = store.create_draft(text=text, severity="warning", regions=["Region 1"], actor="pat", now=NOW)
            store.submit_for_review(a.alert_id, "pat", NOW)
            started, cpu = time.perf_counter(), time.process_time()
            store.approve(a.alert_id, "rae", NOW)
            out[f"approve{n}"] = time.perf_counter() - started
            out[f"cpu{n}"] = time.process_time() - cpu
            outcome = store.last_publish()
            assert outcome and outcome.ok, outcome
        out["queued"] = queue.summary().get("queued", 0)
        out["fonts_parsed"] = poster_fonts.parsed()
        out["files"] = sum(1 for p in Path(tmp, "public").rglob("*") if p.is_file())
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench publish", description=__doc__)
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=2, help="fresh processes per variant, alternating (default 2)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    p.add_argument("--child", choices=("baseline", "cached"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.subscribers)))
        return 0
    runs: dict[str, list[dict]] = {"baseline": [], "cached": []}
    for _round in range(args.rounds):
        for variant in runs:
            done = subprocess.run([sys.executable, "-m", "bench", "publish", "--child", variant,
                                   "--subscribers", str(args.subscribers)], capture_output=True, text=True,
                                  cwd=Path(__file__).resolve().parents[1], check=True)
            runs[variant].append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = {v: {k: min(r[k] for r in rs) for k in ("approve1", "approve2", "cpu1", "cpu2")} for v, rs in runs.items()}
    sample = runs["cached"][0]
    lines = [
        f"{variant}: first publish in a fresh process {best[variant]['approve1']:.2f} s wall "
        f"({best[variant]['cpu1']:.2f} s CPU), a later one {best[variant]['approve2']:.2f} s wall "
        f"({best[variant]['cpu2']:.2f} s CPU) (best of {args.rounds})"
        for variant in runs
    ] + [
        f"cached / baseline, CPU time (the wall clock follows the machine's load): first "
        f"{best['cached']['cpu1'] / best['baseline']['cpu1']:.2f}, later "
        f"{best['cached']['cpu2'] / best['baseline']['cpu2']:.2f}",
        f"each approve queued {sample['queued'] // 2:,} of {args.subscribers:,} subscribers and wrote the feeds, "
        f"boards, index, CAP, SMS and both posters ({sample['files']} public files after two alerts); "
        f"font files parsed per process: {sample['fonts_parsed']}",
    ]
    report.record(TITLE, lines, no_docs=args.no_docs, note=NOTE, how=(
        f"`python -m bench publish [--subscribers N] [--rounds R]` (bench/publish.py): in a fresh process per "
        f"run, a temporary app file with N confirmed subscribers, then `store.approve` of one warning alert "
        f"(its transaction queues the matching subscribers in one INSERT ... SELECT; then every public file "
        f"is rewritten), twice. `baseline` parses the poster fonts for every poster as before; `cached` "
        f"parses them once per process (supplywatch/channels/poster_fonts.py)."))
    return 0
