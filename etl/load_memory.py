"""The load's memory cap: how it is set on the load's connection, and what a person reads when a file needs more.

DuckDB's buffer pool defaults to 80 % of the machine's memory; a load caps it (768 MB unless
``SUPPLYWATCH_LOAD_MEMORY`` says otherwise) so a large file spills to the folder beside the warehouse instead of
growing the process until the kernel kills it, or starving the dashboard on the same machine. When DuckDB still
cannot fit a step under the cap it raises ``duckdb.OutOfMemoryException``, whose text (several lines of tuning
advice naming settings a person running the loader cannot reach) is replaced by :func:`out_of_memory_message`.
"""

from __future__ import annotations

import os
import re

import duckdb

ENV = "SUPPLYWATCH_LOAD_MEMORY"
DEFAULT = "768MB"
_SIZE = re.compile(r"\s*\d+(\.\d+)?\s*(B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)\s*", re.IGNORECASE)


class BadMemorySetting(ValueError):
    """``SUPPLYWATCH_LOAD_MEMORY`` is not a size DuckDB understands."""


def limit() -> str:
    """The cap this load runs under: ``SUPPLYWATCH_LOAD_MEMORY`` when set, else 768MB."""
    return os.environ.get(ENV, "").strip() or DEFAULT


def apply(con: duckdb.DuckDBPyConnection) -> str:
    """Cap the load connection's memory; return the cap as set. Raises :class:`BadMemorySetting` (one line)."""
    cap = limit()
    if not _SIZE.fullmatch(cap):
        raise BadMemorySetting(f"{ENV}={cap!r} is not a memory size; write it like 768MB or 2GB")
    con.execute(f"SET memory_limit = '{cap}'")
    return cap


def out_of_memory_message(file_name: str, cap: str) -> str:
    """One line for a load DuckDB could not fit under the cap: the file, what to change, and that nothing changed."""
    return (f"{file_name}: not loaded, it needed more memory than a load may hold; set {ENV} (now {cap}) higher"
            " or free memory (the setting caps the memory a load holds before it spills to disk, e.g. 2GB);"
            " nothing loaded")
