"""Fentanyl concentration: quantified samples per month with median and quartiles, per 5-point band, and the
median alone (docs/methods.md).

Read from ``quantified_samples``, the narrow table of quantified samples the writers keep
(supplywatch.kept_summaries): medians and quartiles do not add up across groups, so they are computed over the
samples themselves, a fraction of the rows and columns of ``samples``, with the same filters and the same
result. When the dates are whole months or not set (the page's default: all dates), everything is read from
``quantified_values`` instead, the same samples counted per month, place, "sold as", type and fentanyl %: a
quantile is the value at a rank, the ranks follow from the running counts, and the interpolation between two ranks
is DuckDB's own (``quantile_cont``: with r = (n - 1) q and d = r - floor(r), the values at ranks floor(r) and
ceil(r) weighted 1 - d and d; written as lo + (hi - lo) d the last digit differed), so the numbers are the same to the last digit while the table stays a few hundred rows per month and place
however many samples there are (0.06 s at 10M samples, where the quantified samples took 0.7 s).
When a table was written around (supplywatch.summary_stamp), ``samples`` is read instead.
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


QUANTILES = (("median", 0.5), ("q1", 0.25), ("q3", 0.75))


def _counted(con: duckdb.DuckDBPyConnection, f: Filters) -> tuple[str, list] | None:
    """(condition over ``quantified_values`` as ``s``, parameters) when that table answers ``f`` exactly, else None."""
    if kept_summaries.months_answered(f) and kept_summaries.is_current(con, kept_summaries.QUANTIFIED_VALUES):
        return kept_summaries.month_where(f, "s")
    return None


def _quantiles_from_counts(where: str, group: str, names=QUANTILES) -> str:
    """SQL of ``group`` (an expression over ``s`` or a constant), n, and each quantile in ``names``, computed from
    the counts in ``quantified_values`` as ``quantile_cont`` computes them from the values."""
    lows = ", ".join(f"min(x) FILTER (WHERE cum > floor((total - 1) * CAST({q} AS DOUBLE))) AS {name}_lo, "
                     f"min(x) FILTER (WHERE cum > ceil((total - 1) * CAST({q} AS DOUBLE))) AS {name}_hi"
                     for name, q in names)
    step = "((n - 1) * CAST({q} AS DOUBLE) - floor((n - 1) * CAST({q} AS DOUBLE)))"  # the fraction between ranks
    values = ", ".join(f"{name}_lo * (1 - {step.format(q=q)}) + {name}_hi * {step.format(q=q)} AS {name}"
                       for name, q in names)
    return f"""
        WITH v AS (SELECT {group} AS period, s.fentanyl_pct AS x, sum(s.n) AS n
                   FROM quantified_values s WHERE {where} GROUP BY 1, 2),
        c AS (SELECT period, x, CAST(sum(n) OVER (PARTITION BY period ORDER BY x ROWS UNBOUNDED PRECEDING) AS BIGINT)
                     AS cum, CAST(sum(n) OVER (PARTITION BY period) AS BIGINT) AS total FROM v),
        k AS (SELECT period, any_value(total) AS n, {lows} FROM c GROUP BY period)
        SELECT period, n, {values} FROM k ORDER BY 1
    """


def concentration_by_month(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Fentanyl % by month: n quantified samples, median, first and third quartile (continuous quantiles)."""
    counted = _counted(con, f)
    if counted:
        out = con.execute(_quantiles_from_counts(counted[0], "s.month"), counted[1]).df()
        out["n"] = out["n"].astype("int64")
        out["low_n"] = out["n"] < LOW_N
        return out
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
    counted = _counted(con, f)
    where, params = counted or f.where("s")
    count, source = ("sum(s.n)", "quantified_values s") if counted else ("count(*)", _source(con))
    sql = f"""
        SELECT floor(least(s.fentanyl_pct, 99.999) / {float(width)}) * {float(width)} AS lower, {count} AS n
        FROM {source} WHERE {where} AND s.fentanyl_pct IS NOT NULL
        GROUP BY 1 ORDER BY 1
    """
    out = con.execute(sql, params).df()
    out["n"] = out["n"].astype("int64")
    return out


def median_fentanyl_pct(con: duckdb.DuckDBPyConnection, f: Filters) -> tuple[float | None, int]:
    """Median fentanyl % and the number of quantified samples behind it."""
    counted = _counted(con, f)
    if counted:
        row = con.execute(_quantiles_from_counts(counted[0], "0", QUANTILES[:1]), counted[1]).fetchone()
        return (row[2], int(row[1])) if row else (None, 0)
    where, params = f.where("s")
    row = con.execute(
        f"SELECT quantile_cont(s.fentanyl_pct, 0.5), count(s.fentanyl_pct) FROM {_source(con)} WHERE {where}", params
    ).fetchone()
    return (row[0], int(row[1]))
