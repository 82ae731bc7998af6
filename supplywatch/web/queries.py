"""The dashboard's cached queries: the registry of metrics queries pages run, the read-only warehouse per file,
the data-version token that keys every cache, and the warm-up of every page's default view after a load.

Cached results hold aggregates of the shared warehouse only, keyed by the data version; who is signed in decides
suppression after the cache (nothing per user is ever cached here).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Callable

import streamlit as st

from .. import (db, metrics, overdose_periods, public_concentration, public_headline, public_trends, run_snapshot,
               sample_table, suppression)
from ..filters import Filters

if TYPE_CHECKING:
    from .reader import Context

QUERIES: dict[str, Callable] = {
    "positivity": metrics.positivity,
    "positivity_by_method": metrics.positivity_by_method,
    "expected_found": metrics.expected_found,
    "concentration_by_month": metrics.concentration_by_month,
    "concentration_histogram": metrics.concentration_histogram,
    "public_concentration_months": public_concentration.medians,  # the public page's medians, by public month
    "headline": metrics.headline,
    "first_detections": metrics.first_detections,
    "unknown_substances": metrics.unknown_substances,
    "overdose_series": metrics.overdose_series,
    "overdose_newest": lambda con, f: overdose_periods.newest_by_source(con),
    "external_alerts": metrics.external_alerts,
    "samples": sample_table.samples,
    "sample_count": sample_table.count,
    "load_history": lambda con, f: metrics.load_history(con),
    "reject_reasons": lambda con, f: metrics.reject_reasons(con),
    "reject_summary": lambda con, f: metrics.reject_summary(con),
    "reject_rows": lambda con, f: metrics.reject_rows(con),
    "sample": lambda con, f, sample_id: sample_table.sample(con, sample_id),
}
FIELD_ORDER = ("start", "end", "region", "site", "expected", "sample_type")
# The queries each page runs with no filters and its default controls (same arguments, so the same cache
# keys): warmed in the background after every load, and timed by bench/pages.py.
PAGE_DEFAULT_QUERIES: dict[str, list[tuple[str, dict]]] = {
    "overview": [("headline", {}), ("first_detections", {"lookback_days": 180, "new_only": True}),
                 ("external_alerts", {})],
    "trends": [("positivity", {"targets": ("fentanyl",), "period": "week", "group": None, "population": "all"})],
    "concentration": [("concentration_by_month", {}), ("concentration_histogram", {"width": 5.0})],
    "expected_found": [("expected_found", {"top": 10})],
    "emerging": [("first_detections", {"lookback_days": 180}), ("unknown_substances", {})],
    "samples": [("sample_count", {}), ("samples", {"search": None, "limit": 500})],
    "overdoses": [("overdose_series", {}), ("overdose_newest", {}), ("external_alerts", {}),
                  ("positivity", {"targets": ("fentanyl",), "period": "week"})],
    "data": [("load_history", {}), ("reject_reasons", {}), ("reject_rows", {}), ("unknown_substances", {})],
}
_warmed: set[tuple[str, str]] = set()
# per warehouse, process-wide (nothing per user): the last version read, and why the current one cannot be
_last_good: dict[str, str] = {}
_unavailable: dict[str, str] = {}
_warm_lock = threading.Lock()
# More to compute for each new version, after the default queries (supplywatch.web.first_view adds the public pages')
WARM_HOOKS: list[Callable[[], None]] = []


@st.cache_resource(show_spinner=False)
def warehouse(path: str) -> db.Warehouse:
    """One read-only Warehouse per file for the whole server (it holds no per-user data)."""
    db.ensure_warehouse(path)
    return db.Warehouse(path)


def _version(path: str) -> str:
    """The snapshot's version token: a stat of the file, cheap enough to ask on every query.

    The first time a version is seen, a background thread fills the shared cache with every page's default
    view, so the first reader after a load does not wait for the cold queries (SUPPLYWATCH_WARM_CACHE=0
    turns this off, e.g. to measure cold pages).
    """
    if pinned := run_snapshot.pinned(path):  # this run already read one: every query of a page reads the same snapshot
        return pinned
    warehouse(path)
    try:
        version = db.data_version(path)
        _last_good[path] = version
        _unavailable.pop(path, None)
    except db.WarehouseUnavailable as exc:  # a lake whose catalog is down: keep serving what is cached
        if path not in _last_good:
            raise
        version = _last_good[path]
        _unavailable[path] = str(exc)
    if os.environ.get("SUPPLYWATCH_WARM_CACHE", "1") != "0":
        with _warm_lock:
            fresh = (path, version) not in _warmed
            _warmed.add((path, version))
        if fresh:
            threading.Thread(target=_warm, args=(path, version), name="supplywatch-warm", daemon=True).start()
    run_snapshot.pin(path, version)
    return version


def _warm(path: str, version: str) -> None:
    """Run every page's default queries once into the cache (aggregates only: nothing per user)."""
    key = Filters().cache_key()
    for queries in PAGE_DEFAULT_QUERIES.values():
        for name, kwargs in queries:
            try:
                _cached(name, version, path, key, tuple(sorted(kwargs.items())))
            except Exception:  # a swapped or removed file: the page itself will report or retry
                return
    try:  # the public Trends and Overdoses default view
        _protected(version, path, key, "fentanyl", suppression.k_from_env())
        for hook in WARM_HOOKS:
            hook()
    except Exception:
        return


