"""The SQL that differs between the app state's two backends, DuckDB and PostgreSQL (a connection tells which)."""

from __future__ import annotations


def is_postgres(con) -> bool:
    """True for a connection from :func:`supplywatch.db.app_connection` to PostgreSQL."""
    return getattr(con, "dialect", None) == "postgres"


def row_lock(con) -> str:
    """``FOR UPDATE`` on PostgreSQL (the row stays locked until the transaction ends, so servers take turns on it);
    nothing on DuckDB, whose parser has no locking clause and whose app file one process holds at a time."""
    return " FOR UPDATE" if is_postgres(con) else ""
