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
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|K|KB|KIB|M|MB|MIB|G|GB|GIB|T|TB|TIB)\s*", re.IGNORECASE)
_UNIT = {"B": 1, "K": 1e3, "KB": 1e3, "KIB": 2**10, "M": 1e6, "MB": 1e6, "MIB": 2**20, "G": 1e9, "GB": 1e9,
         "GIB": 2**30, "T": 1e12, "TB": 1e12, "TIB": 2**40}
# Bytes of cap per row a piece of the write may hold. Measured on DuckDB 1.4.4 with demo samples: the write's
# steps (first row per key, detections, folded findings) fit 300,000 rows under 150MB and failed at 1,000,000
# (DuckDB's hash aggregates and joins over a million distinct keys need more than the cap to spill); 2,048 bytes
# leaves room for the tables the load holds meanwhile.
BYTES_PER_ROW = 2048
MIN_ROWS = 10_000
# Cap per DuckDB worker thread. Each thread of a hash aggregate or join holds blocks of its own that cannot spill;
# two threads under a 100MB cap left a 200,000-sample load a few MB short (tests/etl/test_load_memory.py) where
# one thread loads it. 256MB each keeps both of a 2-core machine's threads at the default 768MB.
BYTES_PER_THREAD = 256_000_000


class BadMemorySetting(ValueError):
    """``SUPPLYWATCH_LOAD_MEMORY`` is not a size DuckDB understands."""


def limit() -> str:
    """The cap this load runs under: ``SUPPLYWATCH_LOAD_MEMORY`` when set, else 768MB."""
    return os.environ.get(ENV, "").strip() or DEFAULT


def apply(con: duckdb.DuckDBPyConnection) -> str:
    """Cap the load connection's memory, and its threads to what the cap can hold (:func:`threads_for`); return
    the cap as set. Raises :class:`BadMemorySetting` (one line)."""
    cap = limit()
    size = cap_bytes(cap)  # refuses what is not a size, before DuckDB sees it
    con.execute(f"SET memory_limit = '{cap}'")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute(f"SET threads = {threads_for(size, int(threads))}")
    return cap


def threads_for(cap: int, threads: int) -> int:
    """The threads a load runs with under ``cap`` bytes: at most ``threads`` (DuckDB's, one per core), at least
    one, and one more for each further 256MB."""
    return max(1, min(threads, cap // BYTES_PER_THREAD))


def cap_bytes(cap: str) -> int:
    """``'768MB'`` -> 768000000 (DuckDB's units: KB, MB, GB, TB are powers of 1000; KiB ... of 1024)."""
    m = _SIZE.fullmatch(cap)
    if not m:
        raise BadMemorySetting(f"{ENV}={cap!r} is not a memory size; write it like 768MB or 2GB")
    return int(float(m[1]) * _UNIT[m[2].upper()])


def rows_per_piece() -> int:
    """How many rows the load writes at a time under the current cap (768MB: 375,000)."""
    return max(MIN_ROWS, cap_bytes(limit()) // BYTES_PER_ROW)


def out_of_memory_message(file_name: str, cap: str) -> str:
    """One line for a load DuckDB could not fit under the cap: the file, what to change, and that nothing changed."""
    return (f"{file_name}: not loaded, it needed more memory than a load may hold; set {ENV} (now {cap}) higher"
            " or free memory (the setting caps the memory a load holds before it spills to disk, e.g. 2GB);"
            " nothing loaded")
