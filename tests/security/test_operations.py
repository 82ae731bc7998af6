"""Operations that cannot hurt live data: no time travel on live alerts, honest audit actors, killed loads cleaned
up, symlinked warehouses kept as links."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from supplywatch import auth, cli
from supplywatch.alerts import store

ROOT = Path(__file__).resolve().parents[2]
TEXT = {
    "en": {"headline": "Carfentanil found in down sold as fentanyl.", "details": "Two samples this week.",
           "what_to_do": "- Carry naloxone."},
    "fr": {"headline": "Carfentanil trouvé dans du down vendu comme fentanyl.",
           "details": "Deux échantillons cette semaine.", "what_to_do": "- Ayez de la naloxone."},
}


@pytest.fixture
def quiet_channels(monkeypatch):
    """Record the public-file writes instead of rendering posters (the channel tests cover the files)."""
    import supplywatch.channels as channels

    calls = []
    monkeypatch.setattr(channels, "publish_all", lambda *a: calls.append(a) or {"written": [1], "unchanged": []})
    return calls


@pytest.fixture
def live_warning(isolated_db, monkeypatch, quiet_channels):
    """A warning published 2 hours ago by two people (pat drafts, rae approves), live for days yet."""
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    for name, role in (("pat", "poster"), ("rae", "reviewer")):
        auth.add_user(name, role, "correct horse battery", actor="test", now=at)
    return _publish(at, expires_at=at + dt.timedelta(days=3))


def _publish(at: dt.datetime, expires_at: dt.datetime):
    alert = store.create_draft(text=TEXT, severity="warning", substances=("carfentanil",), regions=("Victoria",),
                               evidence=("sample S-1",), actor="pat", now=at, expires_at=expires_at)
    store.submit_for_review(alert.alert_id, "pat", at)
    return store.approve(alert.alert_id, "rae", at)


def run(argv, capsys):
    """``python -m supplywatch ARGV`` in-process: (exit status, stdout, stderr)."""
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------- publish --now

REFUSED_NOW = ("error: --now acts as another time and is only allowed with --dry-run"
               " (it would expire live alerts for good)\n")


@pytest.mark.parametrize("now", ["2099-01-01", "2099-01-01T00:00:00+00:00", "2000-01-01"])
def test_publish_with_now_is_refused_and_the_live_warning_stays(live_warning, capsys, now):
    audit_before = store.audit_log()
    code, out, err = run(["publish", "--now", now], capsys)
    assert (code, out, err) == (1, "", REFUSED_NOW)
    assert store.get(live_warning.alert_id).status == "published"
    assert store.audit_log() == audit_before  # nothing written, not even a 'channels_published'


def test_publish_with_now_as_the_operator_typed_it_in_a_shell(live_warning):
    """The command from the incident, as a real process: refused, one line, no traceback, nothing expired."""
    proc = subprocess.run([sys.executable, "-m", "supplywatch", "publish", "--now", "2099-01-01"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", REFUSED_NOW)
    assert store.get(live_warning.alert_id).status == "published"
    assert [r["action"] for r in store.audit_log() if r["action"] == "expired"] == []


def test_dry_run_with_now_says_what_would_expire_and_writes_nothing(live_warning, capsys, quiet_channels, tmp_path):
    audit_before = store.audit_log()
    calls_before = len(quiet_channels)
    code, out, err = run(["publish", "--dry-run", "--now", "2099-01-01"], capsys)
    assert (code, err) == (0, "")
    assert out == (f"would expire {live_warning.key} (expiry {live_warning.expires_at.isoformat()})\n"
                   "would publish 0 active alerts\n"
                   "dry run at 2099-01-01T00:00:00+00:00: nothing written\n")
    assert store.get(live_warning.alert_id).status == "published"
    assert store.audit_log() == audit_before
    assert len(quiet_channels) == calls_before


def test_dry_run_on_the_clock_lists_the_live_alert(live_warning, capsys):
    code, out, _ = run(["publish", "--dry-run"], capsys)
    assert code == 0
    assert out.splitlines()[0] == "would publish 1 active alert"
    assert out.splitlines()[1].startswith("dry run at ") and out.endswith(": nothing written\n")


# ---------------------------------------------------------------- who the audit names

def test_cli_expiry_is_audited_under_the_os_user_not_system(isolated_db, monkeypatch, quiet_channels, capsys):
    monkeypatch.setattr(auth, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)
    for name, role in (("pat", "poster"), ("rae", "reviewer")):
        auth.add_user(name, role, "correct horse battery", actor="test", now=at)
    due = _publish(at, expires_at=at + dt.timedelta(days=1))  # expired a day ago, not yet recorded
    code, out, _ = run(["publish"], capsys)
    assert (code, out) == (0, f"expired {due.key}\nok: 1 public files written\n")
    rows = [r for r in store.audit_log() if r["action"] in ("expired", "channels_published")]
    who = f"cli:{getpass.getuser()}"
    assert [(r["actor"], r["action"]) for r in rows] == [("rae", "channels_published"), (who, "expired"),
                                                          (who, "channels_published"), (who, "channels_published")]
    assert "system" not in {r["actor"] for r in store.audit_log()}


def test_without_a_login_name_the_audit_names_the_uid(monkeypatch):
    def no_name():
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_name)
    assert cli._actor() == f"cli:uid{os.getuid()}"


def test_the_apps_own_expiry_stays_system(live_warning):
    """Expiry recorded by the app itself (public board, staff page) has no person behind it: 'system'."""
    later = live_warning.expires_at + dt.timedelta(minutes=1)
    assert store.expire_due(later) == [live_warning.key]
    assert [r["actor"] for r in store.audit_log() if r["action"] == "expired"] == ["system"]
