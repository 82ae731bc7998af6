"""The app database's version token as this server last read it: what keys every cache of community alerts and
of the help directory, and what keeps the public board up while the app database is out of reach.

One object per process (:data:`APP_VERSION`), holding public data only (a token, the same for every reader):

- on PostgreSQL the token is read at most once per ``fresh_seconds`` (1 s), however many readers and parts of a
  page ask: each read is a connection, and a published alert still shows within a second. The app file's token
  is a stat, read every time;
- when the database cannot be reached, the last token read is returned, so pages keep showing what they last
  cached, and the run that got it is marked stale (:meth:`AppVersion.stale`, per thread: each Streamlit session
  runs its script on its own thread); the database is not asked again for ``retry_seconds`` (15 s), since a host
  that does not answer costs the connect timeout (5 s) on every page otherwise;
- a server that never read a token raises :class:`supplywatch.db.AppStoreUnavailable`.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from . import db

RETRY_SECONDS = 15.0
FRESH_SECONDS = 1.0


class AppVersion:
    """The last app-database version token this process read, when, and when to ask again after a failure."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, retry_seconds: float = RETRY_SECONDS,
                 fresh_seconds: float = FRESH_SECONDS) -> None:
        self.clock = clock
        self.retry_seconds = retry_seconds
        self.fresh_seconds = fresh_seconds
        self.last: str | None = None  # the last token read: what pages show from while the database is away
        self._read_at: float | None = None  # when ``last`` was read; None after a failure (ask again)
        self._retry_after = 0.0  # clock() before which an unreachable database is not asked again
        self._lock = threading.Lock()
        self._run = threading.local()

    def token(self) -> str:
        """The current token (see the module docstring); the last one read when the database is out of reach."""
        now = self.clock()
        try:
            if now < self._retry_after:
                raise db.AppStoreUnavailable("the app database was unreachable a moment ago")
            with self._lock:
                read_at, version = self._read_at, self.last
            if read_at is None or now - read_at > self.fresh_seconds or not db.app_db_url():
                version = db.app_version()
                with self._lock:
                    self._read_at, self.last = self.clock(), version
        except db.AppStoreUnavailable:
            with self._lock:
                self._read_at = None
                if now >= self._retry_after:
                    self._retry_after = now + self.retry_seconds
                last = self.last
            self._run.stale = True
            if last is None:
                raise
            return last
        self._run.stale = False
        return version

    def stale(self) -> bool:
        """True when this thread's last :meth:`token` came from memory, the database being out of reach."""
        return getattr(self._run, "stale", False)


APP_VERSION = AppVersion()
