"""Helpers for the backend tests: the lake tests' ETL runner and file counts (the ``lake_env`` fixture itself is in
tests/conftest.py, for the parametrised db, ETL and metrics tests too), and the alert tests' fixtures for app state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LAKE_DATA = ROOT / "tests" / "data" / "lake"


def run_etl(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    """``python -m etl ARGS`` in a child process with this test's environment."""
    return subprocess.run([sys.executable, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def parquet_files(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.parquet"))


from tests.alerts.conftest import cheap_hashes, draft, make_text, now, published_calls, staff  # noqa: E402,F401  (fixtures)
