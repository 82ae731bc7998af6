"""The app state's connection: a short-lived, migrated, read-write connection to the app file (DuckDB) or to
PostgreSQL, and the token that changes whenever community alerts change."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Iterator

import duckdb

from . import app_pool, app_postgres, schema
from .migrations import migrate
from .store_paths import app_db_path, app_db_url

AppStoreUnavailable = app_postgres.AppStoreUnavailable


@contextlib.contextmanager
def app_connection(db: str | os.PathLike | None = None, retry_seconds: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection to the app state, migrated to the current schema.

    The app file (DuckDB): another process (the users CLI, a second app server) may hold the file for a moment;
    we retry on DuckDB's lock error for up to ``retry_seconds`` rather than fail. With ``SUPPLYWATCH_APP_DB`` a
    ``postgresql://`` URL: a connection to that database with the same calling convention
    (:mod:`supplywatch.app_postgres`), or :class:`AppStoreUnavailable` in one line when it cannot be reached.
    """
    with app_store(app_db_url() or app_db_path(db), retry_seconds) as con:
        yield con


@contextlib.contextmanager
def app_store(where: str | os.PathLike, retry_seconds: float = 10.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection to the app state at ``where``: a ``postgresql://`` URL or an app file
    (what :func:`app_connection` opens for the configured one, and ``migrate-app`` for both ends of the copy)."""
    if app_postgres.is_url(str(where)):  # a kept connection (supplywatch/app_pool.py) was checked when it was made
        with app_pool.connection(str(where).strip()) as (con, fresh):
            if fresh and schema.APP_MIGRATIONS:
                migrate(con, schema.APP_MIGRATIONS)
            yield con
        return
    con = _connect_app_file(Path(where), retry_seconds)
    try:
        if schema.APP_MIGRATIONS:
            migrate(con, schema.APP_MIGRATIONS)
        yield con
    finally:
        con.close()


def _connect_app_file(path: Path, retry_seconds: float) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            return duckdb.connect(str(path))
        except (duckdb.IOException, duckdb.BinderException) as exc:
            # IOException: another process holds the file. BinderException "Unique file handle conflict": another
            # thread of this process is opening the same file at this instant (seen with 30 parallel sign-ins).
            text = str(exc).lower()
            if ("lock" not in text and "file handle conflict" not in text) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def app_version() -> str:
    """A token that changes whenever community alerts change, for caching what the public board reads.

    The app file: its and its WAL's stat. PostgreSQL: the number of alert audit rows (every alert change appends
    one in its own transaction, nothing is ever deleted, so the count grows with each commit even when ids from the
    sequence commit out of order), and of help-directory loads (shown with every alert). AppStoreUnavailable when the database cannot be reached."""
    url = app_db_url()
    if url:
        with app_store(url) as con:
            return "pg-%d-%d" % con.execute("SELECT (SELECT count(*) FROM alert_audit),"
                                            " (SELECT count(*) FROM help_directory_loads)").fetchone()
    path = app_db_path()
    parts = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            info = p.stat()
            parts.append(f"{info.st_ino}-{info.st_mtime_ns}-{info.st_size}")
        except FileNotFoundError:
            parts.append("-")
    return "/".join(parts)
