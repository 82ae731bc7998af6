"""The warehouse as a DuckLake: a catalog in PostgreSQL, Parquet data files under a data path (docs/scale-out.md).

Chosen with ``SUPPLYWATCH_WAREHOUSE=ducklake:postgres:<libpq dsn>`` (or ``--db ducklake:postgres:...``) plus
``SUPPLYWATCH_DATA_PATH=<folder or s3:// URL>``; :mod:`supplywatch.db` is the only caller. The lake is ATTACHed as
``warehouse``, the name every reader already USEs, so the SQL of the ETL, metrics and pages runs unchanged.

What DuckLake lacks and what stands in (tested in tests/backends):

* PRIMARY KEY / UNIQUE: dropped from the DDL (a key column stays NOT NULL). The ETL already dedupes by anti-join (samples lost their key in
  migration 2), which is only correct with one writer at a time: :func:`writer_lock`.
* sequences and ``DEFAULT nextval(...)``: dropped; the writer gets a TEMP sequence of the same name per load,
  starting after the largest stored value (again correct because writers are serialised).
* non-literal defaults (``DEFAULT false``): written as the text literal DuckLake accepts (``DEFAULT 'false'``).
* ``INSERT OR REPLACE`` and ``RETURNING``: not used on the warehouse (meta is delete-then-insert, run ids are
  taken with ``nextval`` before the insert).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb

from .sql_text import sql_text

PREFIX = "ducklake:postgres:"
SETTING = "SUPPLYWATCH_WAREHOUSE"
DATA_SETTING = "SUPPLYWATCH_DATA_PATH"
CONNECT_TIMEOUT_S = 5
# pg_advisory_lock(int4, int4): one key for every writer of a lake (why one and not one per source: scale-out.md)
LOCK_CLASS = zlib.crc32(b"supplywatch") & 0x7FFFFFFF
LOCK_WRITER = 1
# Test hook (tests/backends/test_proof.py, bench/proof.py): seconds a writer waits with every row written and not yet
# committed, after saying so on stderr, so a test can SIGKILL a real `python -m etl load` at a known point.
HOLD_SETTING = "SUPPLYWATCH_TEST_HOLD_COMMIT"
HOLDING = "holding the load's transaction before COMMIT"


class Unavailable(RuntimeError):
    """The catalog's PostgreSQL does not answer; the message is one line naming the setting and host:port."""


@dataclass(frozen=True)
class Lake:
    """Where the lake is: the catalog's libpq DSN and the data path."""

    dsn: str
    data_path: str

    def __str__(self) -> str:  # what SUPPLYWATCH_WAREHOUSE / --db holds; parse() reads it back
        return PREFIX + self.dsn

    def exists(self) -> bool:  # like Path.exists for callers that skip work on a missing file: a lake is created
        return True

    def where(self) -> str:
        """'host:port' of the catalog, for messages (never the password)."""
        import psycopg.conninfo

        try:
            info = psycopg.conninfo.conninfo_to_dict(self.dsn)
        except psycopg.ProgrammingError:
            return "(unreadable DSN)"
        return f"{info.get('host') or 'localhost'}:{info.get('port') or 5432}"


def is_lake(text: str | os.PathLike | None) -> bool:
    return isinstance(text, Lake) or (isinstance(text, str) and text.startswith(PREFIX))


def parse(text: str | Lake) -> Lake:
    """``ducklake:postgres:<dsn>`` to a :class:`Lake`; the data path comes from SUPPLYWATCH_DATA_PATH."""
    if isinstance(text, Lake):
        return text
    dsn = text[len(PREFIX):].strip()
    if not dsn:
        raise ValueError(f"{SETTING}: nothing after '{PREFIX}' (expected e.g. '{PREFIX}dbname=sw host=db1')")
    data = os.environ.get(DATA_SETTING, "").strip()
    if not data:
        raise ValueError(f"{DATA_SETTING} is not set: the lake's Parquet files need a folder (or s3:// URL) every"
                         f" server and worker reaches")
    if "://" not in data:
        data = str(Path(data).resolve())
    return Lake(dsn, data.rstrip("/") + "/")


# ---------------------------------------------------------------- connections

def _lit(text: str) -> str:
    return sql_text(str(text))


