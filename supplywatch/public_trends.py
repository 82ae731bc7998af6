"""Positivity trends as the public sees them, protected against subtraction across every view.

The Trends page (and the supply line of the Overdoses page) can show the same counts in many views: unsplit,
split by region or expected substance, filtered to a region, site, "sold as" or sample type, all samples or those
sold as an opioid, and the total over the period. Each view's cells add up to cells of another view, so
suppression is decided once, on one table of counts per (substance, dates) with a margin for every view, weekly
and monthly (supplywatch.linked_suppression), and each view reads its cells' statuses from it. A count is shown
only when it is a sum of whole blocks of at least k (supplywatch.safe_blocks), so no chain of sums and
differences across views gives a hidden one away; public months are whole weeks. See docs/methods.md,
"Small-cell suppression".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from itertools import combinations

import duckdb
import numpy as np
import pandas as pd

from . import linked_suppression, metrics
from .filters import Filters
from .linked_suppression import Protected
from .suppression import SHOWN

NO_VALUE = "\x1f"  # stands for a missing region, site, "sold as" or sample type (never a filter value)
# expected_class is what Expected vs found's rows and class matrix are split by (supplywatch.public_expected_found
# reads some of its counts from these margins); "expected" determines it, so it adds no atom on consistent data.
DIMS = ("week", "month", "region", "site", "expected_raw", "sample_type", "expected", "opioid", "expected_class")
PERIODS = ("week", "month")
FILTERED = {"region": "region", "site": "site", "expected": "expected_raw",  # Filters field -> dimension
            "sample_type": "sample_type"}
SPLITS = (None, "region", "expected")
# How small counts are merged into blocks of at least k (supplywatch.safe_blocks), finest first, each grouping
# coarser than the one before: across sample types, "sold as", opioid or not, sites, then regions of the same
# week, weeks of the same month and months, each time among samples sold as an opioid or among the others; the
# two are merged last. A block holding both cuts the opioid cells it touches (This week's rates, Trends' opioid
# view) even when they are large, and a small count of one side in a week or month cannot be protected without
# hiding either that period's opioid cell or its all-samples cell: kept apart, the all-samples cell gives way
# (docs/methods.md has the measured cost). Weekly counts, by region within a side, are cut last of all within it.
BLOCKS = (("week", "region", "site", "expected_raw"), ("week", "region", "site", "expected"),
          ("week", "region", "site", "opioid"), ("week", "region", "opioid"), ("week", "opioid"),
          ("month", "opioid"), ("opioid",))


@dataclass
class TrendView:
    """One public view: rows (period, grp, target, n, k, statuses, rates), the total tested and the finds outside
    it (samples no sensitive method tested), each with its status."""

    rows: pd.DataFrame
    total: int
    total_status: str
    outside: int = 0
    outside_status: str = SHOWN


def outer(f: Filters) -> Filters:
    """The filters the protected table is computed under: none. Region, site, "sold as" and sample type become its
    dimensions (all sample types minus drugs would otherwise give the residue count), and it covers every date:
    a public date range reads whole periods of it (:func:`covered_days`), so two ranges are two sets of the same
    cells and their difference is whole blocks too."""
    return replace(f, start=None, end=None, region=None, site=None, expected=None, sample_type=None)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _month(day: dt.date) -> dt.date:
    """The public month of a day: the month holding the Thursday of its week (:func:`month_of_week`)."""
    return (_monday(day) + dt.timedelta(days=3)).replace(day=1)


def period_bounds(f: Filters, period: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last public period (a week's Monday or a month's first day) ``f``'s date range touches."""
    key = _monday if period == "week" else _month
    return (key(f.start) if f.start else None), (key(f.end) if f.end else None)


def covered_days(f: Filters, period: str) -> tuple[dt.date | None, dt.date | None]:
    """The days a public view of ``f``'s date range covers: from the Monday of the first whole week or public month
    it touches to the Sunday of the last (None where the range is open). A range to the day would give a day's
    counts away as the difference of two ranges."""
    lo, hi = period_bounds(f, period)
    if period == "week":
        return lo, hi + dt.timedelta(days=6) if hi else None
    after = (hi + dt.timedelta(days=32)).replace(day=1) if hi else None  # the next month
    return (_monday(lo + dt.timedelta(days=3)) if lo else None,
            _monday(after + dt.timedelta(days=3)) - dt.timedelta(days=1) if after else None)


