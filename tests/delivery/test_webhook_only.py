"""A deployment with webhooks and no mail server: the worker (and `make run`) still delivers the webhooks, and mail
waits in the queue untouched until SMTP is configured."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from supplywatch.delivery import subscribers, webhooks

from .conftest import Inbox
from .test_subscriptions import NOW, drain, publish, rows
from .test_webhooks import Receiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_smtp(monkeypatch, subscriber_key, staff, published_calls):
    for name in ("SUPPLYWATCH_SMTP_HOST", "SUPPLYWATCH_SMTP_PORT", "SUPPLYWATCH_SMTP_FROM", "SUPPLYWATCH_SMTP_TLS",
                 "SUPPLYWATCH_SMTP_STARTTLS", "SUPPLYWATCH_SMTP_USER", "SUPPLYWATCH_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SUPPLYWATCH_BASE_URL", "https://alerts.example.org")
    receiver = Receiver()
    yield receiver
    receiver.stop()


def test_webhooks_are_delivered_without_a_mail_server_and_mail_waits(no_smtp, draft, monkeypatch):
    webhooks.register("Island SMS gateway", no_smtp.url, [], "information", "en", "ada", NOW)
    subscribers.subscribe("ana@outreach.example.org", ["Victoria"], "caution", "en", NOW)
    publish(draft)
    report = drain()
    assert (report.sent, report.retried, report.dead) == (1, 0, 0)
    assert len(no_smtp.requests) == 1
    assert rows("SELECT kind, status, attempts, last_error FROM deliveries ORDER BY kind") == [
        ("confirm", "queued", 0, None), ("webhook", "sent", 1, None)]

    # Once a mail server is configured, the waiting confirmation goes out.
    from .conftest import free_port

    port = free_port()
    for name, value in (("SUPPLYWATCH_SMTP_HOST", "127.0.0.1"), ("SUPPLYWATCH_SMTP_PORT", str(port)),
                        ("SUPPLYWATCH_SMTP_STARTTLS", "0"), ("SUPPLYWATCH_SMTP_FROM", "alerts@supplywatch.test")):
        monkeypatch.setenv(name, value)
    box = Inbox(port).start()
    try:
        assert drain().sent == 1
        assert len(box.to("ana@outreach.example.org")) == 1
    finally:
        box.stop()


def test_more_waiting_mail_than_a_batch_does_not_hold_back_a_webhook(no_smtp, draft, monkeypatch):
    from supplywatch.delivery import worker

    monkeypatch.setattr(worker, "BATCH", 2)
    for n in range(3):
        subscribers.subscribe(f"person{n}@outreach.example.org", [], "information", "en", NOW)
    webhooks.register("Outreach chat", no_smtp.url, [], "information", "en", "ada", NOW)
    publish(draft)
    assert drain().sent == 1
    assert len(no_smtp.requests) == 1


def test_a_half_configured_mail_server_is_still_an_error(no_smtp, monkeypatch):
    from supplywatch import cli

    monkeypatch.setenv("SUPPLYWATCH_SMTP_HOST", "127.0.0.1")
    assert cli.main(["deliver", "--once"]) == 1


def _fake_bin(folder: Path, log: Path) -> Path:
    """A venv bin/ whose python and streamlit only record how they were started."""
    folder.mkdir()
    # The fake server gives a worker started in the background up to 5 s to record itself before it exits.
    wait = f"for i in $(seq 50); do grep -q deliver {log} 2>/dev/null && break; sleep 0.1; done\n"
    for name, extra in (("python", ""), ("streamlit", wait)):
        script = folder / name
        script.write_text(f"#!/bin/sh\n{extra}echo \"{name} $*\" >> {log}\n")
        script.chmod(0o755)
    (folder / ".installed").touch()
    os.utime(folder / ".installed", (4102444800, 4102444800))  # newer than requirements.txt
    return folder


@pytest.mark.parametrize("smtp_host", ["", "mail.example.org"])
def test_make_run_starts_the_worker_with_a_key_whether_or_not_smtp_is_set(tmp_path, smtp_host):
    log = tmp_path / "started.log"
    fake = _fake_bin(tmp_path / "bin", log)
    db_file = tmp_path / "warehouse.duckdb"
    db_file.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPLYWATCH_")}
    env.update(SUPPLYWATCH_SUBSCRIBER_KEY="k", SUPPLYWATCH_SMTP_HOST=smtp_host)
    out = subprocess.run(["make", "-s", "run", f"BIN={fake}", f"DB={db_file}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = sorted(log.read_text().splitlines())
    assert lines[0] == "python -m supplywatch deliver"
    assert lines[1].startswith("streamlit run app.py")


def test_make_run_without_a_key_says_why_no_worker(tmp_path):
    log = tmp_path / "started.log"
    fake = _fake_bin(tmp_path / "bin", log)
    db_file = tmp_path / "warehouse.duckdb"
    db_file.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPLYWATCH_")}
    out = subprocess.run(["make", "-s", "run", f"BIN={fake}", f"DB={db_file}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Alert delivery worker not started: set SUPPLYWATCH_SUBSCRIBER_KEY" in out.stdout
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["streamlit"]
