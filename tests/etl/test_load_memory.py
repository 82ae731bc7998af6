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
