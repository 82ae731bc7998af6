"""A load killed part-way leaves the warehouse as it was; a second load is refused (or waits); readers keep old data."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from supplywatch import db as sw_db

ROOT = Path(__file__).resolve().parents[2]
ROWS = 60_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """A canonical samples file large enough that loading it takes a few seconds."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    sites = ["Downtown", "Eastside", "Harbour", "Valley"]
    with open(path, "w") as fh:
        fh.write("sample_id,date,site,region,expected,fentanyl_strip,ftir_components,fentanyl_pct\n")
        for i in range(ROWS):
            fh.write(f"B{i},2025-{1 + i % 12:02d}-{1 + i % 28:02d},{sites[i % 4]},R{i % 5},Fentanyl,"
                     f"{'positive' if i % 3 else 'negative'},Fentanyl HCl;Caffeine;Heroin (Trace),{i % 40}.5\n")
    return path


def start_load(db: Path, path: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", "load", str(path), "--db", str(db), "--quiet", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_snapshot(db: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    """Wait until ``proc`` is writing its private copy of the warehouse; return that copy's path."""
    tmp = db.with_name(f".{db.name}.{proc.pid}.tmp")
    deadline = time.monotonic() + timeout
    while not tmp.exists():
        assert proc.poll() is None, f"load ended before it could be observed: {proc.communicate()}"
        assert time.monotonic() < deadline, "load never started its snapshot"
        time.sleep(0.02)
    return tmp


def seed(db: Path, data_dir: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "etl", "load", str(data_dir / "samples_jan.csv"), "--db", str(db)],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def table_rows(db: Path) -> dict:
    con = sw_db.connect_readonly(db)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("samples", "detections", "load_runs", "rejects", "overdose_events", "alerts")}
    finally:
        con.close()


def test_kill_9_part_way_leaves_the_warehouse_unchanged(tmp_path, big_csv, data_dir):
    db = tmp_path / "w.duckdb"
    seed(db, data_dir)
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    before = table_rows(db)
    proc = start_load(db, big_csv)
    wait_for_snapshot(db, proc)
    time.sleep(0.5)  # well into copying / reading / transforming
    assert proc.poll() is None, "the load finished before the kill; make the fixture bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert table_rows(db) == before
    again = start_load(db, big_csv)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"loaded {ROWS} of {ROWS} rows" in out
    assert len(table_rows(db)["samples"]) == len(before["samples"]) + ROWS


def test_second_load_is_refused_or_waits_and_readers_keep_old_data(tmp_path, big_csv, data_dir):
    db = tmp_path / "w.duckdb"
    seed(db, data_dir)
    reader = sw_db.Warehouse(db)
    cur = reader.cursor()
    assert cur.execute("SELECT count(*) FROM samples").fetchone() == (4,)
    first = start_load(db, big_csv)
    wait_for_snapshot(db, first)
    second = subprocess.run([sys.executable, "-m", "etl", "load", str(data_dir / "toronto_small.csv"), "--db",
                             str(db)], cwd=ROOT, capture_output=True, text=True)
    assert second.returncode == 1
    assert second.stderr.strip() == f"error: another load is running (pid {first.pid})"
    waiting = start_load(db, data_dir / "toronto_small.csv", "--wait")
    # while the load runs, the reader is served the last complete data
    assert cur.execute("SELECT count(*) FROM samples").fetchone() == (4,)
    assert reader.cursor().execute("SELECT count(*) FROM samples").fetchone() == (4,)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    out2, err2 = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err2
    assert "loaded 4 of 4 rows" in out2
    fresh = reader.cursor()
    assert fresh.execute("SELECT count(*) FROM samples").fetchone() == (4 + ROWS,)
    assert fresh.execute("SELECT count(*) FROM overdose_events").fetchone() == (4,)
