"""Tidying the warehouse: a lake's small files and old snapshots (the file backend has nothing to tidy)."""

from __future__ import annotations

import os
from typing import Callable

import duckdb

from . import lake
from .store_paths import EXTENSION_DIR, warehouse_path
from .warehouse_readers import ensure_warehouse
from .warehouse_writer import AnotherLoadRunning


def maintain_warehouse(db: str | os.PathLike | None = None, older_than_days: int = 7, wait: bool = True,
                       prepare: Callable[[duckdb.DuckDBPyConnection], object] | None = None) -> list[str]:
    """Tidy the warehouse; return lines saying what was done.

    A lake collects one small Parquet file per table per load and keeps every snapshot: merge adjacent files,
    expire snapshots older than ``older_than_days`` (time travel before that is given up), then delete the files
    no snapshot reads and those killed loads left. It runs under the writer lock, so no load is mid-way (its
    not-yet-committed files would look orphaned). The file backend rewrites the whole file on every load, so it
    has nothing to tidy.

    ``prepare`` is applied to the lake connection before the first step: the loader passes its memory cap
    (etl/load_memory.py), so merging a 10M-sample lake's files holds no more than a load would (uncapped it peaked
    at 2.47 GB)."""
    path = warehouse_path(db)
    if not isinstance(path, lake.Lake):
        return [f"nothing to do: the warehouse file {path} is rewritten whole by every load (no small files,"
                " no old snapshots)"]
    ensure_warehouse(path)
    with lake.writer_lock(path, wait=wait, refused=AnotherLoadRunning):
        con = lake.connect(path, EXTENSION_DIR)
        try:
            if prepare is not None:
                prepare(con)
            return [f"{step}: {n}" for step, n in lake.maintain(con, older_than_days)]
        finally:
            con.close()
