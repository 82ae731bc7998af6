"""Where the stores are: the warehouse (a file or a DuckLake), the app state (a file or a PostgreSQL URL), the
public files' folder and the pinned DuckDB extensions, from the command line, the environment or the defaults.

Nothing here opens a connection; supplywatch.db (the one place that knows which backend is in use) re-exports
these names.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import app_postgres, lake, leftovers

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


def lake_anchor() -> Path:
    """Name the lake's local scratch and spill files hang from (supplywatch.leftovers): this host's temp folder."""
    import tempfile

    return Path(tempfile.gettempdir()) / "supplywatch-lake"


def scratch_prefix(db: str | os.PathLike | None = None) -> Path:
    """Path prefix for this process's scratch files beside the warehouse (a converted copy of an input file);
    the folder is created if missing. A killed process's files are removed like its copy (leftovers)."""
    path = real_warehouse_path(db)
    if isinstance(path, lake.Lake):
        path = lake_anchor()
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


def app_db_url() -> str | None:
    """The PostgreSQL URL in ``SUPPLYWATCH_APP_DB`` (``postgresql://`` or ``postgres://``), or None for the app file."""
    env = os.environ.get("SUPPLYWATCH_APP_DB")
    return env.strip() if app_postgres.is_url(env) else None


def app_lock_file(suffix: str) -> Path | None:
    """A lock file beside the app file for steps that must take turns across this host's processes; None on
    PostgreSQL, where row locks make them take turns across every server instead."""
    if app_db_url():
        return None
    path = app_db_path()
    return path.with_name(path.name + suffix)
