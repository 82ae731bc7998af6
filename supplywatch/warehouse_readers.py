"""Reading the warehouse: a read-only connection that sees the current file or lake snapshot, the version
token that changes with every load (the cache key), and the process-wide :class:`Warehouse` that follows it."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

from . import findings, lake, metrics, schema
from .migrations import SchemaTooNew, schema_version
from .sql_text import sql_text
from .store_paths import EXTENSION_DIR, warehouse_path
from .warehouse_writer import writing_snapshot


def ensure_warehouse(db: str | os.PathLike | None = None) -> Path:
    """Create an empty warehouse, or migrate an old one, so read-only opens always work.

    A file whose folded findings are missing or from another matching rule is refreshed the same way
    (supplywatch.findings), so a version that changes the rule costs one rewrite, not slower pages until the
    next load."""
    path = warehouse_path(db)
    if isinstance(path, lake.Lake) and lake.snapshot_id(path) is None:
        pass  # a new lake: the writer below creates it
    elif path.exists():
        con = _attach_readonly(path)
        try:
            current = schema_version(con)
            folded = current != len(schema.WAREHOUSE_MIGRATIONS) or (findings.is_current(con)
                                                                     and metrics.summaries_current(con))
        finally:
            con.close()
        if current == len(schema.WAREHOUSE_MIGRATIONS) and folded:
            return path
        if current > len(schema.WAREHOUSE_MIGRATIONS):
            raise SchemaTooNew(
                f"{path}: schema version {current} is newer than this Supply Watch knows"
            )
    with writing_snapshot(path, wait=True):
        pass
    return path


def connect_readonly(db: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current warehouse (created empty if missing)."""
    return _attach_readonly(ensure_warehouse(db))


def _attach_readonly(path, snapshot: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-only through ATTACH in a fresh in-memory database.

    ``duckdb.connect(path)`` reuses a process-wide instance keyed by the path, which
    would keep serving the old inode after a swap; ATTACH opens the file anew.
    A lake is attached pinned to the snapshot of ``snapshot`` (a :func:`data_version` token), when given.
    """
    if isinstance(path, lake.Lake):
        pinned = int(snapshot.rsplit("-", 1)[1]) if snapshot and snapshot.startswith("lake-") else None
        return lake.connect(path, EXTENSION_DIR, read_only=True, snapshot=pinned)
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH {sql_text(str(path))} AS warehouse (READ_ONLY)")
    con.execute("USE warehouse")
    return con


def data_version(db: str | os.PathLike | None = None) -> str:
    """A token that changes whenever a load swaps in a new warehouse file.

    Use it as a cache key: results cached under an old token are never served for
    new data, and nothing per-user goes into it. On a lake it is ``lake-<snapshot id>``: every load, on any
    worker, commits a new snapshot, so every server sees it on its next call without a restart.
    """
    path = warehouse_path(db)
    if isinstance(path, lake.Lake):
        sid = lake.snapshot_id(path)
        if sid is None:
            raise FileNotFoundError(f"no lake yet at {path.where()}")
        return f"lake-{sid}"
    st = path.stat()
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


@dataclass
class _Open:
    version: str
    con: duckdb.DuckDBPyConnection


class Warehouse:
    """Process-wide read-only view of the warehouse that follows new snapshots.

    ``cursor()`` hands each caller its own cursor (DuckDB connections are not
    thread-safe; cursors are). When a load has swapped in a new file the next call
    opens it; connections to the old file are closed once no longer current.
    """

    def __init__(self, db: str | os.PathLike | None = None):
        self.path = warehouse_path(db)
        self._lock = threading.Lock()
        self._open: _Open | None = None
        self._checked: str | None = None  # the last version whose schema was checked (or migrated)
        self._pinned: dict[str, duckdb.DuckDBPyConnection] = {}  # a lake: one connection per snapshot read
        self._epoch = lake.catalog_epoch()

    def version(self) -> str:
        """The current file's version token; its schema is checked once per new version, not per cursor
        (opening a 1M-sample file to read its schema version cost ~60 ms on every cold query)."""
        try:
            version = data_version(self.path)
        except FileNotFoundError:
            version = None
        if version is None or version != self._checked:
            ensure_warehouse(self.path)
            version = data_version(self.path)
            self._checked = version
        return version

    def cursor(self, version: str | None = None) -> duckdb.DuckDBPyConnection:
        """A cursor on the current version, or on ``version`` (a cache key the caller already holds) so what it
        reads is exactly that version: on a lake the connection is pinned to that snapshot."""
        if version is None or not isinstance(self.path, lake.Lake):  # a file cannot be pinned: read the current
            version = self.version()
        with self._lock:
            if isinstance(self.path, lake.Lake):
                if lake.catalog_epoch() != self._epoch:  # PostgreSQL restarted: their catalog sessions are dead
                    self._pinned.clear()
                    self._epoch = lake.catalog_epoch()
                if version not in self._pinned:
                    self._pinned[version] = _attach_readonly(self.path, snapshot=version)
                    while len(self._pinned) > 3:  # the newest few; older ones go to the garbage collector
                        self._pinned.pop(next(iter(self._pinned)))
                cur = self._pinned[version].cursor()
            else:
                if self._open is None or self._open.version != version:
                    con = _attach_readonly(self.path, snapshot=version)
                    # Old connections are left for the garbage collector: a cursor handed out a
                    # moment ago may still be reading them.
                    self._open = _Open(version, con)
                cur = self._open.con.cursor()
        cur.execute("USE warehouse")
        return cur