def margins() -> list[frozenset]:
    """Every margin a public trend view shows: weekly, monthly or over the whole period, any of the filters, one
    split, and all samples or sold as an opioid."""
    out = set()
    for period in ((), *((p,) for p in PERIODS)):
        for r in range(len(FILTERED) + 1):
            for chosen in combinations(FILTERED.values(), r):
                for split in SPLITS:
                    for opioid in ((), ("opioid",)):
                        out.add(frozenset((*period, *chosen, *((split,) if split else ()), *opioid)))
    return sorted(out, key=lambda m: (len(m), sorted(m)))


def atoms(con: duckdb.DuckDBPyConnection, f: Filters, target: str) -> pd.DataFrame:
    """Per (week, month, region, site, sold as, expected, opioid), under the dates of ``f`` only: n samples tested
    by a method sensitive enough for ``target``, k of those in which any capable method found it, and x finds in
    samples no sensitive method tested (shown as a count, never a rate), the rule of :func:`metrics.positivity`."""
    where_s, params = outer(f).where("s")
    where_d, _ = outer(f).where("d")
    capable = sorted(metrics.capable_methods(target))
    tested = metrics._tested_any_sql(metrics.sensitive_methods(target))
    column = "class" if metrics.is_class(target) else "substance"
    opioid = ", ".join(metrics._lit(c) for c in metrics.OPIOID_CLASSES)
    gap = metrics._lit(NO_VALUE)

    def keys(a: str) -> str:
        week = metrics._period_sql('week', f'{a}.collected_date')
        return (f"{week} AS week, {month_of_week(week)} AS month, coalesce({a}.region, {gap}) AS region,"
                f" coalesce({a}.site, {gap}) AS site, coalesce({a}.expected_raw, {gap}) AS expected_raw,"
                f" coalesce({a}.sample_type, {gap}) AS sample_type,"
                f" coalesce({a}.expected_substance, {a}.expected_class, '?') AS expected,"
                f" coalesce({a}.expected_class IN ({opioid}), false) AS opioid,"
                f" coalesce({a}.expected_class, '?') AS expected_class")

    # One pass over the samples; "found" is a semi-join on the detections (a sample found by two methods counts once).
    found = (f"s.sample_no IN (SELECT d.sample_no FROM detections d WHERE d.{column} = {metrics._lit(target)}"
             f" AND d.method IN ({', '.join(metrics._lit(m) for m in capable) or 'NULL'}) AND {where_d})")
    sql = f"""
        SELECT {keys('s')}, count(*) FILTER (WHERE {tested}) AS n,
               count(*) FILTER (WHERE {tested} AND {found}) AS k,
               count(*) FILTER (WHERE NOT {tested} AND {found}) AS x
        FROM samples s WHERE {where_s} AND ({tested} OR {metrics._tested_any_sql(capable)})
        GROUP BY ALL ORDER BY ALL  -- one order, so every process builds the same blocks
    """
    out = con.execute(sql, params + params + params).df()
    out[["n", "k", "x"]] = out[["n", "k", "x"]].astype("int64")
    return out


def month_of_week(week_sql: str) -> str:
    """SQL for the public month of a week (a Monday): the month holding its Thursday, as ISO 8601 places a week in
    a year. Public months are whole weeks, so weekly and monthly counts are sums of the same cells and no
    sliver of a week across a month end stands alone (staff see calendar months)."""
    return f"CAST(date_trunc('month', {week_sql} + INTERVAL 3 DAY) AS DATE)"


def protected(con: duckdb.DuckDBPyConnection, f: Filters, target: str, k: int) -> Protected:
    """Every public margin of ``target``'s counts with its statuses (shared by every public reader)."""
    return protect_atoms(atoms(con, f, target), k)


def protect_atoms(table: pd.DataFrame, k: int, ladder=BLOCKS) -> Protected:
    """Every public margin of :func:`atoms`' counts with its statuses, blocks built up ``ladder`` (another ladder
    only to measure it: bench/public_hiding.py)."""
    return linked_suppression.protect(table, DIMS, margins(), ("n", "k", "x"), k, hide_with={"k": "n"}, blocks=ladder)


def _selected(table: dict[str, np.ndarray], f: Filters, population: str, dates: np.ndarray) -> np.ndarray:
    """Positions of the margin's rows that the filters, population and ``dates`` (one bool per row) keep."""
    keep = dates.copy()
    for name, dim in FILTERED.items():
        value = getattr(f, name)
        if value is not None:
            keep &= table[dim] == value
    if population == "opioid":
        keep &= table["opioid"].astype(bool)
    elif population != "all":
        raise ValueError(f"unknown population {population!r}")
    return np.flatnonzero(keep)


