"""app_connection behaves the same on the app file and on PostgreSQL: row counts, transactions, and the DuckDB
exception classes the stores catch for a conflict, a broken constraint and a missing table."""

from __future__ import annotations

import duckdb
import pytest

from supplywatch import db

pytestmark = pytest.mark.usefixtures("app_backend")
ROW = "INSERT INTO staff_sessions VALUES (?, 'ticket', 'rae', NULL, TIMESTAMP '2026-11-27 08:00:00'," \
      " TIMESTAMP '2026-11-27 08:00:00', TIMESTAMP '2026-11-27 09:00:00')"


def test_row_counts_transactions_and_rollback():
    with db.app_connection() as con:
        assert con.execute(ROW, ["a"]).fetchone() == (1,)
        assert con.execute(ROW, ["b"]).fetchall() == [(1,)]
        con.execute("BEGIN TRANSACTION")
        assert con.execute("DELETE FROM staff_sessions WHERE username = ?", ["rae"]).fetchone() == (2,)
        con.execute("ROLLBACK")
        rows = con.execute("SELECT token_hash FROM staff_sessions WHERE next_path IS NULL AND kind LIKE 'tick%'"
                           " ORDER BY 1", []).fetchall()
        assert rows == [("a",), ("b",)]
        assert [d[0] for d in con.execute("SELECT token_hash, kind FROM staff_sessions").description] == [
            "token_hash", "kind"]


def test_a_duplicate_key_is_a_constraint_exception():
    with db.app_connection() as con:
        con.execute(ROW, ["a"])
        with pytest.raises(duckdb.ConstraintException):
            con.execute(ROW, ["a"])
        assert con.execute("SELECT count(*) FROM staff_sessions").fetchone() == (1,)


def test_a_missing_table_is_a_catalog_exception():
    with db.app_connection() as con, pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM no_such_table", [])


def test_two_sessions_updating_one_row_at_once_the_second_gets_a_transaction_exception():
    with db.app_connection() as first, db.app_connection() as second:
        first.execute(ROW, ["a"])
        first.execute("BEGIN TRANSACTION")
        second.execute("BEGIN TRANSACTION")
        second.execute("SELECT count(*) FROM staff_sessions").fetchone()  # both transactions have begun
        first.execute("UPDATE staff_sessions SET next_path = '/one' WHERE token_hash = 'a'")
        first.execute("COMMIT")
        with pytest.raises(duckdb.TransactionException):
            second.execute("UPDATE staff_sessions SET next_path = '/two' WHERE token_hash = 'a'")
            second.execute("COMMIT")
        second.execute("ROLLBACK")
        assert first.execute("SELECT next_path FROM staff_sessions").fetchone() == ("/one",)
