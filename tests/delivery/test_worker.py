"""The delivery worker against a real SMTP server on loopback: retries with backoff while the server is down,
dead letters with their reason, no duplicate after `kill -9` mid-batch, and the `deliver` command."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from supplywatch import cli, db
from supplywatch.alerts import store
from supplywatch.delivery import queue, subscribers, worker

from .conftest import Inbox, confirm_token

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone.utc)
ANA = "ana@outreach.example.org"
pytestmark = pytest.mark.usefixtures("app_backend")  # the queue on the app file and in PostgreSQL alike


def drain(at=NOW):
    return worker.drain(now=lambda: at)


def rows(sql, params=()):
    with db.app_connection() as con:
        return con.execute(sql, list(params)).fetchall()


def test_retried_with_backoff_while_the_server_is_down_then_sent_once(smtp_env, subscriber_key, staff, capsys,
                                                                     monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_TIMEZONE", "America/Vancouver")
    subscribers.subscribe(ANA, ["Victoria"], "caution", "en", NOW)
    report = drain()
    assert (report.sent, report.retried, report.dead) == (0, 1, 0)
    [(status, attempts, error, next_at)] = rows("SELECT status, attempts, last_error, next_attempt_at FROM deliveries")
    assert (status, attempts, next_at) == ("queued", 1, dt.datetime(2026, 11, 27, 8, 1))
    assert error.startswith(f"mail server 127.0.0.1:{smtp_env} unreachable: ConnectionRefusedError")
    assert [p["reason"] for p in queue.problems()] == [error]  # staff see why it waits
    assert cli.main(["subscribers", "problems"]) == 0
    assert capsys.readouterr().out == f"queued: confirmation request (attempts 1, next try 2026-11-27, 12:01\u202fa.m. PST): {error}\n"

    box = Inbox(smtp_env).start()
    try:
        assert drain(NOW + dt.timedelta(seconds=59)).sent == 0  # not due before its backoff
        assert drain(NOW + dt.timedelta(seconds=60)).sent == 1
        assert drain(NOW + dt.timedelta(hours=1)).sent == 0
        assert len(box.to(ANA)) == 1
        assert rows("SELECT status, attempts, last_error FROM deliveries") == [("sent", 2, None)]
    finally:
        box.stop()


def test_backoff_doubles_and_gives_up_after_the_limit(smtp_env, subscriber_key, staff):
    assert [queue.backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    subscribers.subscribe(ANA, [], "caution", "en", NOW)
    at = NOW
    for _ in range(queue.MAX_ATTEMPTS):
        drain(at)
        at += dt.timedelta(hours=2)
    [(status, attempts, error)] = rows("SELECT status, attempts, last_error FROM deliveries")
    assert (status, attempts) == ("dead", 8)
    assert error.startswith(f"gave up after 8 attempts: mail server 127.0.0.1:{smtp_env} unreachable")
    assert rows("SELECT token_enc FROM deliveries") == [(None,)]


def test_a_refused_recipient_is_a_dead_letter_at_once(smtp_env, subscriber_key, staff):
    box = Inbox(smtp_env, refuse=(ANA,)).start()
    try:
        subscribers.subscribe(ANA, [], "caution", "en", NOW)
        subscribers.subscribe("bea@example.org", [], "caution", "en", NOW)
        report = drain()
    finally:
        box.stop()
    assert (report.sent, report.retried, report.dead) == (1, 0, 1)
    assert [(p["kind"], p["status"], p["attempts"], p["reason"]) for p in queue.problems()] == [
        ("confirm", "dead", 1, "recipient refused: 550 5.1.1 <<recipient>>: mailbox unavailable")]


def test_no_duplicate_after_the_worker_is_killed_mid_batch(inbox, draft):
    addresses = [f"person{i:02d}@example.org" for i in range(12)]
    for address in addresses:
        subscribers.subscribe(address, ["Victoria"], "caution", "en", NOW)
    drain()
    for address in addresses:
        assert subscribers.confirm(confirm_token(inbox.to(address)[0]), NOW)
    alert = draft()
    store.submit_for_review(alert.alert_id, "pat", NOW)
    store.approve(alert.alert_id, "rae", NOW)
    inbox.messages.clear()
    inbox.delay = 0.1  # each mail takes a moment, so the kill lands mid-batch

    proc = subprocess.Popen([sys.executable, "-m", "supplywatch", "deliver", "--once"], cwd=ROOT,
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        inbox.wait_for(3)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    first_run = Counter(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts)
    assert 3 <= len(first_run) < 12

    assert rows("SELECT count(*) FROM deliveries WHERE status = 'sending'") != [(0,)]  # claimed, then killed
    drain()
    inbox.delay = 0
    received = Counter(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts)
    assert max(received.values()) == 1  # nobody got the alert twice
    status = dict(rows("SELECT s.subscriber_id, d.status FROM deliveries d JOIN subscribers s USING (subscriber_id)"
                       " WHERE d.kind = 'alert'"))
    assert Counter(status.values())["sent"] + Counter(status.values())["dead"] == 12
    dead = rows("SELECT last_error FROM deliveries WHERE status = 'dead'")
    assert len(dead) <= 1  # only the one message in the server's hands at the kill (journalled "try", no "sent")
    assert all(e == ("the worker stopped while sending; it may or may not have arrived, so it is not sent again",)
               for e in dead)
    assert len(received) in (11, 12) and len(received) >= 12 - len(dead)


def test_deliver_help_names_the_settings(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["deliver", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "--once       send what is due now, then exit" in out
    assert "SUPPLYWATCH_SMTP_HOST" in out and "SUPPLYWATCH_SUBSCRIBER_KEY" in out


def test_deliver_refuses_to_start_without_a_key_in_one_line(isolated_db, smtp_env, monkeypatch):
    monkeypatch.delenv("SUPPLYWATCH_SUBSCRIBER_KEY", raising=False)
    proc = subprocess.run([sys.executable, "-m", "supplywatch", "deliver", "--once"], cwd=ROOT,
                          env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == ("error: subscriptions are off: set SUPPLYWATCH_SUBSCRIBER_KEY to a key from "
                           "`python -m supplywatch subscribers new-key`\n")


def test_deliver_refuses_a_password_in_clear_to_a_remote_server(isolated_db, subscriber_key, monkeypatch, capsys):
    monkeypatch.setenv("SUPPLYWATCH_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("SUPPLYWATCH_SMTP_FROM", "alerts@example.org")
    monkeypatch.setenv("SUPPLYWATCH_SMTP_STARTTLS", "0")
    monkeypatch.setenv("SUPPLYWATCH_SMTP_USER", "alerts")
    monkeypatch.setenv("SUPPLYWATCH_SMTP_PASSWORD", "secret")
    assert cli.main(["deliver", "--once"]) == 1
    assert capsys.readouterr().err == (
        "error: refusing to send the SMTP password unencrypted to mail.example.org: set SUPPLYWATCH_SMTP_STARTTLS=1"
        " or SUPPLYWATCH_SMTP_TLS=1\n")


def test_deliver_once_sends_and_reports(inbox, capsys):
    subscribers.subscribe(ANA, [], "caution", "fr", NOW)
    assert cli.main(["deliver", "--once"]) == 0
    assert capsys.readouterr().out == "sent 1, retry later 0, dead 0\n"
    assert inbox.to(ANA)[0]["Subject"] == "Confirmez votre abonnement aux alertes drogues de Supply Watch"


def test_subscribers_commands_for_staff(inbox, capsys, monkeypatch):
    assert cli.main(["subscribers", "new-key"]) == 0
    key = capsys.readouterr().out.strip()
    from cryptography.fernet import Fernet

    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"
    subscribers.subscribe(ANA, ["Victoria"], "caution", "fr", NOW)
    drain()
    assert subscribers.confirm(confirm_token(inbox.to(ANA)[0]), NOW)
    assert cli.main(["subscribers", "counts"]) == 0
    assert capsys.readouterr().out == "Victoria\tfr\t1\nqueue: sent 1\n"
    assert cli.main(["subscribers", "remove", ANA]) == 0
    assert cli.main(["subscribers", "remove", ANA]) == 0
    assert capsys.readouterr().out == "removed\nnot subscribed\n"
    assert cli.main(["subscribers", "counts"]) == 0
    assert capsys.readouterr().out == "no confirmed subscribers\nqueue: sent 1\n"


def test_a_slow_mail_server_never_holds_up_publishing(inbox, draft):
    """The worker lets go of the app file while it waits on the SMTP server, so a publish gets in at once."""
    subscribers.subscribe(ANA, [], "caution", "en", NOW)
    drain()
    assert subscribers.confirm(confirm_token(inbox.to(ANA)[0]), NOW)
    store.submit_for_review(draft().alert_id, "pat", NOW)
    store.approve("SW-2026-0001", "rae", NOW)
    inbox.delay = 10.0
    inbox.data_started.clear()
    proc = subprocess.Popen([sys.executable, "-m", "supplywatch", "deliver", "--once"], cwd=ROOT,
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert inbox.data_started.wait(30)
        started = time.monotonic()
        second = draft(severity="information")  # below the subscriber's minimum: no second slow mail
        store.submit_for_review(second.alert_id, "pat", NOW)
        store.approve(second.alert_id, "rae", NOW)
        took = time.monotonic() - started
    finally:
        proc.wait(timeout=60)
    assert took < 5.0, f"publishing waited {took:.1f} s for the mail worker (the server takes 10 s a mail)"
    assert store.get(second.alert_id).status == "published"
    assert rows("SELECT alert_id, status FROM deliveries WHERE kind = 'alert'") == [("SW-2026-0001", "sent")]


def test_a_second_worker_on_the_same_app_file_refuses(smtp_env, subscriber_key, staff):
    from supplywatch.delivery import journal

    subscribers.subscribe(ANA, [], "caution", "en", NOW)
    with journal.worker_lock():
        with pytest.raises(journal.WorkerRunning, match=rf"^another delivery worker is running \(pid {os.getpid()}\)$"):
            drain()
    assert rows("SELECT status, attempts FROM deliveries") == [("queued", 0)]


def test_a_journal_left_by_a_killed_worker_settles_each_claimed_row(smtp_env, subscriber_key, staff):
    """sent -> sent; tried without an answer -> dead (never twice); tried and failed or never tried -> queued."""
    from supplywatch.delivery import journal

    for i in range(4):
        subscribers.subscribe(f"p{i}@example.org", [], "caution", "en", NOW)
    with db.app_connection() as con:
        con.execute("UPDATE deliveries SET status = 'sending', claimed_at = ?", [NOW.replace(tzinfo=None)])
    ids = [r[0] for r in rows("SELECT delivery_id FROM deliveries ORDER BY delivery_id")]
    journal.path().write_text(f"try {ids[0]}\nsent {ids[0]}\ntry {ids[1]}\nfail {ids[1]}\ntry {ids[2]}\nsen",
                              encoding="ascii")
    assert worker.recover() == {"sent": 1, "dead": 1, "queued": 2}
    assert rows("SELECT status, attempts, last_error FROM deliveries ORDER BY delivery_id") == [
        ("sent", 1, None), ("queued", 0, None), ("dead", 1, queue.AMBIGUOUS), ("queued", 0, None)]
    assert not journal.path().exists()
