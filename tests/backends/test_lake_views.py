"""Pages on a lake: cached by snapshot id, and while PostgreSQL is down they keep what they have and say so."""

from __future__ import annotations

from supplywatch import views
from supplywatch.filters import Filters
from tests.backends.conftest import ROOT, run_etl

SMALL = ROOT / "tests" / "data" / "etl" / "dcbc_small.csv"


def test_views_keep_cached_results_while_the_catalog_is_down(lake_env, pg_cluster, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    assert run_etl("load", "--quiet", "--no-signals", SMALL).returncode == 0
    views._cached.clear()
    version = views.data_version()
    assert version.startswith("lake-")
    before = views.query("sample_count", Filters())
    assert before == 5
    assert views.data_unavailable() is None
    pg_cluster.stop()
    try:
        assert views.data_version() == version  # the last version read, not an error
        assert views.query("sample_count", Filters()) == before  # served from the cache
        assert views.data_unavailable() == (
            f"the warehouse catalog (SUPPLYWATCH_WAREHOUSE) at PostgreSQL 127.0.0.1:{pg_cluster.port} does not"
            " answer; start PostgreSQL or fix the setting")
    finally:
        pg_cluster.start()
    assert views.data_version() == version
    assert views.data_unavailable() is None  # the banner goes once the catalog answers again
