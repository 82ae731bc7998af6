"""Operations that cannot hurt live data: no time travel on live alerts, honest audit actors, killed loads cleaned
up, symlinked warehouses kept as links."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import signal
import subprocess
import sys
import time
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
    monkeypatch.setattr(channels, "publish_all", lambda *a, **k: calls.append(a) or {"written": [1], "unchanged": []})
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


# ---------------------------------------------------------------- killed loads leave nothing behind

from supplywatch import db as sw_db  # noqa: E402
from tests.etl.test_crash_concurrency import ROWS, big_csv, table_rows  # noqa: E402,F401  (big_csv: a fixture)

ETL_DATA = ROOT / "tests" / "data" / "etl"


def leftovers(db: Path, pid: int) -> list[str]:
    """Names beside the warehouse that belong to process ``pid``'s load (its copy, WAL, spill folder)."""
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(f".{db.name}.{pid}."))


def load(db: Path, path: Path, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", "load", str(path), "--db", str(db), "--quiet"], cwd=ROOT,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def spilling(db: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until ``proc`` has spilled to a folder beside the warehouse (a file inside a folder of its own)."""
    deadline = time.monotonic() + timeout
    while True:
        folders = [p for p in db.parent.iterdir() if p.name.startswith(f".{db.name}.{proc.pid}.") and p.is_dir()]
        if any(any(f.iterdir()) for f in folders if f.exists()):
            return
        assert proc.poll() is None, f"the load ended before it spilled: {proc.communicate()}"
        assert time.monotonic() < deadline, "the load never spilled beside the warehouse"
        time.sleep(0.05)


def test_a_load_killed_while_spilling_is_cleaned_up_by_the_next_load(tmp_path, big_csv):
    db = tmp_path / "w.duckdb"
    assert load(db, ETL_DATA / "samples_jan.csv").wait(120) == 0
    before = table_rows(db)
    killed = load(db, big_csv, SUPPLYWATCH_LOAD_MEMORY="100MB")  # a bounded pool: the load spills to disk
    spilling(db, killed)
    os.kill(killed.pid, signal.SIGKILL)
    killed.communicate()
    assert killed.returncode == -signal.SIGKILL
    litter = leftovers(db, killed.pid)
    assert f".{db.name}.{killed.pid}.tmp" in litter and len(litter) >= 2  # the copy and the spill folder at least
    assert table_rows(db) == before
    nxt = load(db, ETL_DATA / "toronto_small.csv")
    out, err = nxt.communicate(timeout=120)
    assert nxt.returncode == 0, err
    assert leftovers(db, killed.pid) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w-app.duckdb", "w.duckdb", "w.duckdb.lock"]


def test_the_spill_folder_is_set_beside_the_warehouse(tmp_path):
    db = tmp_path / "w.duckdb"
    with sw_db.writing_snapshot(db) as con:
        where = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    assert where == str(tmp_path / f".w.duckdb.{os.getpid()}.spill")
    assert not (tmp_path / f".w.duckdb.{os.getpid()}.spill").exists()  # removed with the copy after the swap


def _litter(db: Path, pid: int, age_s: float = 0) -> list[Path]:
    made = [db.with_name(f".{db.name}.{pid}.tmp"), db.with_name(f".{db.name}.{pid}.tmp.wal"),
            db.with_name(f".{db.name}.{pid}.spill")]
    made[0].write_bytes(b"copy")
    made[1].write_bytes(b"wal")
    made[2].mkdir()
    (made[2] / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"spill" * 100)
    if age_s:
        stamp = time.time() - age_s
        for p in (*made, made[2] / "duckdb_temp_storage_DEFAULT-0.tmp"):
            os.utime(p, (stamp, stamp))
    return made


def test_the_next_load_keeps_a_live_process_files_and_removes_a_dead_ones(tmp_path):
    db = tmp_path / "w.duckdb"
    dead = subprocess.Popen(["true"])
    dead.wait()
    live = subprocess.Popen(["sleep", "120"])
    try:
        gone = _litter(db, dead.pid)
        kept = _litter(db, live.pid)
        strangers = [tmp_path / ".w.duckdb.abc.tmp", tmp_path / f".other.duckdb.{dead.pid}.tmp",
                     tmp_path / f"w.duckdb.{dead.pid}.tmp"]
        for p in strangers:
            p.write_bytes(b"not ours")
        with sw_db.writing_snapshot(db):
            pass
        assert [p.exists() for p in gone] == [False, False, False]
        assert [p.exists() for p in kept] == [True, True, True]
        assert [p.exists() for p in strangers] == [True, True, True]
    finally:
        live.kill()
        live.wait()


def test_a_pid_reused_by_a_newer_process_does_not_keep_old_litter(tmp_path):
    """The files were last written an hour before the process now holding that pid started: not its files."""
    db = tmp_path / "w.duckdb"
    newer = subprocess.Popen(["sleep", "120"])
    try:
        old = _litter(db, newer.pid, age_s=3600)
        with sw_db.writing_snapshot(db):
            pass
        assert [p.exists() for p in old] == [False, False, False]
    finally:
        newer.kill()
        newer.wait()


# ---------------------------------------------------------------- a symlinked warehouse stays a link

@pytest.fixture
def linked(tmp_path):
    """data/w.duckdb -> ../volume/real.duckdb, as on a server whose data lives on another disk."""
    (tmp_path / "volume").mkdir()
    (tmp_path / "data").mkdir()
    target = tmp_path / "volume" / "real.duckdb"
    link = tmp_path / "data" / "w.duckdb"
    link.symlink_to(Path("..") / "volume" / "real.duckdb")
    return link, target


def test_a_load_through_a_symlink_updates_the_target_and_keeps_the_link(linked):
    from etl import load as etl_load

    link, target = linked
    result = etl_load.load_file(ETL_DATA / "samples_jan.csv", db=link)
    assert result.status == "loaded", result.message
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "volume", "real.duckdb")
    assert target.is_file() and not target.is_symlink()
    assert len(table_rows(target)["samples"]) == 4
    again = etl_load.load_file(ETL_DATA / "toronto_small.csv", db=link)
    assert again.status == "loaded", again.message
    assert link.is_symlink()
    assert len(table_rows(target)["overdose_events"]) == 4
    assert sorted(p.name for p in link.parent.iterdir()) == ["w.duckdb"]  # no lock or copy beside the link


