"""``python -m supplywatch migrate-app --to postgresql://...``: an app file in use (accounts, a published alert, a
draft, a signed-in session, a subscriber's audit) copied into PostgreSQL, counted on both sides, re-runnable."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from supplywatch import auth, cli, db, help_directory, staff_sessions
from supplywatch.alerts import store

ROOT = Path(__file__).resolve().parents[2]
TABLES = ["account_audit", "alert_audit", "alert_authors", "alert_versions", "deliveries", "help_directory_loads",
          "help_entries", "signal_suggestions", "staff_sessions", "subscribers", "subscription_audit", "users",
          "webhooks"]


@pytest.fixture
def app_file(staff, draft, now, published_calls) -> Path:
    """4 accounts (4 'user_added' rows), SW-2026-0001 published (created, submitted, published, channels_published:
    4 alert audit rows), SW-2026-0002 a draft (1 more), one staff session, so audit ids run to 4 and 5; the demo
    help directory (13 entries, one load)."""
    a = draft()
    store.submit_for_review(a.alert_id, "pat", now)
    store.approve(a.alert_id, "rae", now)
    draft(severity="warning")
    staff_sessions.redeem(staff_sessions.new_ticket("rae", None, now), now)
    help_directory.load(ROOT / "data" / "help_directory.csv", "rae", now)
    return db.app_db_path()


def rows(where, table: str) -> list[tuple]:
    with db.app_store(where) as con:
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def migrate(url: str, source: Path, capsys) -> tuple[int, list[str]]:
    code = cli.main(["migrate-app", "--to", url, "--from", str(source)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines() + captured.err.splitlines()


EXPECTED = {"account_audit": 4, "alert_audit": 5, "alert_authors": 2, "alert_versions": 2, "deliveries": 0,
            "help_directory_loads": 1, "help_entries": 13, "signal_suggestions": 0, "staff_sessions": 1, "subscribers": 0, "subscription_audit": 0, "users": 4,
            "webhooks": 0}


def test_copies_every_table_prints_the_counts_and_can_run_again(app_file, pg_cluster, pg_database, capsys, now):
    url = pg_cluster.url(pg_database)
    for run in (1, 2):  # the second run changes nothing and says the same
        code, out = migrate(url, app_file, capsys)
        assert code == 0, out
        assert out[0] == f"app file {app_file} -> PostgreSQL 127.0.0.1:{pg_cluster.port}"
        assert out[1].split() == ["table", "app", "file", "PostgreSQL"]
        assert {line.split()[0]: (int(line.split()[1]), int(line.split()[2])) for line in out[2:-1]} == {
            t: (n, n) for t, n in EXPECTED.items()}
        assert out[-1] == "copied; the counts match"
    for table in TABLES:
        assert rows(url, table) == rows(app_file, table), table
    os.environ["SUPPLYWATCH_APP_DB"] = url  # the servers switch over (isolated_db's monkeypatch puts it back)
    # the copied hash signs in, and new audit rows take ids past the copied ones: account, alert and subscription
    # audit draw from one sequence, so the 4 + 5 copied rows hold ids 1-9 and the sign-in gets 10
    assert auth.authenticate("rae", "correct horse battery", now).username == "rae"
    assert [r["action"] for r in auth.account_audit("rae", limit=1)] == ["sign_in"]
    with db.app_connection() as con:
        assert con.execute("SELECT max(audit_id) FROM account_audit").fetchone()[0] == 10
    assert store.get("SW-2026-0001").status == "published"


def test_refuses_and_rolls_back_when_postgresql_holds_rows_the_file_does_not(app_file, pg_cluster, pg_database,
                                                                            capsys, now):
    url = pg_cluster.url(pg_database)
    with db.app_store(url) as con:
        con.execute("INSERT INTO users (username, password_hash, role, created_at) VALUES ('zoe', 'x', 'poster', ?)",
                    [auth.naive_utc(now)])
    code, out = migrate(url, app_file, capsys)
    assert code == 1
    assert ["users", "4", "5", "DIFFERENT"] in [line.split() for line in out]
    assert out[-1] == ("error: counts differ in users: PostgreSQL holds rows the app file does not (servers already"
                       " wrote to it?); rolled back, nothing copied")
    assert rows(url, "alert_versions") == []  # nothing of the copy stayed


def test_cli_with_postgresql_down_prints_one_line_naming_the_setting():
    port = 1  # nothing listens there
    env = {**os.environ, "SUPPLYWATCH_APP_DB": f"postgresql://sw:secret@127.0.0.1:{port}/sw"}
    done = subprocess.run([sys.executable, "-m", "supplywatch", "users", "list"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0] == (f"error: the app database in SUPPLYWATCH_APP_DB (127.0.0.1:{port}) cannot be reached:"
                        " Connection refused")
    assert "secret" not in done.stderr and "Traceback" not in done.stderr
