"""Every connection, lock and snapshot decision, in one place.

Shape (docs/operating.md, "Two files, one writer each"): DuckDB lets one process hold a file read-write and then
blocks every other process, readers included. So there are two files:

* the **warehouse** (``data/supplywatch.duckdb``; ``--db`` or ``SUPPLYWATCH_DB``):
  samples, detections, overdose events, external alerts, load runs. Only the ETL
  writes it, and never in place: a load copies the current file, writes the copy in
  one transaction and swaps it in with ``os.replace``. Readers (the dashboard, the
  CLI's read commands) open it read-only and keep serving the old inode until they
  notice the new version. A crash or ``kill -9`` part-way leaves only stray
  temporary files (removed by the next writer once their process is gone,
  supplywatch.leftovers); the warehouse is untouched. A symlinked warehouse path
  is resolved first, so the link stays a link and its target is replaced.
* the **app file** (``<warehouse stem>-app.duckdb``; ``SUPPLYWATCH_APP_DB``):
  accounts, community alerts, audit. Written by the app in short transactions; each
  unit of work opens and closes it so the ``python -m supplywatch users`` CLI can
  get in between.

The other warehouse backend, for several app servers and ETL workers on one store, is a DuckLake: a catalog in
PostgreSQL and Parquet files under a data path, chosen with ``SUPPLYWATCH_WAREHOUSE=ducklake:postgres:<dsn>`` and
``SUPPLYWATCH_DATA_PATH`` (or ``--db ducklake:postgres:<dsn>``). There a load is one DuckLake transaction under a
PostgreSQL advisory lock, readers pin a snapshot and the data version is its id (supplywatch.lake,
docs/scale-out.md). The functions below pick the backend; nothing else opens DuckDB files.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb

from . import app_pool, app_postgres, findings, lake, leftovers, schema
from .sql_text import sql_literals  # noqa: F401  (db.sql_literals, as the loader calls it)
from .sql_text import sql_text as _sql_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = ROOT / "data" / "supplywatch.duckdb"


def _extension_dir() -> Path | None:
    """Where the pinned PyPI packages duckdb-ext-ducklake / duckdb-ext-postgres put their extension files
    (``duckdb_ext/extensions/v1.4.4/<platform>/``): DuckDB loads them from there, never downloading at run time."""
    import importlib.util

    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "extensions"


EXTENSION_DIR = _extension_dir()


class AnotherLoadRunning(RuntimeError):
    """Raised when a second writer finds the warehouse lock held."""

    def __init__(self, pid: int | None):
        self.pid = pid
        super().__init__(f"another load is running (pid {pid if pid else 'unknown'})")


WarehouseUnavailable = lake.Unavailable  # a lake's catalog does not answer (one line naming the setting)


class SchemaTooNew(RuntimeError):
    """The file was written by a newer Supply Watch; refuse rather than guess."""


# ---------------------------------------------------------------- paths

def warehouse_path(db: str | os.PathLike | None = None) -> "Path | lake.Lake":
    """The warehouse: ``--db`` wins, then ``SUPPLYWATCH_WAREHOUSE`` (a lake), then ``SUPPLYWATCH_DB``, then the
    default file. A ``ducklake:postgres:<dsn>`` value in either gives a :class:`lake.Lake` (whose ``str`` is that
    value again, so it passes through the views' string cache keys)."""
    if lake.is_lake(db):
        return lake.parse(db)
    if db:
        return Path(db)
    chosen = os.environ.get(lake.SETTING, "").strip()
    if chosen:
        if not lake.is_lake(chosen):
            raise ValueError(f"{lake.SETTING} must start with '{lake.PREFIX}' (got {chosen[:30]!r}); unset it to use"
                             " the warehouse file")
        return lake.parse(chosen)
    env = os.environ.get("SUPPLYWATCH_DB")
    return Path(env) if env else DEFAULT_WAREHOUSE


def real_warehouse_path(db: str | os.PathLike | None = None) -> Path:
    """The file behind :func:`warehouse_path` once symlinks are followed: what a writer locks, copies and replaces.

    Replacing the link itself would turn it into a regular file and leave the target (say, on a data disk)
    stale; locking the link's name would let a load through the link and one through the target run at once.
    A lake is returned as it is."""
    wh = warehouse_path(db)
    return wh if isinstance(wh, lake.Lake) else Path(os.path.realpath(wh))


def _lake_anchor() -> Path:
    """Name the lake's local scratch and spill files hang from (supplywatch.leftovers): this host's temp folder."""
    import tempfile

    return Path(tempfile.gettempdir()) / "supplywatch-lake"


def scratch_prefix(db: str | os.PathLike | None = None) -> Path:
    """Path prefix for this process's scratch files beside the warehouse (a converted copy of an input file);
    the folder is created if missing. A killed process's files are removed like its copy (leftovers)."""
    path = real_warehouse_path(db)
    if isinstance(path, lake.Lake):
        path = _lake_anchor()
    path.parent.mkdir(parents=True, exist_ok=True)
    return leftovers.scratch_prefix(path, os.getpid())


def app_db_path(db: str | os.PathLike | None = None) -> Path:
    """The app's read-write file, kept beside the warehouse unless ``SUPPLYWATCH_APP_DB`` says otherwise."""
    env = os.environ.get("SUPPLYWATCH_APP_DB")
    if env and not app_postgres.is_url(env):  # a postgresql:// URL is no file (app_db_url)
        return Path(env)
    wh = warehouse_path(db)
    if isinstance(wh, lake.Lake):
        wh = DEFAULT_WAREHOUSE
    return wh.with_name(f"{wh.stem}-app{wh.suffix or '.duckdb'}")


def public_dir() -> Path:
    """Folder for static public files (feeds, CAP XML, posters): ``SUPPLYWATCH_PUBLIC_DIR`` or ``public/``."""
    env = os.environ.get("SUPPLYWATCH_PUBLIC_DIR")
    return Path(env) if env else ROOT / "public"


# ---------------------------------------------------------------- migrations

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


# ---------------------------------------------------------------- the writer's lock

def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def writer_lock(path: Path, wait: bool = False, timeout: float = 600.0) -> Iterator[None]:
    """Hold the warehouse's single-writer lock (an flock on ``<file>.lock`` holding our pid).

    Without ``wait`` a held lock raises :class:`AnotherLoadRunning` naming the holder's pid.
    The kernel drops an flock when its process dies, so ``kill -9`` never leaves it stuck.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock_path(path)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if not wait or time.monotonic() > deadline:
                    try:
                        pid = int(os.pread(fd, 32, 0).decode().strip() or 0) or None
                    except ValueError:
                        pid = None
                    raise AnotherLoadRunning(pid) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


# ---------------------------------------------------------------- warehouse snapshots

@contextlib.contextmanager
def writing_snapshot(db: str | os.PathLike | None = None, wait: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a private copy of the warehouse, then swap it in.

    The copy is migrated to the current schema before it is yielded. If the block
    raises, the copy is thrown away and the warehouse is as it was. Readers holding
    the old file keep reading it; :func:`data_version` changes after the swap.
    """
    path = real_warehouse_path(db)
    if isinstance(path, lake.Lake):
        with _lake_writing(path, wait) as con:
            yield con
        return
    with writer_lock(path, wait=wait):
        leftovers.remove_stale(path)  # copies and spill folders of killed loads (their pid is gone)
        tmp = leftovers.copy_path(path, os.getpid())
        spill = leftovers.spill_path(path, os.getpid())
        _remove_quietly(tmp)
        _remove_quietly(tmp.with_name(tmp.name + ".wal"))
        if path.exists():
            shutil.copyfile(path, tmp)
        # DuckDB spills beside the warehouse (same disk, cleaned up like the copy), not wherever its default is.
        con = duckdb.connect(str(tmp), config={"temp_directory": str(spill)})
        try:
            con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would land in server logs and CLI output
            migrate(con, schema.WAREHOUSE_MIGRATIONS)
            findings.ensure(con)  # after an upgrade or a change of the matching rule: fold every sample again
            yield con
            con.execute("CHECKPOINT")
            con.close()
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync_dir(path.parent)
        except BaseException:
            with contextlib.suppress(Exception):
                con.close()
            _remove_quietly(tmp)
            _remove_quietly(tmp.with_name(tmp.name + ".wal"))
            raise
        finally:
            shutil.rmtree(spill, ignore_errors=True)


_in_lake_transaction: set[int] = set()  # ids of lake writers' connections, inside the block's one transaction


def begin(con: duckdb.DuckDBPyConnection) -> None:
    """BEGIN the load's transaction; on a lake the writer's block already is one transaction, so nothing to do."""
    if id(con) not in _in_lake_transaction:
        con.execute("BEGIN TRANSACTION")


def commit(con: duckdb.DuckDBPyConnection) -> None:
    """COMMIT the load's transaction; on a lake the writer commits when the block ends (and not if it raises)."""
    if id(con) not in _in_lake_transaction:
        con.execute("COMMIT")


@contextlib.contextmanager
def _lake_writing(lk: lake.Lake, wait: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """The lake's writer: under the lake's advisory lock, a read-write connection whose schema is migrated and
    whose sequences are TEMP ones continuing the stored numbers. The block is the one DuckLake transaction that
    makes its rows visible: the writer BEGINs it before the block and COMMITs after (:func:`begin` / :func:`commit` inside the block do nothing); if the block raises, or the process dies,
    nothing is committed. Staging (TEMP tables) stays in this process's memory and spill folder."""
    anchor = _lake_anchor()
    with lake.writer_lock(lk, wait=wait, refused=AnotherLoadRunning):
        anchor.parent.mkdir(parents=True, exist_ok=True)
        leftovers.remove_stale(anchor)
        spill = leftovers.spill_path(anchor, os.getpid())
        con = lake.connect(lk, EXTENSION_DIR, temp_directory=str(spill))
        try:
            migrate(con, schema.WAREHOUSE_MIGRATIONS, adapt=lake.adapt_ddl)
            if not findings.is_current(con):
                con.execute("BEGIN TRANSACTION")
                findings.ensure(con)
                con.execute("COMMIT")
            lake.create_sequences(con, schema.WAREHOUSE_MIGRATIONS)
            con.execute("BEGIN TRANSACTION")
            _in_lake_transaction.add(id(con))
            try:
                yield con
            finally:
                _in_lake_transaction.discard(id(con))
            lake.hold_before_commit()  # a test hook; nothing unless SUPPLYWATCH_TEST_HOLD_COMMIT is set
            con.execute("COMMIT")
        finally:
            with contextlib.suppress(Exception):
                con.close()  # an open transaction is rolled back
            shutil.rmtree(spill, ignore_errors=True)


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
            folded = current != len(schema.WAREHOUSE_MIGRATIONS) or findings.is_current(con)
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
    con.execute(f"ATTACH '{_sql_str(path)}' AS warehouse (READ_ONLY)")
    con.execute("USE warehouse")
    return con


def _sql_str(path: Path) -> str:
    return str(path).replace("'", "''")


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


# ---------------------------------------------------------------- the app's file

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


AppStoreUnavailable = app_postgres.AppStoreUnavailable
MIGRATION_LOCK = 7_253_001  # pg_advisory_xact_lock key held while one server migrates the app database


def app_db_url() -> str | None:
    """The PostgreSQL URL in ``SUPPLYWATCH_APP_DB`` (``postgresql://`` or ``postgres://``), or None for the app file."""
    env = os.environ.get("SUPPLYWATCH_APP_DB")
    return env.strip() if app_postgres.is_url(env) else None


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


def is_postgres(con) -> bool:
    """True for a connection from :func:`app_connection` to PostgreSQL."""
    return getattr(con, "dialect", None) == "postgres"


def row_lock(con) -> str:
    """``FOR UPDATE`` on PostgreSQL (the row stays locked until the transaction ends, so servers take turns on it);
    nothing on DuckDB, whose parser has no locking clause and whose app file one process holds at a time."""
    return " FOR UPDATE" if is_postgres(con) else ""


def app_lock_file(suffix: str) -> Path | None:
    """A lock file beside the app file for steps that must take turns across this host's processes; None on
    PostgreSQL, where row locks make them take turns across every server instead."""
    if app_db_url():
        return None
    path = app_db_path()
    return path.with_name(path.name + suffix)


# ---------------------------------------------------------------- helpers

def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- upkeep

def maintain_warehouse(db: str | os.PathLike | None = None, older_than_days: int = 7,
                       wait: bool = True) -> list[str]:
    """Tidy the warehouse; return lines saying what was done.

    A lake collects one small Parquet file per table per load and keeps every snapshot: merge adjacent files,
    expire snapshots older than ``older_than_days`` (time travel before that is given up), then delete the files
    no snapshot reads and those killed loads left. It runs under the writer lock, so no load is mid-way (its
    not-yet-committed files would look orphaned). The file backend rewrites the whole file on every load, so it
    has nothing to tidy."""
    path = warehouse_path(db)
    if not isinstance(path, lake.Lake):
        return [f"nothing to do: the warehouse file {path} is rewritten whole by every load (no small files,"
                " no old snapshots)"]
    ensure_warehouse(path)
    with lake.writer_lock(path, wait=wait, refused=AnotherLoadRunning):
        con = lake.connect(path, EXTENSION_DIR)
        try:
            return [f"{step}: {n}" for step, n in lake.maintain(con, older_than_days)]
        finally:
            con.close()
