"""The warehouse's one writer: the lock, the private copy that is migrated, written and swapped in (file), or the
one DuckLake transaction under the lake's advisory lock. A crash leaves the warehouse as it was."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from pathlib import Path
from typing import Iterator

import duckdb

from . import findings, lake, leftovers, metrics, schema
from .migrations import migrate
from .store_paths import EXTENSION_DIR, lake_anchor, real_warehouse_path


class AnotherLoadRunning(RuntimeError):
    """Raised when a second writer finds the warehouse lock held."""

    def __init__(self, pid: int | None):
        self.pid = pid
        super().__init__(f"another load is running (pid {pid if pid else 'unknown'})")


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
            _ensure_summaries(con)
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
    anchor = lake_anchor()
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
            if not metrics.summaries_current(con):
                con.execute("BEGIN TRANSACTION")
                _ensure_summaries(con)
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


def _ensure_summaries(con: duckdb.DuckDBPyConnection) -> None:
    """Build the load-kept summaries this code did not build from the samples stored now (after the migration
    that made them, a change of rule, or a script that wrote samples around them), so every write from here keeps
    them up to date (supplywatch.weekly_positivity, supplywatch.kept_summaries)."""
    if not metrics.summaries_current(con):
        metrics.ensure_summaries(con)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