def cells_of(prot: Protected, f: Filters, population: str, dims: set[str], period: str | None = None,
             first: dt.date | None = None, last: dt.date | None = None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The margin a public view reads (``f``'s filters, the population and ``dims``) and the positions of its rows
    that the filters, population and periods ``first`` to ``last`` of ``period`` keep: Trends and This week read
    their cells through it (Expected vs found its atoms, through :func:`atoms_of`), so one cell has one status on
    every page."""
    wanted = {d for name, d in FILTERED.items() if getattr(f, name) is not None}
    wanted |= {"opioid"} if population == "opioid" else set()
    table = prot.columns(wanted | set(dims) | ({period} if period else set()))
    return table, _selected(table, f, population, _dates(table, period, first, last))


def atoms_of(prot: Protected, f: Filters, population: str, period: str | None = None, first: dt.date | None = None,
             last: dt.date | None = None) -> np.ndarray:
    """The same choice over the atoms (one bool each): what a total or a union of cells is counted over."""
    chosen = np.zeros(len(prot.atoms["n"]), dtype=bool)
    chosen[_selected(prot.atoms, f, population, _dates(prot.atoms, period, first, last))] = True
    return chosen


def _dates(table: dict[str, np.ndarray], period: str | None, first: dt.date | None, last: dt.date | None
           ) -> np.ndarray:
    if period is None:
        return np.ones(len(next(iter(table.values()))), dtype=bool)
    return _in_range(table[period], first, last)


def view_of(prot: Protected, f: Filters, target: str, period: str, group: str | None, population: str
            ) -> TrendView:
    """What the public sees for one view, read from the protected margins: the same cell, the same status."""
    if group not in SPLITS or period not in PERIODS:
        raise ValueError(f"unknown grouping {group!r} or period {period!r}")
    first, last = period_bounds(f, period)
    table, pick = cells_of(prot, f, population, {group} if group else set(), period, first, last)
    cols = {c: table[c][pick] for c in (period, "n", "k", "n_status", "k_status")}
    grp = [None] * len(pick) if not group else ["?" if g == NO_VALUE else g for g in table[group][pick]]
    order = sorted(range(len(pick)), key=lambda i: (cols[period][i], grp[i] is not None, grp[i] or ""))
    records = []
    for i in order:
        n, k = int(cols["n"][i]), int(cols["k"][i])
        if not n:  # a period with finds only outside the denominator: a count for the note, not a point
            continue
        hidden = cols["n_status"][i] != SHOWN or cols["k_status"][i] != SHOWN
        lo, hi = metrics.wilson(k, n)
        records.append({"period": cols[period][i], "grp": grp[i], "target": target, "n": n, "k": k,
                        "n_status": cols["n_status"][i], "k_status": cols["k_status"][i],
                        "share": None if hidden or not n else k / n, "lo": None if hidden else lo,
                        "hi": None if hidden else hi, "low_n": n < metrics.LOW_N})
    out = pd.DataFrame(records, columns=["period", "grp", "target", "n", "k", "n_status", "k_status", "share", "lo",
                                         "hi", "low_n"])
    for col in ("share", "lo", "hi", "grp"):  # None, not NaN, where hidden (pages test ``is not None``)
        out[col] = pd.Series([r[col] for r in records], dtype="object")
    out[["n", "k"]] = out[["n", "k"]].astype("int64")
    chosen = atoms_of(prot, f, population, period, first, last)
    (total, total_status), (outside, outside_status) = prot.union(chosen, "n"), prot.union(chosen, "x")
    return TrendView(out, total, total_status, outside, outside_status)


def _in_range(periods: np.ndarray, first: dt.date | None, last: dt.date | None) -> np.ndarray:
    """Which rows' periods lie from ``first`` to ``last`` (as days, in numpy: this runs for every public view)."""
    days = np.asarray(periods, dtype="datetime64[D]")
    keep = np.ones(len(days), dtype=bool)
    if first is not None:
        keep &= days >= np.datetime64(first, "D")
    if last is not None:
        keep &= days <= np.datetime64(last, "D")
    return keep


def view(con: duckdb.DuckDBPyConnection, f: Filters, target: str, period: str, group: str | None, population: str,
         k: int) -> TrendView:
    """:func:`view_of` straight from a cursor (the pages go through the shared cache instead)."""
    return view_of(protected(con, f, target, k), f, target, period, group, population)
