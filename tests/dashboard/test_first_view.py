"""The first public reader after a server start or a load waits for no query: home, board and Trends are computed
in the background (supplywatch.first_view), and the server does not wait for that to start."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import threading

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import auth, db, metrics, public_headline, public_trends, views
from supplywatch.web import first_view
from supplywatch.web import queries as web_queries
from supplywatch.alerts import store


@pytest.fixture
def queries(monkeypatch) -> list[str]:
    """Every warehouse query and app-file read made from now on, by name; all caches emptied first."""
    calls: list[str] = []

    def counting(name, fn):
        def run(*args, **kwargs):
            calls.append(name)
            return fn(*args, **kwargs)
        return run

    for name in list(views.QUERIES):
        monkeypatch.setitem(views.QUERIES, name, counting(name, views.QUERIES[name]))
    for module, name in ((public_trends, "protected"), (public_headline, "protected"), (metrics, "data_status"),
                         (store, "history")):
        monkeypatch.setattr(module, name, counting(f"{module.__name__}.{name}", getattr(module, name)))
    for cache in (views._cached, views._protected, views._protected_checked, views._status, views._public_history):
        cache.clear()
    monkeypatch.setattr(web_queries, "_warmed", set())
    monkeypatch.setattr(web_queries, "WARM_HOOKS", [])
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "1")
    return calls


def app_file_with_staff() -> None:
    """The app file as a server has it (`make run` after `python -m supplywatch users add`)."""
    auth.add_user("sam", "reviewer", "a long test passphrase 42", "test", dt.datetime(2026, 3, 16, tzinfo=dt.timezone.utc))


def finish_warming() -> None:
    for _ in range(3):  # the start thread starts views' warm-up thread, which runs the public pages' hook
        for thread in threading.enumerate():
            if thread.name in (first_view.THREAD, "supplywatch-warm"):
                thread.join(timeout=120)


def read_public_pages() -> None:
    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    at.run()
    for page in ("app_pages/alerts_board.py", "app_pages/trends.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Trends"]


def test_after_the_start_a_first_public_reader_of_home_board_and_trends_waits_for_no_query(fixture_db, queries):
    app_file_with_staff()
    first_view.start()
    finish_warming()
    assert {"headline", "external_alerts", "supplywatch.public_headline.protected",
            "supplywatch.public_trends.protected", "supplywatch.metrics.data_status",
            "supplywatch.alerts.store.history"} <= set(queries)
    queries.clear()
    read_public_pages()
    assert queries == []


def test_a_new_data_version_is_warmed_again_for_the_public_pages(isolated_db, build_warehouse, queries, monkeypatch):
    monkeypatch.delenv("SUPPLYWATCH_SUPPRESS_K", raising=False)
    build_warehouse(isolated_db)
    app_file_with_staff()
    first_view.start()
    finish_warming()
    with db.writing_snapshot(isolated_db) as con:  # what a load does: a new snapshot swapped in
        con.execute("DELETE FROM detections WHERE sample_id = 'P07'")
        con.execute("DELETE FROM samples WHERE sample_id = 'P07'")
        metrics.keep_summaries(con)  # as every writer does (else the first reader rebuilds it: another version)
    queries.clear()
    views.data_version()  # the next reader's first look at the new version starts the warm-up
    finish_warming()
    assert queries.count("headline") == 2  # staff's default and the public week's
    assert "supplywatch.public_headline.protected" in queries
    queries.clear()
    read_public_pages()
    assert queries == []


def test_the_server_does_not_wait_for_the_warm_up(fixture_db, queries, monkeypatch):
    go_on = threading.Event()
    monkeypatch.setattr(first_view, "warm_code", lambda: go_on.wait(30))

    async def serve() -> list[str]:
        async with first_view.lifespan(None):
            return [t.name for t in threading.enumerate() if t.is_alive()]

    # on a thread of its own: in the whole suite the shared Playwright driver keeps a loop running on this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(asyncio.run, serve()).result()
    assert first_view.THREAD in running  # still warming while the server already serves
    go_on.set()
    finish_warming()
    assert "headline" in queries


def test_no_warm_up_when_turned_off(fixture_db, queries, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    assert first_view.start() is None
    assert views.WARM_HOOKS == [] and queries == []
