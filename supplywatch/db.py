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

The code lives in modules named for what they hold; this module gathers their names, so callers keep writing
``db.app_connection()``, ``db.writing_snapshot()`` ... (and tests may replace ``db.app_connection``):

* :mod:`supplywatch.store_paths`: where the warehouse, the app state and the public files are;
* :mod:`supplywatch.migrations`: schema migrations and the ``meta`` facts;
* :mod:`supplywatch.warehouse_writer`: the writer's lock, the copy-and-swap, the lake's one transaction;
* :mod:`supplywatch.warehouse_readers`: read-only connections, the data version, :class:`Warehouse`;
* :mod:`supplywatch.warehouse_upkeep`: tidying a lake;
* :mod:`supplywatch.app_connection`: the app state's connection (file or PostgreSQL) and its version;
* :mod:`supplywatch.sql_dialect`: the SQL that differs between DuckDB and PostgreSQL.
"""

from __future__ import annotations

import duckdb  # noqa: F401  (db.duckdb in annotations)

from . import lake
from .app_connection import AppStoreUnavailable, app_connection, app_store, app_version  # noqa: F401
from .migrations import MIGRATION_LOCK, SchemaTooNew, get_meta, migrate, schema_version, set_meta  # noqa: F401
from .sql_dialect import is_postgres, row_lock  # noqa: F401
from .sql_text import sql_literals  # noqa: F401  (db.sql_literals, as the loader calls it)
from .store_paths import (  # noqa: F401
    DEFAULT_WAREHOUSE, EXTENSION_DIR, ROOT, app_db_path, app_db_url, app_lock_file, public_dir,
    real_warehouse_path, scratch_prefix, warehouse_path,
)
from .warehouse_readers import Warehouse, connect_readonly, data_version, ensure_warehouse  # noqa: F401
from .warehouse_upkeep import maintain_warehouse  # noqa: F401
from .warehouse_writer import AnotherLoadRunning, begin, commit, writer_lock, writing_snapshot  # noqa: F401

WarehouseUnavailable = lake.Unavailable  # a lake's catalog does not answer (one line naming the setting)
