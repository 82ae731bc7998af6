"""The load's memory cap: a file that cannot fit under it gets one line saying what to set, and nothing changes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _etl(*args, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **env}, timeout=300)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_out_of_memory_is_one_line_naming_the_setting_and_nothing_is_loaded(data_dir, tmp_path):
    wh = tmp_path / "warehouse.duckdb"
    first = _etl("load", data_dir / "samples_jan.csv", "--db", wh, "--quiet", "--no-signals", env={})
    assert first.returncode == 0, first.stderr
    before = _digest(wh)
    beside = sorted(p.name for p in tmp_path.iterdir())

    # 20MB cannot hold even the dictionary install and a 4-row file's steps
    proc = _etl("load", data_dir / "samples_jan_feb.csv", "--db", wh, "--quiet", "--no-signals",
                env={"SUPPLYWATCH_LOAD_MEMORY": "20MB"})

    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        "samples_jan_feb.csv: not loaded, it needed more memory than a load may hold; set SUPPLYWATCH_LOAD_MEMORY"
        " (now 20MB) higher or free memory (the setting caps the memory a load holds before it spills to disk,"
        " e.g. 2GB); nothing loaded\n")
    assert _digest(wh) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == beside  # no copy, spill folder or lock left behind
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM load_runs").fetchone()[0] == 1
    finally:
        con.close()


@pytest.mark.parametrize("setting", ["lots", "768", "-1GB", "1GB; DROP TABLE samples"])
def test_a_memory_setting_that_is_not_a_size_is_refused_in_one_line(data_dir, tmp_path, setting):
    wh = tmp_path / "warehouse.duckdb"
    proc = _etl("load", data_dir / "samples_jan.csv", "--db", wh, "--quiet", "--no-signals",
                env={"SUPPLYWATCH_LOAD_MEMORY": setting})
    assert proc.returncode == 1
    assert proc.stderr == (f"SUPPLYWATCH_LOAD_MEMORY={setting!r} is not a memory size; write it like 768MB or 2GB\n")


def _tables(path: Path) -> dict[str, list[tuple]]:
    """Every stored row a load writes, sample_no aside (a surrogate, numbered per new sample), sorted."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in ("samples", "detections", "rejects", "load_runs"):
            cols = [f'"{c}"' for c, *_ in con.execute(f"DESCRIBE {table}").fetchall()
                    if c not in ("sample_no", "started_at", "finished_at", "file_path")]
            out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        # each detection still points at its own sample through sample_no
        out["mismatched"] = con.execute("SELECT count(*) FROM detections d LEFT JOIN samples s USING (sample_no)"
                                        " WHERE s.sample_id IS DISTINCT FROM d.sample_id").fetchone()[0]
        return out
    finally:
        con.close()


def test_writing_in_pieces_stores_exactly_what_one_piece_does(data_dir, tmp_path, monkeypatch):
    """Repeats inside a piece, across pieces and across files; rejects and a blank line between them. Rows without
    a sample_id are each a sample (numbered by their natural key), so three identical ones load as three."""
    from etl import load, load_memory

    files = [data_dir / "samples_jan.csv", data_dir / "samples_jan_feb.csv", data_dir / "samples_repeats.csv",
             data_dir / "samples_repeats.csv"]  # the same bytes again: unchanged

    def run(pieces: int | None, db: Path) -> list[tuple]:
        if pieces:
            monkeypatch.setattr(load_memory, "rows_per_piece", lambda: pieces)
        results = [load.load_file(f, db=db, max_reject_rate=1.0) for f in files]
        return [(r.status, r.message, r.rows_read, r.rows_loaded, r.rows_duplicate, r.rows_rejected)
                for r in results]

    whole = run(None, tmp_path / "whole.duckdb")
    pieces = run(2, tmp_path / "pieces.duckdb")

    assert pieces == whole
    assert whole[2] == ("loaded", "samples_repeats.csv: loaded 9 of 13 rows (3 duplicates skipped, 1 rejected)"
                                  " as samples with profile canonical_samples", 13, 9, 3, 1)
    assert _tables(tmp_path / "pieces.duckdb") == _tables(tmp_path / "whole.duckdb")
    assert _tables(tmp_path / "pieces.duckdb")["mismatched"] == 0


def test_a_file_bigger_than_the_memory_cap_loads(tmp_path):
    """200,000 demo samples under a 100MB cap: DuckDB ran out of memory writing them all at once."""
    from etl import demo_data

    files = demo_data.generate(tmp_path / "files", samples=200_000, seed=42)
    wh = tmp_path / "warehouse.duckdb"
    proc = _etl("load", files.samples, "--db", wh, "--quiet", "--no-signals",
                env={"SUPPLYWATCH_LOAD_MEMORY": "100MB"})

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == ("samples.csv: loaded 200000 of 200000 rows (0 duplicates skipped,"
                                           " 0 rejected) as samples with profile canonical_samples")
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("SELECT count(*), count(DISTINCT sample_no) FROM samples").fetchone() == (200_000, 200_000)
        assert con.execute("SELECT count(*) FROM detections d LEFT JOIN samples s USING (sample_no)"
                           " WHERE s.sample_id IS DISTINCT FROM d.sample_id").fetchone()[0] == 0
    finally:
        con.close()


@pytest.mark.parametrize("setting, rows", [(None, 375_000), ("768MB", 375_000), ("2G", 976_562), ("1.5GiB", 786_432),
                                           (" 100mb ", 48_828), ("1MB", 10_000)])
def test_rows_per_piece_follow_the_cap(monkeypatch, setting, rows):
    from etl import load_memory

    if setting is None:
        monkeypatch.delenv("SUPPLYWATCH_LOAD_MEMORY", raising=False)
    else:
        monkeypatch.setenv("SUPPLYWATCH_LOAD_MEMORY", setting)
    assert load_memory.rows_per_piece() == rows


@pytest.mark.parametrize("cap, threads, expected", [
    ("100MB", 2, 1),     # two threads' unspillable blocks did not fit beside a 200,000-sample load's tables
    ("768MB", 2, 2),     # the default keeps both threads of a 2-core machine
    ("768MB", 8, 3),
    ("2GB", 8, 7),
    ("1MB", 4, 1),       # never none
    ("16GB", 1, 1),      # never more than DuckDB's own
])
def test_threads_follow_the_cap(cap, threads, expected):
    from etl import load_memory

    assert load_memory.threads_for(load_memory.cap_bytes(cap), threads) == expected


def test_the_load_connection_runs_with_the_capped_threads(monkeypatch):
    from etl import load_memory

    monkeypatch.setenv("SUPPLYWATCH_LOAD_MEMORY", "100MB")
    con = duckdb.connect()
    con.execute("SET threads = 2")
    assert load_memory.apply(con) == "100MB"
    assert con.execute("SELECT current_setting('threads'), current_setting('memory_limit')").fetchone() == (1, "95.3 MiB")