def connect(lake: Lake, extension_dir: Path | None, read_only: bool = False, snapshot: int | None = None,
            temp_directory: str | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB with the lake ATTACHed as ``warehouse`` and USEd; pinned to ``snapshot`` if given.

    The extensions load from ``extension_dir`` (the pinned PyPI packages' folder, supplywatch.db.EXTENSION_DIR),
    never from the network."""
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if extension_dir is not None:
        config["extension_directory"] = str(extension_dir)
    if temp_directory:
        config["temp_directory"] = temp_directory
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("LOAD ducklake")
        con.execute("LOAD postgres")
        if "://" not in lake.data_path:
            Path(lake.data_path).mkdir(parents=True, exist_ok=True)
        opts = [f"DATA_PATH {_lit(lake.data_path)}"]
        if snapshot is not None:
            opts.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        if read_only:
            opts.append("READ_ONLY")
        con.execute(f"ATTACH {_lit(str(lake))} AS warehouse ({', '.join(opts)})")
        con.execute("USE warehouse")
    except duckdb.Error as exc:
        con.close()
        raise _unavailable(lake, exc) if _is_connection_error(exc) else exc
    return con


def _is_connection_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(s in text for s in ("unable to connect", "connection refused", "could not connect",
                                   "connection to server", "timeout expired", "server closed the connection",
                                   "could not translate host", "no route to host", "terminating connection"))


def _unavailable(lake: Lake, exc: Exception) -> Unavailable:
    return Unavailable(f"the warehouse catalog ({SETTING}) at PostgreSQL {lake.where()} does not answer;"
                       " start PostgreSQL or fix the setting")


def _pg(lake: Lake, application: str = "supplywatch"):
    """A psycopg connection to the catalog database (autocommit), or :class:`Unavailable`."""
    import psycopg

    try:
        return psycopg.connect(lake.dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name=application)
    except psycopg.OperationalError as exc:
        raise _unavailable(lake, exc) from None


_version_cons: dict[str, object] = {}  # dsn -> a psycopg connection kept for snapshot_id (no per-user data)
_version_lock = threading.Lock()
_epoch = [0]  # counts catalog connections found broken: readers re-attach after PostgreSQL restarted


def hold_before_commit() -> None:
    """With ``SUPPLYWATCH_TEST_HOLD_COMMIT=<seconds>`` set (tests only), print :data:`HOLDING` on stderr and wait
    that long before the writer commits; unset (production), nothing. The wait is inside the transaction and
    under the writer lock, which is what a kill there must leave behind: nothing visible, the lock released."""
    seconds = os.environ.get(HOLD_SETTING, "").strip()
    if seconds:
        print(HOLDING, file=sys.stderr, flush=True)
        time.sleep(float(seconds))


def catalog_epoch() -> int:
    """Changes when :func:`snapshot_id` found its catalog connection broken (PostgreSQL restarted or was down):
    DuckDB connections attached before then hold dead catalog sessions and must be opened again."""
    return _epoch[0]


def snapshot_id(lake: Lake) -> int | None:
    """The lake's newest snapshot id (the readers' cache key), None before the lake exists. One small query on
    the catalog over a connection kept per process (a new connection each time cost ~27 ms, on every query of every
    page view); a broken one is replaced once before giving up."""
    import psycopg

    with _version_lock:
        for attempt in (1, 2):
            pg = _version_cons.get(lake.dsn)
            if pg is None or pg.closed:
                pg = _version_cons[lake.dsn] = _pg(lake, application="supplywatch-reader")
            try:
                row = pg.execute("SELECT max(snapshot_id) FROM ducklake_snapshot").fetchone()
                break
            except psycopg.errors.UndefinedTable:
                return None
            except psycopg.OperationalError as exc:
                _epoch[0] += 1
                _version_cons.pop(lake.dsn, None)
                with contextlib.suppress(Exception):
                    pg.close()
                if attempt == 2:
                    raise _unavailable(lake, exc) from None
    return None if row is None or row[0] is None else int(row[0])


class LockHeld(RuntimeError):
    """Another writer holds the lake's lock (``pid``: the holder's, when it said)."""

    def __init__(self, pid: int | None):
        self.pid = pid
        super().__init__(f"another load is running (pid {pid if pid else 'unknown'})")


@contextlib.contextmanager
def writer_lock(lake: Lake, wait: bool = False, timeout: float = 600.0, refused=LockHeld) -> Iterator[None]:
    """Hold the lake's single-writer lock: a PostgreSQL session advisory lock on the catalog database.

    PostgreSQL drops it when the session ends, so a writer killed with ``kill -9`` (its socket closes) or a
    crashed server never leaves it stuck. Without ``wait`` a held lock raises ``refused(pid)`` naming the holder's
    pid (from its application_name; supplywatch.db passes its AnotherLoadRunning)."""
    pg = _pg(lake, application=f"supplywatch-writer pid {os.getpid()}")
    try:
        deadline = time.monotonic() + timeout
        while not pg.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, LOCK_WRITER)).fetchone()[0]:
            if not wait or time.monotonic() > deadline:
                raise refused(_holder_pid(pg))
            time.sleep(0.2)
        yield
    finally:
        pg.close()  # ends the session: the lock goes with it


def _holder_pid(pg) -> int | None:
    row = pg.execute(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s",
        (LOCK_CLASS, LOCK_WRITER)).fetchone()
    match = re.search(r"pid (\d+)", row[0]) if row and row[0] else None
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------- DDL

_SEQ_DEFAULT = re.compile(r"\s+DEFAULT\s+nextval\('(\w+)'\)", re.I)
_BOOL_DEFAULT = re.compile(r"\bDEFAULT\s+(true|false)\b", re.I)
_KEYS = re.compile(r"\s+(PRIMARY\s+KEY|UNIQUE)\b(?!\s*\()", re.I)
_TABLE_KEY = re.compile(r",\s*(PRIMARY\s+KEY|UNIQUE)\s*\([^)]*\)", re.I)
_COMMENT = re.compile(r"--[^\n]*")
_SEQUENCE = re.compile(r"CREATE\s+SEQUENCE\s+\w+[^;]*;", re.I)


def adapt_ddl(sql: str) -> str:
    """A migration as DuckLake takes it (see the module docstring): no keys, no sequences, literal defaults.
    Comments go first (the migrations' comments say 'unique' and 'default' in prose)."""
    sql = _COMMENT.sub("", sql)
    sql = _SEQUENCE.sub("", sql)
    sql = _SEQ_DEFAULT.sub("", sql)
    sql = _TABLE_KEY.sub("", sql)
    sql = _KEYS.sub(lambda m: " NOT NULL" if m.group(1).upper().startswith("PRIMARY") else "", sql)
    return _BOOL_DEFAULT.sub(lambda m: f"DEFAULT '{m.group(1).lower()}'", sql)


def sequences(migrations: list[str]) -> dict[str, tuple[str, str]]:
    """sequence name -> (table, column) it numbers, from the ``DEFAULT nextval('...')`` columns of the migrations."""
    found: dict[str, tuple[str, str]] = {}
    for sql in migrations:
        for stmt in _COMMENT.sub("", sql).split(";"):
            added = re.search(r"ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)[^;]*?nextval\('(\w+)'\)", stmt, re.I)
            if added:
                found[added.group(3)] = (added.group(1), added.group(2))
                continue
            table = re.search(r"CREATE\s+TABLE\s+(\w+)", stmt, re.I)
            for m in re.finditer(r"^\s*(\w+)\s+\w+[^\n]*?nextval\('(\w+)'\)", stmt, re.M):
                if table:
                    found[m.group(2)] = (table.group(1), m.group(1))
    return found


def create_sequences(con: duckdb.DuckDBPyConnection, migrations: list[str]) -> None:
    """TEMP sequences standing in for the warehouse's, each starting after its column's largest stored value
    (only under :func:`writer_lock`: a second writer would start from the same number)."""
    for seq, (table, column) in sequences(migrations).items():
        start = con.execute(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}").fetchone()[0]
        con.execute(f"CREATE OR REPLACE TEMP SEQUENCE {seq} START {int(start)}")


# ---------------------------------------------------------------- maintenance

def data_files(con: duckdb.DuckDBPyConnection) -> int:
    """Parquet data files the current snapshot reads (all tables)."""
    return con.execute(
        "SELECT count(*) FROM __ducklake_metadata_warehouse.ducklake_data_file WHERE end_snapshot IS NULL"
    ).fetchone()[0]


def maintain(con: duckdb.DuckDBPyConnection, older_than_days: int) -> list[tuple[str, int]]:
    """Merge adjacent small files, expire snapshots older than ``older_than_days``, delete the files no snapshot
    reads any more and orphaned files of killed loads. Returns (step, count) lines for the CLI."""
    done = [("data files before", data_files(con))]
    _run(con, "ducklake_merge_adjacent_files('warehouse')")
    done.append(("data files after merging", data_files(con)))
    older = f"now() - INTERVAL {int(older_than_days)} DAY"
    for step, function in ((f"snapshots expired (older than {int(older_than_days)} days)", "expire_snapshots"),
                           ("old files deleted", "cleanup_old_files"),
                           ("orphaned files deleted", "delete_orphaned_files")):
        done.append((step, _run(con, f"ducklake_{function}('warehouse', older_than => {older})")))
    return done


def _run(con: duckdb.DuckDBPyConnection, call: str) -> int:
    """Run a DuckLake table function to the end and count its rows, in SQL: its rows carry TIMESTAMPTZ values,
    which DuckDB hands Python only with pytz, and ``SELECT count(*) FROM f()`` is optimised into not running it."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE maintain_step AS SELECT * FROM {call}")
    n = con.execute("SELECT count(*) FROM maintain_step").fetchone()[0]
    con.execute("DROP TABLE maintain_step")
    return n
