"""Concentration as the public sees it: monthly n and the fentanyl % histogram, protected across every view.

The public Concentration page shows, for all regions or one region, the quantified samples of each public month
(whole weeks, as on Trends) and their distribution in 5-point bands. Site, "sold as" and sample type are for
signed-in staff. The histogram covers every date (a fixed window): under a date range it would be one month's
histogram, and a month's bands cross its monthly count, so both could only be shown by hiding most of either.
Every count is a cell of one table (public month x region x band) and every margin the page shows is audited
at once (supplywatch.linked_suppression): no hidden count, and no small count of a month's band the page does not
show, is any sum or difference of shown counts. See docs/methods.md, "Small-cell suppression".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd

from . import linked_suppression, metrics, public_trends
from .filters import Filters
from .linked_suppression import Protected

WIDTH = 5.0
DIMS = ("month", "region", "band")
# What the page shows: monthly n (all regions or one), the histogram over every date (all regions or one), and
# the totals these add up to.
MARGINS = (("month",), ("month", "region"), ("band",), ("band", "region"), ("region",), ())
# Never shown, yet a small count there must not be computable: one month's histogram, of a region or all.
PRIVATE = (("month", "band"), ("month", "region", "band"))


def public_filters(f: Filters) -> Filters:
    """What the public may vary here: the dates (read as whole public months) and the region."""
    start, end = public_trends.covered_days(f, "month")
    return Filters(start=start, end=end, region=f.region)


def ignored(f: Filters) -> bool:
    """Whether ``f`` sets a filter the public pages of this kind leave out (site, "sold as", sample type)."""
    return any(v is not None for v in (f.site, f.expected, f.sample_type))


def atoms(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quantified samples per (public month, region, band), over every date."""
    week = metrics._period_sql("week", "s.collected_date")
    gap = metrics._lit(public_trends.NO_VALUE)
    sql = f"""
        SELECT {public_trends.month_of_week(week)} AS month, coalesce(s.region, {gap}) AS region,
               floor(least(s.fentanyl_pct, 99.999) / {WIDTH}) * {WIDTH} AS band, count(*) AS n
        FROM samples s WHERE s.fentanyl_pct IS NOT NULL
        GROUP BY ALL
    """
    out = con.execute(sql).df()
    out["n"] = out["n"].astype("int64")
    return out


def protected(con: duckdb.DuckDBPyConnection, k: int) -> Protected:
    """Every public margin with its statuses, decided once (shared by every public reader)."""
    return linked_suppression.protect(atoms(con), DIMS, MARGINS, ("n",), k, audit=True, private=PRIVATE)


def monthly(prot: Protected, f: Filters) -> pd.DataFrame:
    """(period, n, n_status) per public month the range touches, for ``f``'s region or all regions."""
    table = prot.table({"month", "region"} if f.region else {"month"})
    if f.region:
        table = table[table["region"] == f.region]
    out = table[_in_months(table["month"], f)].rename(columns={"month": "period"})[["period", "n", "n_status"]]
    out = out.sort_values("period").reset_index(drop=True)
    out["period"] = [pd.Timestamp(p).date() for p in out["period"]]
    return out


def histogram(prot: Protected, region: str | None) -> pd.DataFrame:
    """(lower, n, n_status) per 5-point band over every date, for ``region`` or all regions."""
    table = prot.table({"band", "region"} if region else {"band"})
    if region:
        table = table[table["region"] == region]
    out = table.rename(columns={"band": "lower"})[["lower", "n", "n_status"]]
    return out.sort_values("lower").reset_index(drop=True)


def _in_months(periods: pd.Series, f: Filters) -> np.ndarray:
    """Which public months lie in ``f``'s range (every month it touches)."""
    return public_trends._in_range(periods.to_numpy(), *public_trends.period_bounds(f, "month"))


def medians(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Median and quartiles of fentanyl % per public month under ``f``'s dates (whole months) and region only."""
    pf = public_filters(f)
    where, params = replace(pf, start=None, end=None).where("s")
    week = metrics._period_sql("week", "s.collected_date")
    sql = f"""
        SELECT {public_trends.month_of_week(week)} AS period, count(*) AS n,
               quantile_cont(s.fentanyl_pct, 0.5) AS median,
               quantile_cont(s.fentanyl_pct, 0.25) AS q1,
               quantile_cont(s.fentanyl_pct, 0.75) AS q3
        FROM samples s WHERE {where} AND s.fentanyl_pct IS NOT NULL
        GROUP BY 1 ORDER BY 1
    """
    out = con.execute(sql, params).df()
    out = out[_in_months(out["period"], f)].reset_index(drop=True)
    out["n"] = out["n"].astype("int64")
    out["period"] = [dt.date.fromisoformat(str(p)[:10]) for p in out["period"]]
    return out
