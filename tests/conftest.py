"""Shared fixtures: where the real public data lives, and an isolated database per test."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = ROOT.parent / "shared" / "data" / "real"


@pytest.fixture
def real_data() -> Path:
    """Folder of real public files; tests using it are skipped where it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data folder {REAL_DATA} is absent (only the project's own fixtures are used)")
    return REAL_DATA


@pytest.fixture
def isolated_db(tmp_path, monkeypatch) -> Path:
    """Point SUPPLYWATCH_DB, SUPPLYWATCH_APP_DB and SUPPLYWATCH_PUBLIC_DIR at a fresh temporary folder."""
    wh = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("SUPPLYWATCH_DB", str(wh))
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_DIR", str(tmp_path / "public"))
    return wh


@pytest.fixture(scope="session")
def pg_cluster():
    """One throwaway PostgreSQL server for the whole run (tests/postgres_cluster.py); skipped, with the reason
    printed, where no server can be started. Tests take a fresh database from it with ``pg_database``."""
    from tests import postgres_cluster

    try:
        cluster = postgres_cluster.start_cluster()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL backend tests skipped: {exc}")
    yield cluster
    cluster.remove()


@pytest.fixture
def pg_database(pg_cluster, request) -> str:
    """A fresh empty database on the shared cluster, named for the test; returns its name."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return pg_cluster.create_database(name)


@pytest.fixture(params=["file", "postgres"])
def app_backend(request, isolated_db, monkeypatch) -> str:
    """Run the test on both app-state backends: the app file, then a fresh PostgreSQL database
    (``SUPPLYWATCH_APP_DB=postgresql://...``; skipped with the reason where no server can start)."""
    if request.param == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        monkeypatch.setenv("SUPPLYWATCH_APP_DB", cluster.url(request.getfixturevalue("pg_database")))
    return request.param


@pytest.fixture
def lake_env(pg_cluster, pg_database, tmp_path, monkeypatch) -> str:
    """The warehouse on a fresh lake: SUPPLYWATCH_WAREHOUSE on a fresh catalog database, SUPPLYWATCH_DATA_PATH on a
    fresh folder, the warehouse file setting on a path that must never be created. Returns the setting's value."""
    spec = f"ducklake:postgres:{pg_cluster.dsn(pg_database)}"
    monkeypatch.setenv("SUPPLYWATCH_WAREHOUSE", spec)
    monkeypatch.setenv("SUPPLYWATCH_DATA_PATH", str(tmp_path / "lake"))
    monkeypatch.setenv("SUPPLYWATCH_DB", str(tmp_path / "never.duckdb"))
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_DIR", str(tmp_path / "public"))
    return spec


@pytest.fixture(params=["file", "lake"])
def any_warehouse(request, isolated_db):
    """Run the test on the warehouse file and again on a lake (skipped, with the reason, without PostgreSQL)."""
    if request.param == "lake":
        return request.getfixturevalue("lake_env")
    return isolated_db


def pytest_sessionfinish(session, exitstatus):
    """Stop the one Playwright driver the browser and attack tests share, if any test started it."""
    from tests.browser import stack

    stack.stop_playwright()
