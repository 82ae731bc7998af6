"""The count stamp every load-kept summary records: which rule built it and from how many stored samples and
detections, so a reader can tell a summary it may use from one that was written around.

Every writer in the product keeps the summaries (supplywatch.kept_summaries, supplywatch.weekly_positivity,
supplywatch.first_seen) inside its own transaction. A script or a test fixture that inserts or deletes samples or
detections directly does not: the stored counts then differ from the stamp, and readers compute from the samples
instead of showing a summary that misses rows (the next writer rebuilds it). A summary is also rebuilt when the
code that fills it changes (its ``rule``: a short hash of the SQL that fills it).
"""

from __future__ import annotations

import hashlib

import duckdb

from .sql_text import sql_literals


def rule_of(*texts: str) -> str:
    """A short hash of the SQL (and anything else) a summary is filled by."""
    return hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]


def stamp(con: duckdb.DuckDBPyConnection) -> str:
    """How many samples and detections are stored now."""
    samples, detections = con.execute(
        "SELECT (SELECT count(*) FROM samples), (SELECT count(*) FROM detections)").fetchone()
    return f"{samples}/{detections}"


def is_current(con: duckdb.DuckDBPyConnection, key: str, rule: str) -> bool:
    """True when the summary recorded under ``key`` was built by ``rule`` from the samples and detections stored
    now (readers may use it)."""
    try:
        row = con.execute(f"SELECT value FROM meta WHERE key = {sql_literals([key])}").fetchone()
        return row is not None and row[0] == f"{rule}@{stamp(con)}"
    except duckdb.Error:  # a file from before the migration that made the table
        return False


def record(con: duckdb.DuckDBPyConnection, key: str, rule: str) -> None:
    """Record that the summary ``key`` was built by ``rule`` and matches the stored counts now."""
    con.execute(f"DELETE FROM meta WHERE key = {sql_literals([key])}")  # a lake's meta has no key to replace
    con.execute(f"INSERT INTO meta VALUES ({sql_literals([key, f'{rule}@{stamp(con)}'])})")
