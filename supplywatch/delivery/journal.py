"""The worker's journal and lock: which claimed messages it tried and which the server accepted.

Writing each outcome to the app file would cost a DuckDB commit per message and hold
the file while the SMTP server talks; instead the worker appends ``try <id>``, then
``sent <id>`` or ``fail <id>`` lines (delivery ids only, nothing about people) to a small file beside
the app file, synced to disk, and commits a whole batch at once. A worker killed
mid-batch leaves the journal behind for the next one (:func:`supplywatch.delivery.queue.recover`).

One worker per app file: an flock on ``<app file>.deliver.lock`` (dropped by the
kernel when the process dies, so ``kill -9`` never leaves it stuck).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path
from typing import Iterator

from .. import db
from ..messages import UserError


class WorkerRunning(UserError):
    """Another worker already drains this app file."""


def path() -> Path:
    app = db.app_db_path()
    return app.with_name(app.name + ".deliver-journal")


@contextlib.contextmanager
def worker_lock() -> Iterator[None]:
    """Hold the one-worker lock, or raise :class:`WorkerRunning` naming the holder's pid."""
    lock = db.app_db_path().with_name(db.app_db_path().name + ".deliver.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise WorkerRunning("another delivery worker is running (pid {pid})", pid=pid) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


def read() -> tuple[set[int], set[int]]:
    """(tried, sent) delivery ids from a journal left behind; a torn last line is ignored."""
    tried: set[int] = set()
    sent: set[int] = set()
    try:
        text = path().read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return tried, sent
    for line in text.splitlines():
        word, _, number = line.partition(" ")
        if not number.isdigit():
            continue
        if word == "try":
            tried.add(int(number))
        elif word == "sent":
            sent.add(int(number))
        elif word == "fail":  # refused or not reached: certainly not delivered
            tried.discard(int(number))
    return tried, sent


def clear() -> None:
    with contextlib.suppress(FileNotFoundError):
        path().unlink()


class Journal:
    """Append-only lines, each synced to disk before the worker goes on."""

    def __init__(self):
        self._fd = os.open(path(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def write(self, word: str, delivery_id: int) -> None:
        os.write(self._fd, f"{word} {int(delivery_id)}\n".encode("ascii"))
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)
