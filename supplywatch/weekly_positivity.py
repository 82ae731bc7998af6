"""Trends' positivity counts per week from a small summary the writers keep, instead of a scan of every sample.

Trends asks, per week (or month), how many samples a method sensitive enough for a substance tested (n), in how
many of those a capable method found it (k) and in how many untested samples a less sensitive method found it
(outside). Computed directly that is a grouped scan of every sample and every detection of the substance (10M
samples and 22M detections at 10M). This table holds the same counts per (week, month, region, site,
expected_raw, sample_type, expected_substance, expected_class, target) for every substance or class the Trends
page offers (``metrics.TREND_TARGETS``). A sample falls in exactly one such group, so the counts of groups add
up; a week that spans two months is two rows, so weeks and months both add up exactly. About 25,000 groups per
target at 1M or 10M demo samples: they grow with weeks and places, not with samples.

The summary answers a query when it can give the same rows as the direct one: weekly or monthly periods, any
region, site, "sold as", type or population, and dates that start on a Monday or a month's first day and end on
a Sunday or a month's last day (or no dates). Anything else, and any warehouse whose summary was built by
another rule (the targets, which methods can and are sensitive enough to see them: ``rule``) or from other
stored samples and detections than there are now (``stamp``), is read directly.

Kept equal to the stored samples and detections by every writer, inside the writer's transaction, like the
first/last-seen summary (supplywatch.first_seen): a load adds its new samples per piece (:func:`add_samples`),
re-mapping unknown names rebuilds it, and a writer that finds it built by another rule (or not at all, after
warehouse migration 8) rebuilds it (:func:`ensure`). The counts themselves come from ``metrics`` (the direct
query, grouped by every key), so the summary cannot drift from the definition in docs/methods.md.
"""

from __future__ import annotations

from typing import Callable

import duckdb

from . import kept_summaries, summary_stamp
from .filters import Filters
from .sql_text import sql_literals

TABLE = "positivity_weeks"
DIMS = ("region", "site", "expected_raw", "sample_type", "expected_substance", "expected_class")
KEYS = ("week", "month", *DIMS)
META_KEY = "positivity_weeks_rule"
PERIODS = ("week", "month")
# What the direct query groups by to fill the table: every key but the dates, as one value ({a}: table alias).
GROUP_SQL = "struct_pack(" + ", ".join(f"{c} := {{a}}.{c}" for c in DIMS) + ")"
# The direct query's period, as one value: the week and the month a sample falls in.
PERIOD_SQL = "struct_pack(week := CAST(date_trunc('week', {col}) AS DATE)," \
             " month := CAST(date_trunc('month', {col}) AS DATE))"

# (filters, targets, period SQL, group SQL, extra condition) -> (SQL of one row per period and group, with
# n0, k0, x0, n1 ... per target; its parameters): the direct query, from supplywatch.metrics
Direct = Callable[[Filters, tuple, str, str, str], tuple[str, list]]


def rule(direct: Direct, targets: tuple) -> str:
    """A short hash of the SQL that fills the table: it changes with the targets and their methods."""
    sql, _ = direct(Filters(), targets, PERIOD_SQL, GROUP_SQL, "TRUE")
    return summary_stamp.rule_of(sql)


def is_current(con: duckdb.DuckDBPyConnection, wanted: str) -> bool:
    """True when the table was built by the rule ``wanted`` from the samples and detections stored now (readers
    may use it; supplywatch.summary_stamp)."""
    return summary_stamp.is_current(con, META_KEY, wanted)


def _record(con: duckdb.DuckDBPyConnection, direct: Direct, targets: tuple) -> None:
    """Record the rule the table was built by and the stored counts it matches."""
    summary_stamp.record(con, META_KEY, rule(direct, targets))


def answers(f: Filters, targets, period: str | None, targets_kept: tuple) -> bool:
    """True when the table gives exactly the direct query's rows for these filters, targets and period."""
    return period in PERIODS and set(targets) <= set(targets_kept) and kept_summaries.dates_answered(f)


