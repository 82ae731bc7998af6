"""Alert mail: enqueueing N confirmed subscribers inside one approve, then the worker's throughput to a local SMTP server."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import socket
import tempfile
import time
from pathlib import Path

from . import report

NAME = "delivery"
SUMMARY = ("approve one alert with N confirmed subscribers (default 10,000) queued, then send M mails (default 1000) "
           "and W webhooks (default 200)")
TITLE = "Alert mail: queue and worker"
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)


class _Counter:
    def __init__(self):
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        return "250 OK"


def seed_subscribers(n: int) -> None:
    """Two staff accounts and ``n`` confirmed subscribers in the app file (a third to every region, the rest to one of
    five), with a fresh subscriber key in the environment."""
    from supplywatch import auth, db
    from supplywatch.delivery import keys

    os.environ[keys.ENV] = keys.new_key()
    auth.add_user("pat", "poster", "correct horse battery", "bench", NOW)
    auth.add_user("rae", "reviewer", "correct horse battery", "bench", NOW)
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        for i in range(n):
            address = f"person{i}@example.org"
            con.execute(
                "INSERT INTO subscribers VALUES (?, ?, ?, ?, 'information', ?, NULL, ?, NULL, ?)",
                [secrets.token_hex(16), keys.keyed_hash("address", address), keys.encrypt(address),
                 [f"Region {i % 5}"] if i % 3 else [], "fr" if i % 4 == 0 else "en",
                 auth.naive_utc(NOW), auth.naive_utc(NOW)])
        con.execute("COMMIT")


def _webhooks(n: int, store) -> tuple[int, float]:
    """Register ``n`` webhooks on one loopback receiver, approve an alert, time a webhook-only drain; (posted, s)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from supplywatch.delivery import webhooks, worker

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for i in range(n):
        webhooks.register(f"Org {i}", f"http://127.0.0.1:{server.server_address[1]}/hook/{i}", [], "information",
                          "fr" if i % 4 == 0 else "en", "bench", NOW)
    text = {lang: {"headline": "Xylazine found in down.", "details": "One sample.", "what_to_do": "- Carry naloxone."}
            for lang in ("en", "fr")}
    a = store.create_draft(text=text, severity="caution", regions=["Region 2"], actor="pat", now=NOW)
    store.submit_for_review(a.alert_id, "pat", NOW)
    store.approve(a.alert_id, "rae", NOW)
    os.environ.pop("SUPPLYWATCH_SMTP_HOST", None)  # no mail server: the worker takes webhooks only
    started = time.perf_counter()
    result = worker.drain(now=lambda: NOW)
    took = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    return min(result.sent, len(received)), took


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench delivery", description=__doc__)
    p.add_argument("--subscribers", type=int, default=10_000)
    p.add_argument("--send", type=int, default=1000, help="mails the worker sends while timed (default 1000)")
    p.add_argument("--webhooks", type=int, default=200, help="webhooks posted while timed (default 200)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    args = p.parse_args(argv)
    from aiosmtpd.controller import Controller

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SUPPLYWATCH_APP_DB"] = str(Path(tmp) / "app.duckdb")
        os.environ["SUPPLYWATCH_PUBLIC_DIR"] = str(Path(tmp) / "public")
        from supplywatch import auth, channels, db
        from supplywatch.alerts import store
        from supplywatch.delivery import queue, worker
        from supplywatch.delivery.smtp import Sender, SmtpSettings

        channels.publish_all = lambda *a, **k: {"written": [], "unchanged": []}  # the channels have their own bench
        seed_subscribers(args.subscribers)
        text = {lang: {"headline": "Carfentanil found in down sold as fentanyl.", "details": "Two samples.",
                       "what_to_do": "- Carry naloxone."} for lang in ("en", "fr")}
        a = store.create_draft(text=text, severity="warning", regions=["Region 1"], actor="pat", now=NOW)
        store.submit_for_review(a.alert_id, "pat", NOW)
        started = time.perf_counter()
        store.approve(a.alert_id, "rae", NOW)
        approve = time.perf_counter() - started
        queued = queue.summary().get("queued", 0)

        counter = _Counter()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(counter, hostname="127.0.0.1", port=port)
        controller.start()
        os.environ.update({"SUPPLYWATCH_SMTP_HOST": "127.0.0.1", "SUPPLYWATCH_SMTP_PORT": str(port),
                           "SUPPLYWATCH_SMTP_STARTTLS": "0", "SUPPLYWATCH_SMTP_FROM": "alerts@example.org"})
        with db.app_connection() as con:  # time only the first M: leave the rest for later
            con.execute("UPDATE deliveries SET next_attempt_at = ? WHERE delivery_id > (SELECT min(delivery_id) + ?"
                        " FROM deliveries)", [auth.naive_utc(NOW + dt.timedelta(days=1)), args.send - 1])
        started = time.perf_counter()
        result = worker.drain(now=lambda: NOW, sender=Sender(SmtpSettings.from_env()))
        send = time.perf_counter() - started
        controller.stop()
        hooks, hook_time = _webhooks(args.webhooks, store)
    lines = [
        f"approve one warning, {queued:,} of {args.subscribers:,} subscribers matched and queued in its transaction: "
        f"{approve * 1000:.0f} ms (channels stubbed)",
        f"worker: {result.sent} mails to a loopback SMTP server in {send:.1f} s = {result.sent / send * 60:,.0f} "
        f"per minute ({counter.n} received)",
        f"worker without a mail server: {hooks} webhooks to a loopback HTTP receiver in {hook_time:.1f} s = "
        f"{hooks / hook_time * 60:,.0f} per minute",
    ]
    report.record(TITLE, lines, no_docs=args.no_docs, how=(
        "`python -m bench delivery [--subscribers N] [--send M]` (bench/delivery.py): a temporary app file "
        "with N confirmed subscribers (a third subscribed to every region, the rest to one of five), one "
        "warning alert for one region approved, then the worker sends M of its mails to an aiosmtpd server on "
        "loopback; then W webhooks on a loopback HTTP server get a second alert, posted by the worker with "
        "no SMTP settings (webhooks only)."))
    return 0
