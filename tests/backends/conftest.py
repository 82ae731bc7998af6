"""A lake per test: a fresh PostgreSQL database for its DuckLake catalog and a fresh data path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
LAKE_DATA = ROOT / "tests" / "data" / "lake"


@pytest.fixture
def lake_env(pg_cluster, pg_database, tmp_path, monkeypatch) -> str:
    """SUPPLYWATCH_WAREHOUSE on a fresh catalog database, SUPPLYWATCH_DATA_PATH on a fresh folder; the warehouse
    file setting points at a path that must never be created. Returns the SUPPLYWATCH_WAREHOUSE value."""
    spec = f"ducklake:postgres:{pg_cluster.dsn(pg_database)}"
    monkeypatch.setenv("SUPPLYWATCH_WAREHOUSE", spec)
    monkeypatch.setenv("SUPPLYWATCH_DATA_PATH", str(tmp_path / "lake"))
    monkeypatch.setenv("SUPPLYWATCH_DB", str(tmp_path / "never.duckdb"))
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_DIR", str(tmp_path / "public"))
    return spec


def run_etl(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    """``python -m etl ARGS`` in a child process with this test's environment."""
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def parquet_files(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.parquet"))
