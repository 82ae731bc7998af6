"""Time of the alert store's steps (sign-in, draft, review, approve, board reads) and of a full publish with channels."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
from pathlib import Path

from . import report

NAME = "alerts"
SUMMARY = "argon2 sign-in, each lifecycle step and board reads with N alerts stored (default 50), then one real publish"
TITLE = "Alert store and sign-in"
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)


def timed(fn, repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) / repeat


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench alerts", description=__doc__)
    p.add_argument("--alerts", type=int, default=50, help="alerts published before timing (default 50)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SUPPLYWATCH_APP_DB"] = str(Path(tmp) / "app.duckdb")
        os.environ["SUPPLYWATCH_PUBLIC_DIR"] = str(Path(tmp) / "public")
        from supplywatch import auth, channels, db
        from supplywatch.alerts import store

        real_publish = channels.publish_all
        channels.publish_all = lambda *a, **k: {"written": [], "unchanged": []}
        text = {
            "en": {"headline": "Carfentanil found in down sold as fentanyl.", "details": "Two samples.",
                   "what_to_do": "- Carry naloxone."},
            "fr": {"headline": "Carfentanil trouvé dans du down.", "details": "Deux échantillons.",
                   "what_to_do": "- Ayez de la naloxone."},
        }
        t = {}
        t["open app file (migrated)"] = timed(lambda: db.app_connection().__enter__().close(), 10)
        t["argon2 hash (default cost)"] = timed(lambda: auth.HASHER.hash("correct horse battery"), 5)
        auth.add_user("pat", "poster", "correct horse battery", "bench", NOW)
        auth.add_user("rae", "reviewer", "correct horse battery", "bench", NOW)
        t["sign-in (argon2 verify + audit)"] = timed(lambda: auth.authenticate("pat", "correct horse battery", NOW), 5)

        def cycle(i):
            a = store.create_draft(text=text, severity="caution", regions=[f"Region {i % 5}"], actor="pat", now=NOW)
            store.submit_for_review(a.alert_id, "pat", NOW)
            store.approve(a.alert_id, "rae", NOW)

        started = time.perf_counter()
        for i in range(args.alerts):
            cycle(i)
        fill = time.perf_counter() - started
        t[f"draft + submit + approve (x{args.alerts}, each)"] = fill / args.alerts
        t[f"active_alerts with {args.alerts} active"] = timed(lambda: store.active_alerts(NOW), 5)
        t["past_alerts (history view)"] = timed(lambda: store.past_alerts(NOW), 5)
        t["staff_queue"] = timed(store.staff_queue, 5)
        t["expire_due, nothing due"] = timed(lambda: store.expire_due(NOW), 5)
        channels.publish_all = real_publish
        t[f"refresh_public cold, {args.alerts} alerts (every file)"] = timed(lambda: store.refresh_public(NOW))
        started = time.perf_counter()
        cycle(args.alerts)
        t["one more alert approved, with real channels (warm)"] = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [f"{name}: {sec * 1000:.1f} ms" if sec < 1 else f"{name}: {sec:.1f} s" for name, sec in t.items()]
    lines.append(f"peak RSS of the process: {peak:.0f} MB")
    report.record(TITLE, lines, no_docs=args.no_docs, how=(
        "`python -m bench alerts --alerts N` (bench/alerts.py): the app file in a temporary folder; each step as "
        "the pages and CLI call it (each opens its own short connection). Channel writing is stubbed while N "
        "alerts are published, then real."), note=(
        "Every store call opens the app file afresh (so the CLI and other processes can get in), which is "
        "most of a step's cost; argon2 at its default cost dominates sign-in by design."))
    return 0