def wide_sql(f: Filters, targets, period: str, group_sql: str, population_sql: str) -> tuple[str, list]:
    """The direct query's wide rows (period, grp, n0, k0, x0, ...) summed from the table (alias ``w``).
    ``population_sql`` is the population's condition over ``w`` ('TRUE' for all samples)."""
    where, params = kept_summaries.where(f, "w")
    sums = ", ".join(f"CAST(coalesce(sum(w.{c}) FILTER (WHERE w.target = {sql_literals([t])}), 0) AS BIGINT)"
                     f" AS {c}{i}" for i, t in enumerate(targets) for c in ("n", "k", "x"))
    sql = f"""
        SELECT w.{period} AS period, {group_sql.format(a='w')} AS grp, {sums}
        FROM {TABLE} w
        WHERE w.target IN ({sql_literals(list(targets))}) AND {where} AND {population_sql}
        GROUP BY ALL ORDER BY ALL
    """
    return sql, params


def rows_sql(direct: Direct, targets: tuple, extra: str = "TRUE") -> str:
    """SQL: the table's rows for the samples matching ``extra`` (over alias {a}), counted by the direct query."""
    sql, _ = direct(Filters(), targets, PERIOD_SQL, GROUP_SQL, extra)
    per_target = " UNION ALL ".join(
        f"SELECT period, grp, {sql_literals([t])} AS target, n{i} AS n, k{i} AS k, x{i} AS x FROM wide"
        for i, t in enumerate(targets))
    return (f"WITH wide AS ({sql}) SELECT period.week, period.month, {', '.join(f'grp.{c}' for c in DIMS)},"
            f" target, n, k, x FROM ({per_target}) WHERE n > 0 OR x > 0")


def rebuild(con: duckdb.DuckDBPyConnection, direct: Direct, targets: tuple) -> None:
    """Recompute the whole table from the stored samples and detections, and record the rule it was built by."""
    con.execute(f"DELETE FROM {TABLE}")
    con.execute(f"INSERT INTO {TABLE} {rows_sql(direct, targets)}")
    _record(con, direct, targets)


def add_samples(con: duckdb.DuckDBPyConnection, direct: Direct, targets: tuple, first: int, last: int) -> None:
    """Add the new samples numbered ``first`` to ``last`` (one piece of a load): their counts are new, so they add
    to the stored rows of their groups (summed here, so a group stays one row)."""
    keys = ", ".join([*KEYS, "target"])
    piece = f"{{a}}.sample_no BETWEEN {int(first)} AND {int(last)}"
    # One target at a time: each holds its own distinct-sample sets per group, so ten at once did not fit a load
    # under a small memory cap (tests/etl/test_load_memory.py: 200,000 samples under 100MB).
    con.execute(f"CREATE OR REPLACE TEMP TABLE positivity_weeks_new AS {rows_sql(direct, targets[:1], piece)}")
    for target in targets[1:]:
        con.execute(f"INSERT INTO positivity_weeks_new {rows_sql(direct, (target,), piece)}")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE positivity_weeks_merged AS
        SELECT {keys}, CAST(sum(n) AS BIGINT) AS n, CAST(sum(k) AS BIGINT) AS k, CAST(sum(x) AS BIGINT) AS x
        FROM (SELECT {keys}, n, k, x FROM {TABLE} UNION ALL SELECT {keys}, n, k, x FROM positivity_weeks_new) both_
        GROUP BY {keys}
    """)
    con.execute("DROP TABLE positivity_weeks_new")
    con.execute(f"DELETE FROM {TABLE}")
    con.execute(f"INSERT INTO {TABLE} SELECT {keys}, n, k, x FROM positivity_weeks_merged")
    con.execute("DROP TABLE positivity_weeks_merged")
    _record(con, direct, targets)
