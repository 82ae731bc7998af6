"""Reuse of app-state connections to PostgreSQL within one process (a few idle ones kept per database URL).

Measured (bench/app_connections.py, docs/benchmarks.md): a unit of work on a new connection (connect, migration
check, query, close) cost ~93 ms median on the busy shared machine, the same query on a kept connection ~2 ms. Every
public page view may ask for the alerts' version (at most once a second per process) and a staff page makes several
units of work, so each server process paid that connect again and again, and PostgreSQL forked a backend for each.

Why a small idle list and not one connection per thread: Streamlit runs each page run on a thread that often ends
with the run, so per-thread connections would seldom be reused. Why not psycopg_pool: it is a separate package with
its own worker threads, for a need this size covers in a few lines.

Rules that keep reuse safe:

* A connection goes back only if it is idle outside any transaction (psycopg's ``transaction_status``); a caller
  that left a transaction open or failed, or raised, closes it instead. Autocommit and SERIALIZABLE are per
  connection settings made at connect, so a reused one behaves like a new one.
* On checkout a kept connection is pinged (``SELECT 1``, ~1 ms); one that fails (PostgreSQL restarted, the
  database dropped) is closed with every other kept one of that URL, and a new connection is made: a restart never
  shows as one failed page.
* At most :data:`MAX_IDLE` kept per URL; nothing per user is kept on a connection (no session settings, no temp
  tables), and only :mod:`supplywatch.db` calls this module.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from . import app_postgres

MAX_IDLE = 4
_idle: dict[str, list[app_postgres.Connection]] = {}
_lock = threading.Lock()


def _take(url: str) -> app_postgres.Connection | None:
    """A kept connection to ``url`` that answers a ping, or None."""
    while True:
        with _lock:
            kept = _idle.get(url)
            con = kept.pop() if kept else None
        if con is None:
            return None
        try:
            con.execute("SELECT 1").fetchone()
            return con
        except Exception:  # noqa: BLE001 - any failure: this one and its siblings are stale
            _close(con)
            clear(url)


def _close(con: app_postgres.Connection) -> None:
    with contextlib.suppress(Exception):
        con.close()


@contextlib.contextmanager
def connection(url: str) -> Iterator[tuple[app_postgres.Connection, bool]]:
    """(connection, fresh) for ``url``: a kept one (fresh False) or a new one (fresh True: the caller checks the
    schema). Given back when the block ends without an exception and the connection is idle, else closed."""
    con = _take(url)
    fresh = con is None
    if fresh:
        con = app_postgres.connect(url)  # AppStoreUnavailable in one line when unreachable
    ok = False
    try:
        yield con, fresh
        ok = True
    finally:
        keep = ok and con.idle()
        if keep:
            with _lock:
                kept = _idle.setdefault(url, [])
                keep = len(kept) < MAX_IDLE
                if keep:
                    kept.append(con)
        if not keep:
            _close(con)


def clear(url: str | None = None) -> None:
    """Close the kept connections of ``url`` (all URLs when None)."""
    with _lock:
        urls = [url] if url is not None else list(_idle)
        dropped = [con for u in urls for con in _idle.pop(u, [])]
    for con in dropped:
        _close(con)
