"""Schema migrations and the ``meta`` facts of a store (warehouse file, lake or app state): the version a file
is at, bringing it to the current one, and one key/value fact at a time."""

from __future__ import annotations

import duckdb

from . import schema
from .sql_dialect import is_postgres
from .sql_text import sql_text as _sql_text

MIGRATION_LOCK = 7_253_001  # pg_advisory_xact_lock key held while one server migrates the app database


class SchemaTooNew(RuntimeError):
    """The file was written by a newer Supply Watch; refuse rather than guess."""


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Number of migrations applied to the file (or PostgreSQL database) behind ``con`` (0 for a new one)."""
    has_meta = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = current_schema()"
        " AND table_catalog = current_database()"
    ).fetchone()[0]
    if not has_meta:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection, migrations: list[str], adapt=None) -> int:
    """Apply the migrations this file has not seen yet, in one transaction; return the new version.

    On PostgreSQL several servers may start at once: the migration takes a transaction-scoped advisory lock and
    reads the version again under it (READ COMMITTED, so it sees what a server before it committed), and adds the
    constraints only PostgreSQL can hold (schema.APP_POSTGRES_CONSTRAINTS).

    ``adapt`` rewrites each migration first (the lake's DDL: :func:`lake.adapt_ddl`). On a lake each statement
    commits on its own, under the writer lock, and the version is recorded after each migration: DuckLake cannot
    rename a table created in the same transaction as another is dropped (the rebuilds of migrations 2 and 3)."""
    if adapt is not None:
        return _migrate_by_statement(con, migrations, adapt)
    current = schema_version(con)
    if current > len(migrations):
        raise SchemaTooNew(
            f"database schema version {current} is newer than this Supply Watch knows ({len(migrations)})"
        )
    if current == len(migrations) and current > 0:
        return current
    postgres = is_postgres(con)
    con.execute("BEGIN ISOLATION LEVEL READ COMMITTED" if postgres else "BEGIN TRANSACTION")
    try:
        if postgres:
            con.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            current = schema_version(con)
            if current >= len(migrations):
                con.execute("COMMIT")
                return current
        con.execute(schema.META)
        for number, sql in enumerate(migrations[current:], start=current + 1):
            con.execute(sql)
            if postgres and migrations is schema.APP_MIGRATIONS:
                for extra in schema.APP_POSTGRES_CONSTRAINTS.get(number, ()):
                    con.execute(extra)
        con.execute(f"INSERT INTO meta VALUES ('schema_version', '{len(migrations)}')"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(migrations)


def _migrate_by_statement(con: duckdb.DuckDBPyConnection, migrations: list[str], adapt) -> int:
    current = schema_version(con)
    if current > len(migrations):
        raise SchemaTooNew(
            f"database schema version {current} is newer than this Supply Watch knows ({len(migrations)})"
        )
    con.execute(adapt(schema.META))
    for number, sql in enumerate(migrations[current:], start=current + 1):
        for statement in adapt(sql).split(";"):
            if statement.strip():
                con.execute(statement)
        set_meta(con, "schema_version", str(number))
    return len(migrations)


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    """Store one key/value fact about the file (``synthetic``, ``built_at`` ...).

    Delete then insert, not INSERT OR REPLACE: a lake's tables have no primary key to replace on."""
    con.execute(f"DELETE FROM meta WHERE key = {_sql_text(key)}")
    con.execute(f"INSERT INTO meta VALUES ({_sql_text(key)}, {_sql_text(value)})")


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """Read one fact from ``meta``; None when absent."""
    try:
        row = con.execute(f"SELECT value FROM meta WHERE key = {_sql_text(key)}").fetchone()
    except duckdb.CatalogException:
        return None
    return row[0] if row else None
