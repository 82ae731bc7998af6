"""After a load, every page's default view is computed once in the background and then served from the cache."""

import threading

from supplywatch import views
from supplywatch.filters import Filters
from supplywatch.web import queries


def test_new_version_warms_every_default_query_once(fixture_db, monkeypatch):
    calls: dict[str, int] = {}

    def counting(name, fn):
        def run(con, f, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return fn(con, f, **kwargs)
        return run

    for name in list(views.QUERIES):
        monkeypatch.setitem(views.QUERIES, name, counting(name, views.QUERIES[name]))
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "1")
    views._cached.clear()
    monkeypatch.setattr(queries, "_warmed", set())
    views.data_version()
    for thread in threading.enumerate():
        if thread.name == "supplywatch-warm":
            thread.join(timeout=60)
    distinct = {(name, tuple(sorted(kw.items()))) for queries in views.PAGE_DEFAULT_QUERIES.values()
                for name, kw in queries}
    wanted = {name: sum(1 for n, _ in distinct if n == name) for name, _ in distinct}
    assert calls == wanted  # a query shared by two pages (first detections) is computed once
    assert wanted["positivity"] == 2  # trends and overdoses ask with different arguments
    views.query("expected_found", Filters(), top=10)
    views.query("positivity", Filters(), targets=("fentanyl",), period="week", group=None, population="all")
    assert calls == wanted  # both served from the cache
    views.data_version()
    assert not any(t.name == "supplywatch-warm" for t in threading.enumerate())  # no second warm-up
