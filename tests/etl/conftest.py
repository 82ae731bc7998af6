"""Fixtures for the ETL tests: fixture files, an in-process CLI runner, and a query helper."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "etl"

@pytest.fixture
def data_dir() -> Path:
    """tests/data/etl: small messy files, one per problem."""
    return DATA


@pytest.fixture
def cli(isolated_db, capsys):
    """Run ``python -m etl ARGS`` in-process against the isolated warehouse; return (status, stdout, stderr)."""
    from etl.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        try:
            status = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def query(isolated_db):
    """Run SQL read-only against the isolated warehouse and return all rows."""
    def run(sql: str, params=None) -> list[tuple]:
        if os.environ.get("SUPPLYWATCH_WAREHOUSE"):  # the lake of a test taking any_warehouse (tests/conftest.py)
            from supplywatch import db

            con = db.connect_readonly()
        else:
            con = duckdb.connect(str(isolated_db), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return run
