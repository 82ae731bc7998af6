"""One data version per page run: every query of a script run reads the snapshot its first query read.

Each query asks :func:`supplywatch.views.data_version` for the cache key, and on a lake that key is a snapshot id
the query's cursor is pinned to (supplywatch.db). Asked afresh by every query, a load committing half-way through a
page would give its first figures from one snapshot and its last from the next (a total that is not the sum of its
rows). So the first answer of a run is kept for the rest of that run: ``dashboard.py`` calls :func:`begin` first in
every run (Streamlit runs a session's scripts on that session's thread, one run at a time), and the views ask
:func:`pinned` before reading a version and :func:`pin` the one they read. A run that did not :func:`begin` (a page
run alone in a unit test, the cache-warming thread) pins nothing and reads the current version every time.

The version a page read is on the page for tests and support, without being shown: the banner's caption sits in
a container keyed :func:`element_key` (Streamlit gives it the class ``st-key-data-version-<version>``). Nothing in
it is per user: the version is the same for every reader of that snapshot.
"""

from __future__ import annotations

import re
import threading

_RUN = threading.local()
KEY_PREFIX = "data-version-"


def begin() -> None:
    """A new script run starts on this thread: forget the version the last run read."""
    _RUN.pins = {}


def pinned(path: str) -> str | None:
    """The version this run already read for the warehouse ``path``, or None."""
    pins = getattr(_RUN, "pins", None)
    return pins.get(path) if pins is not None else None


def pin(path: str, version: str) -> None:
    """Keep ``version`` for the rest of this run (only in a run that began)."""
    pins = getattr(_RUN, "pins", None)
    if pins is not None:
        pins.setdefault(path, version)


def element_key(version: str) -> str:
    """The key of the container holding the banner: ``data-version-lake-42`` (letters, digits, '-' and '_')."""
    return KEY_PREFIX + re.sub(r"[^A-Za-z0-9_-]", "-", version)
