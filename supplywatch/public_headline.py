"""The overview's "Samples checked" as the public sees it, protected against subtraction across its filters.

The overview shows the samples checked in the last 7 days and the 7 days before, under any region, site,
"sold as" and sample type filter. "All regions" minus "North" is South: each filter's count is a cell of one
table whose margins are every combination of those four dimensions, so suppression is decided once on that
table (supplywatch.linked_suppression) and every filter reads its cell's status from it.

For that to hold, every filter must count the same days: for the public "this week" is the week (Monday to
Sunday) holding the newest sample under the date filter alone (not under the region or site filter, which would
give each region its own week and make the cells of different filters unrelated, yet still subtractable on shared
days), and the previous week the one before: Trends weeks, so two date ranges give the same weeks or other ones,
never overlapping 7-day windows. See docs/methods.md, "Small-cell suppression".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

from . import linked_suppression
from .filters import Filters
from .linked_suppression import Protected
from .suppression import SHOWN

NO_VALUE = "\x1f"  # stands for a missing region, site, "sold as" or sample type (never a filter value)
FILTERED = {"region": "region", "site": "site", "expected": "expected_raw", "sample_type": "sample_type"}
DIMS = ("window", *FILTERED.values())
WINDOWS = ("current", "previous")


@dataclass(frozen=True)
class Checked:
    """Samples checked in the two windows for one filter, each with its status."""

    now: int
    now_status: str
    before: int
    before_status: str


def outer(f: Filters) -> Filters:
    """The filters the protected table is computed under: only the dates (the rest become its dimensions)."""
    return replace(f, region=None, site=None, expected=None, sample_type=None)


def window_end(con: duckdb.DuckDBPyConnection, f: Filters) -> dt.date | None:
    """The last day of the public "this week": the Sunday of the week (Monday to Sunday, a Trends week) holding
    the newest sample under the date filter alone, so This week's counts are cells of the Trends margins."""
    where, params = outer(f).where("s")
    newest = con.execute(f"SELECT max(s.collected_date) FROM samples s WHERE {where}", params).fetchone()[0]
    return None if newest is None else newest + dt.timedelta(days=6 - newest.weekday())


def margins() -> list[frozenset]:
    """Each window with any combination of the four filters."""
    out = []
    for mask in range(2 ** len(FILTERED)):
        chosen = [d for i, d in enumerate(FILTERED.values()) if mask >> i & 1]
        out.append(frozenset(("window", *chosen)))
    return out


def atoms(con: duckdb.DuckDBPyConnection, f: Filters, end: dt.date, days: int = 7) -> pd.DataFrame:
    """Samples checked per (window, region, site, sold as, sample type) in the two windows ending at ``end``."""
    start = end - dt.timedelta(days=2 * days - 1)
    split = end - dt.timedelta(days=days - 1)
    where, params = replace(outer(f), start=start, end=end).where("s")
    gap = "'" + NO_VALUE + "'"
    sql = f"""
        SELECT CASE WHEN s.collected_date >= ? THEN 'current' ELSE 'previous' END AS window,
               coalesce(s.region, {gap}) AS region, coalesce(s.site, {gap}) AS site,
               coalesce(s.expected_raw, {gap}) AS expected_raw, coalesce(s.sample_type, {gap}) AS sample_type,
               count(*) AS checked
        FROM samples s WHERE {where}
        GROUP BY ALL ORDER BY ALL  -- one order, so every process hides the same cells
    """
    out = con.execute(sql, [split, *params]).df()
    out["checked"] = out["checked"].astype("int64")
    return out


def protected(con: duckdb.DuckDBPyConnection, f: Filters, k: int, days: int = 7) -> tuple[dt.date | None, Protected]:
    """The public window's last day and every public margin of its counts with their statuses."""
    end = window_end(con, f)
    table = atoms(con, f, end, days) if end is not None else pd.DataFrame(
        {**{d: pd.Series(dtype=object) for d in DIMS}, "checked": pd.Series(dtype="int64")})
    return end, linked_suppression.protect(table, DIMS, margins(), ("checked",), k, audit=True)


def checked_of(prot: Protected, f: Filters) -> Checked:
    """The two windows' counts for the filters ``f`` chose, read from the protected margins."""
    wanted = {d for name, d in FILTERED.items() if getattr(f, name) is not None}
    table = prot.columns(wanted | {"window"})
    keep = np.ones(len(table["checked"]), dtype=bool)
    for name, dim in FILTERED.items():
        value = getattr(f, name)
        if value is not None:
            keep &= table[dim] == value
    found = {}
    for i in np.flatnonzero(keep):
        found[str(table["window"][i])] = (int(table["checked"][i]), str(table["checked_status"][i]))
    (now, now_s), (before, before_s) = (found.get(w, (0, SHOWN)) for w in WINDOWS)
    return Checked(now, now_s, before, before_s)
