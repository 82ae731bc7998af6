"""Which periods of an overdose series go on one chart line, and which are still filling in (reporting lag).

A source often publishes the same count by year and by quarter (PHAC: British Columbia opioid deaths 2,344 in
2024 beside 644, 604, 606 and 490 in its quarters), or a year to date that starts on the same day as the first
quarter. Drawn on one line these read as sudden jumps and falls in harms. So every row has a *kind* (its
``period_type``; a rolling window also carries its length: ``rolling_12``), one line holds one kind, and the page
shows the finest kind that covers the dates asked for, letting the reader switch.

Reports of deaths and visits arrive late, so the newest weeks of a source are marked as possibly incomplete. That
window is measured back from the newest period the source has in the warehouse, not from the newest period in the
reader's view: a view ending in 2020 does not make late 2020 look incomplete.
"""

from __future__ import annotations

from typing import Callable

import duckdb
import pandas as pd

# Finest first. A year to date is finer than a year (it is part of one); rolling windows come after calendar
# periods of any length, because each point repeats most of its neighbours' counts.
KIND_ORDER = ("day", "week", "month", "quarter", "year_to_date", "year", "rolling", "other")
LAG_DAYS = 28
COVER_SHARE = 0.9  # a kind "covers" the dates when it spans at least this share of what the widest kind spans


def kind_key(period_type: str, start, end) -> str:
    """'quarter', 'year' ...; a rolling window with its length in months: 'rolling_12'."""
    if period_type != "rolling":
        return period_type
    s, e = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    return f"rolling_{(e.year - s.year) * 12 + e.month - s.month}"


def with_kind(series: pd.DataFrame) -> pd.DataFrame:
    """The series with a ``kind`` column (see :func:`kind_key`)."""
    out = series.copy()
    out["kind"] = [kind_key(t, s, e) for t, s, e in zip(out["period_type"], out["period_start"], out["period_end"])]
    return out


def _order(kind: str) -> tuple[int, int]:
    if kind.startswith("rolling_"):
        return KIND_ORDER.index("rolling"), int(kind.split("_", 1)[1])
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)), 0


def kinds(series: pd.DataFrame) -> list[str]:
    """The kinds present in a series (with a ``kind`` column), finest first."""
    return sorted(set(series["kind"]), key=_order)


def finest_covering(series: pd.DataFrame, start=None, end=None) -> str | None:
    """The finest kind whose periods span (nearly) as much of [start, end] as any kind does.

    Without a start or end, the series' own first or last day stands in. A kind whose data stops early (monthly
    counts for the last year only, beside years back to 2016) is passed over for one that covers the view."""
    if series.empty:
        return None
    lo = pd.Timestamp(start) if start is not None else pd.Timestamp(series["period_start"].min())
    hi = pd.Timestamp(end) if end is not None else pd.Timestamp(series["period_end"].max())
    spans = series.groupby("kind").agg(first=("period_start", "min"), last=("period_end", "max"))
    covered = {k: max((min(pd.Timestamp(r["last"]), hi) - max(pd.Timestamp(r["first"]), lo)).days + 1, 0)
               for k, r in spans.iterrows()}
    best = max(covered.values())
    return next(k for k in kinds(series) if covered[k] >= COVER_SHARE * best)


def kind_label(kind: str, _: Callable[[str], str]) -> str:
    """The reader's name for a kind: 'Quarters', 'Rolling 12 months' (every rolling window says so)."""
    if kind.startswith("rolling_"):
        return _("Rolling {n} months (each point: the {n} months up to it)").format(n=kind.split("_", 1)[1])
    labels = {"day": _("Days"), "week": _("Weeks"), "month": _("Months"), "quarter": _("Quarters"),
              "year_to_date": _("Year to date"), "year": _("Years"), "other": _("Other periods")}
    return labels.get(kind, kind)


def newest_by_source(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The last day of the newest period each source has (all its rows: no filter applies)."""
    return con.execute("SELECT source, max(period_end) AS newest FROM overdose_events GROUP BY source"
                       " ORDER BY source").df()


def may_be_incomplete(series: pd.DataFrame, newest: pd.DataFrame, days: int = LAG_DAYS) -> pd.Series:
    """True for rows whose period ends within ``days`` of the newest period their source has."""
    limit = dict(zip(newest["source"], pd.to_datetime(newest["newest"]) - pd.Timedelta(days=days)))
    return pd.Series([s in limit and pd.Timestamp(e) > limit[s] for s, e in zip(series["source"],
                                                                                 series["period_end"])],
                     index=series.index, dtype=bool)


def lag_start(series: pd.DataFrame, newest: pd.DataFrame, days: int = LAG_DAYS):
    """Where the shaded reporting-lag window begins on the chart: the earliest lag limit among the sources in
    view whose rows reach into it; None when no row in view does."""
    flags = may_be_incomplete(series, newest, days)
    if not flags.any():
        return None
    sources = set(series.loc[flags, "source"])
    limits = [pd.Timestamp(n) - pd.Timedelta(days=days) for s, n in zip(newest["source"], newest["newest"])
              if s in sources]
    return min(limits)