def test_the_link_and_its_target_share_one_writer_lock(linked):
    from etl import load as etl_load

    link, target = linked
    with sw_db.writer_lock(target):
        with pytest.raises(sw_db.AnotherLoadRunning, match=rf"another load is running \(pid {os.getpid()}\)"):
            etl_load.load_file(ETL_DATA / "samples_jan.csv", db=link)
    assert not target.exists()


def test_a_demo_built_through_a_symlink_keeps_the_link(linked, tmp_path):
    from etl import demo, demo_data

    link, target = linked
    files = demo_data.generate(tmp_path / "files", samples=50, seed=1)
    demo.build_warehouse(files, link)
    assert link.is_symlink() and target.is_file()
    assert len(table_rows(target)["samples"]) == 50
    assert sorted(p.name for p in link.parent.iterdir()) == ["w.duckdb"]


# ---------------------------------------------------------------- converted input copies stay beside the warehouse

def test_a_converted_copy_of_the_input_lives_beside_the_warehouse(tmp_path, monkeypatch):
    """A cp1252 file is converted to UTF-8 for DuckDB: that copy (it may hold person-level columns until the load
    drops them) is written beside the warehouse under the load's pid, never in the shared /tmp, and removed."""
    from etl import load as etl_load, readers

    db = tmp_path / "w.duckdb"
    made = []
    real = readers.to_utf8
    monkeypatch.setattr(readers, "to_utf8", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    result = etl_load.load_file(ETL_DATA / "cp1252.csv", db=db)
    assert result.status == "loaded", result.message
    assert len(made) == 1
    assert made[0].parent == tmp_path and made[0].name.startswith(f".w.duckdb.{os.getpid()}.")
    assert made[0].suffix == ".csv" and not made[0].exists()


def test_a_killed_loads_converted_copy_is_removed_by_the_next_writer(tmp_path):
    db = tmp_path / "w.duckdb"
    dead = subprocess.Popen(["true"])
    dead.wait()
    copy = tmp_path / f".w.duckdb.{dead.pid}.k3v9x_q1.csv"
    copy.write_text("name,date\nsomeone,2026-01-01\n")
    other = tmp_path / f".w.duckdb.{os.getpid()}.k3v9x_q1.csv"  # a live process's (ours)
    other.write_text("x\n")
    with sw_db.writing_snapshot(db):
        pass
    assert (copy.exists(), other.exists()) == (False, True)


def test_litter_that_cannot_be_removed_never_stops_the_load(tmp_path, monkeypatch, caplog):
    from supplywatch import leftovers

    db = tmp_path / "w.duckdb"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stuck = _litter(db, dead.pid)

    real_rmtree = leftovers.shutil.rmtree

    def refuse(path, *a, **k):  # a spill folder another user owns, say
        if Path(path) == stuck[2]:
            raise PermissionError(13, "Permission denied", str(path))
        return real_rmtree(path, *a, **k)

    monkeypatch.setattr(leftovers.shutil, "rmtree", refuse)
    with sw_db.writing_snapshot(db) as con:
        con.execute("CREATE TABLE probe AS SELECT 1 AS x")
    assert sw_db.connect_readonly(db).execute("SELECT x FROM probe").fetchall() == [(1,)]  # loaded and swapped in
    assert [p.exists() for p in stuck] == [False, False, True]
    assert f"could not remove {stuck[2]}: [Errno 13] Permission denied" in caplog.text
