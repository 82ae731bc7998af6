"""Fentanyl concentration: quantified samples per month with median and quartiles, per 5-point band, and the
median alone (docs/methods.md).

Read from ``quantified_samples``, the narrow table of quantified samples the writers keep
(supplywatch.kept_summaries): medians and quartiles do not add up across groups, so they are computed over the
samples themselves, a fraction of the rows and columns of ``samples``, with the same filters and the same
result. When that table was written around (supplywatch.summary_stamp), ``samples`` is read instead.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from . import kept_summaries
from .filters import Filters
from .rates import LOW_N


def _source(con: duckdb.DuckDBPyConnection) -> str:
    """The quantified samples as alias ``s``, with the columns the filters select on and ``fentanyl_pct``."""
    if kept_summaries.is_current(con, kept_summaries.QUANTIFIED):
        return f"{kept_summaries.QUANTIFIED.table} s"
    return "samples s"


def concentration_by_month(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Fentanyl % by month: n quantified samples, median, first and third quartile (continuous quantiles)."""
    where, params = f.where("s")
    sql = f"""
        SELECT CAST(date_trunc('month', s.collected_date) AS DATE) AS period, count(*) AS n,
               quantile_cont(s.fentanyl_pct, 0.5) AS median,
               quantile_cont(s.fentanyl_pct, 0.25) AS q1,
               quantile_cont(s.fentanyl_pct, 0.75) AS q3
        FROM {_source(con)} WHERE {where} AND s.fentanyl_pct IS NOT NULL
        GROUP BY 1 ORDER BY 1
    """
    out = con.execute(sql, params).df()
    out["n"] = out["n"].astype("int64")
    out["low_n"] = out["n"] < LOW_N
    return out


def concentration_histogram(con: duckdb.DuckDBPyConnection, f: Filters, width: float = 5.0) -> pd.DataFrame:
    """Quantified samples per fentanyl % band [lower, lower + width)."""
    where, params = f.where("s")
    sql = f"""
        SELECT floor(least(s.fentanyl_pct, 99.999) / {float(width)}) * {float(width)} AS lower, count(*) AS n
        FROM {_source(con)} WHERE {where} AND s.fentanyl_pct IS NOT NULL
        GROUP BY 1 ORDER BY 1
    """
    out = con.execute(sql, params).df()
    out["n"] = out["n"].astype("int64")
    return out


def median_fentanyl_pct(con: duckdb.DuckDBPyConnection, f: Filters) -> tuple[float | None, int]:
    """Median fentanyl % and the number of quantified samples behind it."""
    where, params = f.where("s")
    row = con.execute(
        f"SELECT quantile_cont(s.fentanyl_pct, 0.5), count(s.fentanyl_pct) FROM {_source(con)} WHERE {where}", params
    ).fetchone()
    return (row[0], int(row[1]))