def cursor() -> "db.duckdb.DuckDBPyConnection":
    """A fresh read-only cursor on the current snapshot (one per call: cursors are per thread)."""
    return warehouse(str(db.warehouse_path())).cursor()


def data_version() -> str:
    """The current snapshot's version token (creates an empty warehouse if none exists yet)."""
    return _version(str(db.warehouse_path()))


def data_unavailable() -> str | None:
    """Why the current data version could not be read (the warehouse's catalog is down), or None."""
    return _unavailable.get(str(db.warehouse_path()))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(name: str, version: str, path: str, fkey: tuple, kwargs: tuple):
    f = Filters(**dict(zip(FIELD_ORDER, fkey)))
    return QUERIES[name](warehouse(path).cursor(version), f, **dict(kwargs))  # that version's snapshot, on a lake


@st.cache_resource(show_spinner=False, max_entries=64)
def _protected(version: str, path: str, fkey: tuple, target: str, k: int) -> public_trends.Protected:
    """A substance's public trend margins for one data version and date range (all sample types), shared
    read-only by every public reader (aggregates only; kept as one object, since unpickling it on every view would
    cost more than reading it)."""
    f = Filters(**dict(zip(FIELD_ORDER, fkey)))
    return public_trends.protected(warehouse(path).cursor(version), f, target, k)


@st.cache_resource(show_spinner=False, max_entries=16)
def _protected_checked(version: str, path: str, fkey: tuple, k: int):
    """The public overview's window and protected "Samples checked" margins for one data version and date range
    (aggregates only, shared read-only by every public reader)."""
    f = Filters(**dict(zip(FIELD_ORDER, fkey)))
    return public_headline.protected(warehouse(path).cursor(version), f, k)


def checked_for_public(ctx: "Context") -> tuple:
    """The public "this week" (its last day, the same under every region, site, "sold as" and type filter) and
    the samples checked in it and the week before, with statuses decided across all those filters."""
    path = str(db.warehouse_path())
    end, shared = _protected_checked(_version(path), path, public_headline.outer(ctx.f).cache_key(), ctx.k)
    return end, public_headline.checked_of(shared, ctx.f)


def query(name: str, f: Filters, **kwargs):
    """Run a registered metrics query, cached by (data version, filters, arguments); language is not a key."""
    path = str(db.warehouse_path())
    version = _version(path)
    return _cached(name, version, path, f.cache_key(), tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=16)
def _status(version: str, path: str) -> dict:
    con = warehouse(path).cursor(version)
    return {"status": metrics.data_status(con), "options": metrics.filter_options(con)}


def status() -> dict:
    """Data-as-of facts and sidebar options for the current snapshot."""
    path = str(db.warehouse_path())
    return _status(_version(path), path)
