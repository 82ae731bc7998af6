"""Data from outside drug checking, as the dashboard shows it: overdose counts and alerts issued by others."""

from __future__ import annotations

import duckdb
import pandas as pd

from .filters import Filters


def _span_where(f: Filters, first: str, last: str, region_sql: str) -> tuple[str, list]:
    """WHERE for rows spanning [first, last] that overlap the filter's dates, plus the region condition."""
    clauses, params = ["TRUE"], []
    for sql, value in ((f"{last} >= ?", f.start), (f"{first} <= ?", f.end), (region_sql, f.region)):
        if value:
            clauses.append(sql)
            params.append(value)
    return " AND ".join(clauses), params


# A site's row when the source also gave the total without a site for the same series and period: the sum of
# sites would add the total to its own parts, so the total is shown alone (breakdowns are left out the same way).
_SITE_WITH_TOTAL = """(o.site IS NOT NULL AND EXISTS (
    SELECT 1 FROM overdose_events tot WHERE tot.site IS NULL AND tot.breakdown IS NULL AND tot.source = o.source
      AND tot.region IS NOT DISTINCT FROM o.region AND tot.period_label = o.period_label
      AND tot.measure = o.measure AND tot.substance IS NOT DISTINCT FROM o.substance AND tot.unit = o.unit))"""


def overdose_series(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Overdose events overlapping the date range (region filter applies; sites differ from checking sites)."""
    where, params = _span_where(f, "period_start", "period_end", "region = ?")
    sql = f"""
        SELECT source, coalesce(region, '?') AS region, period_start, period_end, period_label, period_type,
               measure, coalesce(substance, 'all') AS substance, unit, sum(value) AS value,
               bool_or(suppressed) AS suppressed, bool_and(value IS NULL AND NOT suppressed) AS missing,
               any_value(value_label) AS value_label
        FROM overdose_events o WHERE {where} AND breakdown IS NULL AND NOT {_SITE_WITH_TOTAL}
        GROUP BY ALL ORDER BY measure, region, period_start
    """
    return con.execute(sql, params).df()


def external_alerts(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Alerts issued elsewhere, newest first, in the date range and region (alerts without a region always show)."""
    where, params = _span_where(f, "issued_date", "issued_date", "(region = ? OR region IS NULL)")
    sql = f"""
        SELECT issued_date, region, alert_type, title, link, source FROM alerts
        WHERE {where} ORDER BY issued_date DESC, title
    """
    return con.execute(sql, params).df()
