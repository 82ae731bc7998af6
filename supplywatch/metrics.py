"""Every number the supply dashboard shows, computed as SQL aggregates in DuckDB (no Streamlit here).

Each function takes a read-only cursor and a :class:`~supplywatch.filters.Filters` and returns a small
pandas frame or dict of aggregates; raw sample rows never travel to pandas for counting.
Definitions, and the reasoning behind them, are written out in docs/methods.md.

Here: positivity (which method can see what), the overview's headline, emerging substances, the sidebar's choices
and the writers' side of the load-kept summaries. Beside it, and re-exported so pages keep calling
``metrics.<name>``: rates and their intervals (supplywatch.rates), concentration (supplywatch.concentration),
expected vs found (supplywatch.expected_found), overdose counts and outside
alerts (supplywatch.outside_sources), and what the loads did (supplywatch.load_report).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import duckdb
import pandas as pd

from . import classes, dictionary, findings, first_seen, kept_summaries, sensitivity, weekly_positivity
from .concentration import concentration_by_month, concentration_histogram, median_fentanyl_pct  # noqa: F401
from .expected_found import expected_found, finding_cells, match_counts  # noqa: F401  (re-exported, as below)
from .filters import Filters
from .load_report import data_status, load_history, reject_reasons, reject_rows, reject_summary  # noqa: F401
from .outside_sources import external_alerts, overdose_series  # noqa: F401
from .rates import LOW_N, Z95, add_rates, wilson  # noqa: F401
from .sql_text import sql_text as _lit  # the one quoting helper (supplywatch.public_trends calls metrics._lit)

# ------------------------------------------------------------------ classes and methods

OPIOID_CLASSES = ("fentanyl", "nitazene", "opioid_other", "opioid_unspecified")

# The strips, and the class or substance each is built for (supplywatch.classes defines them).
STRIPS = tuple(classes.STRIP_TARGETS)
_STRIP_FOR = {target: strip for strip, target in classes.STRIP_TARGETS.items()}

# The headline substances and classes of the overview, in display order.
HEADLINE_TARGETS = ("fentanyl", "carfentanil", "nitazene", "benzodiazepine", "xylazine", "medetomidine")
# What the Trends page offers, in its order; the weekly summary keeps counts for each (supplywatch.weekly_positivity).
TREND_TARGETS = (*HEADLINE_TARGETS, "alpha2_sedative", "opioid_other", "stimulant", "cut")


def is_class(target: str) -> bool:
    """True when ``target`` is a class slug rather than a canonical substance name."""
    return target in classes.CLASSES


def capable_methods(target: str) -> set[str]:
    """Detection methods able to detect ``target``: FTIR and lab, plus the strip built for exactly this target.

    A strip answers only for its own target: a fentanyl strip says nothing specific about carfentanil or
    acetylfentanyl, and a xylazine strip nothing about medetomidine. supplywatch.dictionary decides (it knows
    targets no method can detect, such as placeholders); this module's rule then trims its strips.
    """
    own = {"ftir", "lab"} | ({_STRIP_FOR[target]} if target in _STRIP_FOR else set())
    return set(dictionary.capable_methods(target)) & own


def sensitive_methods(target: str) -> set[str]:
    """The capable methods whose negative result means "not there" for ``target`` (data/method_sensitivity.csv):
    the default positivity denominator. FTIR is left out for targets usually present below its ~5 % limit."""
    capable = capable_methods(target)
    return set(sensitivity.sensitive_methods(target, capable))


def _tested_sql(method: str) -> str:
    if method == "ftir":
        return "s.ftir_tested"
    if method == "lab":
        return "s.lab_tested"
    if method in STRIPS:
        return f"coalesce(s.{method} IN ('positive', 'negative'), false)"
    raise ValueError(f"unknown detection method {method!r}")


def _tested_any_sql(methods) -> str:
    """SQL over alias ``s``: the sample was tested by at least one of ``methods`` ('false' for none)."""
    return "(" + (" OR ".join(f"({_tested_sql(m)})" for m in sorted(methods)) or "false") + ")"


# ------------------------------------------------------------------ helpers

def _period_sql(period: str | None, column: str = "s.collected_date") -> str:
    if period in ("week", "month", "quarter", "year"):
        return f"CAST(date_trunc('{period}', {column}) AS DATE)"
    if period is None:
        return "CAST(NULL AS DATE)"
    raise ValueError(f"unknown period {period!r}")


# Groupings as SQL over samples or detections ({a} is the table alias: both carry these columns).
GROUPS = {
    None: "CAST(NULL AS VARCHAR)",
    "region": "coalesce({a}.region, '?')",
    "site": "coalesce({a}.site, '?')",
    "expected": "coalesce({a}.expected_substance, {a}.expected_class, '?')",
}


def _group_sql(group: str | None) -> str:
    """The grouping's SQL with ``{a}`` standing for the table alias."""
    if group not in GROUPS:
        raise ValueError(f"unknown grouping {group!r}")
    return GROUPS[group]


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


# ------------------------------------------------------------------ positivity

def positivity(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    targets: tuple[str, ...] | list[str],
    period: str | None = "week",
    group: str | None = None,
    population: str = "all",
) -> pd.DataFrame:
    """Share of samples with each target detected, over samples tested by a method sensitive enough to detect it.

    Returns one row per (period, grp, target): n tested by a sensitive method (:func:`sensitive_methods`), k of
    those in which any capable method found the target, share, Wilson lo/hi, low_n, and ``outside``: samples
    not in n in which a less sensitive method (FTIR) found it, shown as a count and never as a rate.
    ``population='opioid'`` keeps samples expected to be an opioid.
    """
    return _positivity(con, f, targets, period, _group_sql(group), population)


def _scope(f: Filters, alias: str, population: str = "all") -> tuple[str, list]:
    """The filters as SQL over ``samples`` or ``detections`` (``alias``), optionally opioid-expected samples only."""
    where, params = f.where(alias)
    if population == "opioid":
        where += f" AND {alias}.expected_class IN (" + ", ".join(_lit(c) for c in OPIOID_CLASSES) + ")"
    elif population != "all":
        raise ValueError(f"unknown population {population!r}")
    return where, params


def _folded_hit_sql(target: str, capable, folded: bool) -> str | None:
    """SQL over alias ``s``: a capable method found ``target`` in the sample, read from the columns the load
    folded (FTIR and lab finds) and the target's own strip; None when the fold cannot answer (not current, or
    a class the fold leaves out as not active)."""
    if not folded:
        return None
    if is_class(target):
        if target in findings.NOT_ACTIVE or target not in findings.class_slugs():
            return None
        found = f"(s.found_classes >> {findings.class_slugs().index(target)}) & 1 = 1"
    else:
        found = f"list_contains(s.found_substances, {_lit(target)})"
    strips = [f"coalesce(s.{m} = 'positive', false)" for m in sorted(capable) if m in STRIPS]
    return "(" + " OR ".join([found, *strips]) + ")"


def _positivity_sql(f: Filters, targets, period_sql: str, group_sql: str, population: str, folded: bool,
                    extra: str = "TRUE") -> tuple[str, list]:
    """The direct positivity query: one row per (period, grp) with n0, k0, x0, n1 ... per target, from samples
    and detections. ``period_sql`` is the period over column {col}; ``extra`` narrows both tables (alias {a})."""
    where_s, params = _scope(f, "s", population)
    where_d, _ = _scope(f, "d", population)
    where_s, where_d = f"{where_s} AND {extra.format(a='s')}", f"{where_d} AND {extra.format(a='d')}"
    n_cols = []
    k_cols: dict[bool, list[str]] = {False: [], True: []}  # by whether the count needs the sample's other results
    wanted: dict[bool, list[str]] = {False: [], True: []}
    home = []
    for i, target in enumerate(targets):
        capable = capable_methods(target)
        sensitive = sensitive_methods(target)
        tested = _tested_any_sql(sensitive)
        column = "class" if is_class(target) else "substance"
        hit = (f"d.{column} = {_lit(target)} AND d.method IN ({', '.join(_lit(m) for m in sorted(capable)) or 'NULL'})")
        n_cols.append(f"count(*) FILTER (WHERE {tested}) AS n{i}")
        # Any capable method's find counts when the sample was tested by a sensitive one (a strip positive is a
        # detection row too); a find in a sample no sensitive method tested is counted apart, as ``outside``.
        # When every capable method is sensitive, a find implies the test, so the detections alone are enough;
        # otherwise each find is joined to its sample to see what else tested it.
        joined = bool(capable - sensitive)
        own = _folded_hit_sql(target, capable, folded) if joined else None
        if own is not None:  # counted in the samples scan itself, from the load's fold (no detections read)
            n_cols.append(f"count(*) FILTER (WHERE {own} AND {tested}) AS k{i}, "
                          f"count(*) FILTER (WHERE {own} AND NOT ({tested})) AS x{i}")
            home.append("n")
            continue
        home.append("kj" if joined else "kd")
        wanted[joined].append(f"d.{column} = {_lit(target)}")
        k_cols[joined].append(
            f"count(DISTINCT d.sample_no) FILTER (WHERE {hit} AND {tested}) AS k{i}, "
            f"count(DISTINCT d.sample_no) FILTER (WHERE {hit} AND NOT ({tested})) AS x{i}" if joined else
            f"count(DISTINCT d.sample_no) FILTER (WHERE {hit}) AS k{i}, 0 AS x{i}")
    ctes, joins = [], []
    for joined, name in ((False, "kd"), (True, "kj")):
        if not k_cols[joined]:
            continue
        source = "detections d JOIN samples s ON s.sample_no = d.sample_no" if joined else "detections d"
        ctes.append(f"""{name} AS (
            SELECT {period_sql.format(col='d.collected_date')} AS period, {group_sql.format(a='d')} AS grp,
                   {', '.join(k_cols[joined])}
            FROM {source}
            WHERE ({' OR '.join(wanted[joined])}) AND {where_d}
            GROUP BY ALL
        )""")
        joins.append(f"LEFT JOIN {name} ON n.period IS NOT DISTINCT FROM {name}.period"
                     f" AND n.grp IS NOT DISTINCT FROM {name}.grp")
    counts = ", ".join(f"n{i}, coalesce({h}.k{i}, 0) AS k{i}, coalesce({h}.x{i}, 0) AS x{i}"
                       for i, h in enumerate(home))
    sql = f"""
        WITH n AS (
            SELECT {period_sql.format(col='s.collected_date')} AS period, {group_sql.format(a='s')} AS grp, {', '.join(n_cols)}
            FROM samples s WHERE {where_s}
            GROUP BY ALL
        ){''.join(', ' + c for c in ctes)}
        SELECT n.period, n.grp, {counts}
        FROM n {' '.join(joins)}
        ORDER BY ALL
    """
    return sql, params * (1 + len(ctes))


def _weekly_direct(f: Filters, targets, period_sql: str, group_sql: str, extra: str) -> tuple[str, list]:
    """The direct query the weekly summary is filled from: all samples, from the detections (never the fold, so
    the summary does not depend on which rule folded the findings)."""
    return _positivity_sql(f, targets, period_sql, group_sql, "all", False, extra)


def weekly_rule() -> str:
    """The rule the weekly summary must have been built by for readers to use it."""
    return weekly_positivity.rule(_weekly_direct, TREND_TARGETS)


def weekly_direct_sql() -> str:
    """The weekly summary's rows computed from samples and detections (what tests compare the table with)."""
    return weekly_positivity.rows_sql(_weekly_direct, TREND_TARGETS)


def weekly_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the weekly summary was built by this code's rule (readers may use it)."""
    return weekly_positivity.is_current(con, weekly_rule())


def keep_summaries(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every load-kept summary (the weekly one here, supplywatch.kept_summaries for the others): after
    stored samples or detections changed in place, or when one was built by another rule."""
    weekly_positivity.rebuild(con, _weekly_direct, TREND_TARGETS)
    kept_summaries.rebuild(con)


def add_piece_to_summaries(con: duckdb.DuckDBPyConnection, first: int, last: int) -> None:
    """Add a load piece's new samples ``first`` to ``last`` to the weekly and first/last-seen summaries (kept per
    piece, inside the load's transaction)."""
    weekly_positivity.add_samples(con, _weekly_direct, TREND_TARGETS, first, last)
    first_seen.add_samples(con, first, last)
    first_seen.record(con)


def summaries_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every load-kept summary can be read as it is (no writer needs to rebuild one)."""
    return weekly_current(con) and kept_summaries.all_current(con)


def ensure_summaries(con: duckdb.DuckDBPyConnection) -> None:
    """A writer's first step: rebuild the summaries built by other code or from other stored samples (after the
    migration that made them, a change of rule, or a script that wrote around them), so every write from here
    keeps them up to date."""
    if not weekly_current(con):
        weekly_positivity.rebuild(con, _weekly_direct, TREND_TARGETS)
    kept_summaries.rebuild(con, only_stale=True)


def _positivity(
    con: duckdb.DuckDBPyConnection, f: Filters, targets, period: str | None, group_sql: str, population: str
) -> pd.DataFrame:
    """:func:`positivity` with the grouping given as SQL over alias ``{a}`` (the headline groups by week); read from
    the weekly summary when it gives the same rows (supplywatch.weekly_positivity), else from samples and
    detections."""
    targets = list(dict.fromkeys(targets))
    if (group_sql in GROUPS.values() and weekly_positivity.answers(f, targets, period, TREND_TARGETS)
            and weekly_current(con)):
        population_sql = _scope(Filters(), "w", population)[0]
        sql, params = weekly_positivity.wide_sql(f, targets, period, group_sql, population_sql)
    else:
        sql, params = _positivity_sql(f, targets, _period_sql(period, "{col}"), group_sql, population,
                                      findings.is_current(con))
    wide = _df(con, sql, params)
    frames = []
    for i, target in enumerate(targets):
        part = wide[["period", "grp", f"n{i}", f"k{i}", f"x{i}"]].rename(
            columns={f"n{i}": "n", f"k{i}": "k", f"x{i}": "outside"})
        part.insert(2, "target", target)
        frames.append(part)
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["period", "grp", "target", "n", "k", "outside"]
    )
    long = long[(long["n"] > 0) | (long["outside"] > 0)] if period is not None else long
    long[["n", "k", "outside"]] = long[["n", "k", "outside"]].astype("int64")
    return add_rates(long).reset_index(drop=True)


def positivity_by_method(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    target: str,
    period: str | None = "week",
    population: str = "all",
) -> pd.DataFrame:
    """Each capable method's own rate for ``target``, side by side: why services using different methods differ.

    One row per (period, method): n = samples that method tested, k = samples in which it found the target,
    ``sensitive`` = whether the method's negative result means "not there" (:func:`sensitive_methods`), with
    share, Wilson lo/hi and low_n. A sample tested by two methods is in both rows.
    """
    methods = sorted(capable_methods(target))
    if not methods:
        return add_rates(pd.DataFrame({"period": [], "method": [], "sensitive": [], "n": [], "k": []}))
    sensitive = sensitive_methods(target)
    column = "class" if is_class(target) else "substance"
    where_s, params = _scope(f, "s", population)
    where_d, _ = _scope(f, "d", population)
    n_cols = ", ".join(f"count(*) FILTER (WHERE {_tested_sql(m)}) AS n{i}" for i, m in enumerate(methods))
    k_cols = ", ".join(f"count(DISTINCT d.sample_no) FILTER (WHERE d.method = {_lit(m)}) AS k{i}"
                       for i, m in enumerate(methods))
    sql = f"""
        WITH n AS (
            SELECT {_period_sql(period)} AS period, {n_cols} FROM samples s WHERE {where_s} GROUP BY ALL
        ), k AS (
            SELECT {_period_sql(period, 'd.collected_date')} AS period, {k_cols}
            FROM detections d WHERE d.{column} = {_lit(target)} AND {where_d} GROUP BY ALL
        )
        SELECT n.period, {', '.join(f'n{i}, coalesce(k{i}, 0) AS k{i}' for i in range(len(methods)))}
        FROM n LEFT JOIN k ON n.period IS NOT DISTINCT FROM k.period ORDER BY ALL
    """
    wide = _df(con, sql, params * 2)
    frames = []
    for i, m in enumerate(methods):
        part = wide[["period", f"n{i}", f"k{i}"]].rename(columns={f"n{i}": "n", f"k{i}": "k"})
        part.insert(1, "method", m)
        part.insert(2, "sensitive", m in sensitive)
        frames.append(part[part["n"] > 0] if period is not None else part)
    long = pd.concat(frames, ignore_index=True)
    long[["n", "k"]] = long[["n", "k"]].astype("int64")
    return add_rates(long).reset_index(drop=True)

# ------------------------------------------------------------------ headline numbers

def latest_date(con: duckdb.DuckDBPyConnection, f: Filters) -> dt.date | None:
    """The newest sample date under the filters."""
    where, params = f.where("s")
    return con.execute(f"SELECT max(s.collected_date) FROM samples s WHERE {where}", params).fetchone()[0]


def headline(con: duckdb.DuckDBPyConnection, f: Filters, days: int = 7, end: dt.date | None = None) -> dict:
    """This period vs the previous one: samples checked, opioid positivity per headline target,
    median fentanyl %, share matching what was expected.

    The period is the ``days`` days ending at ``end``, else at the newest sample date under the filters (the
    public overview passes the same ``end`` for every region or site: supplywatch.public_headline).
    """
    end = end or latest_date(con, f)
    if end is None:
        return {"end": None}
    cur = replace(f, start=end - dt.timedelta(days=days - 1), end=end)
    prev = replace(f, start=end - dt.timedelta(days=2 * days - 1), end=end - dt.timedelta(days=days))
    out: dict = {"end": end, "start": cur.start, "prev_start": prev.start, "prev_end": prev.end}
    # Both weeks in one pass per measure: the two-week span grouped by which week a sample falls in, so the
    # detections are scanned twice (positivity, expected vs found) instead of four times.
    both = replace(f, start=prev.start, end=end)
    week = f"CASE WHEN {{a}}.collected_date >= DATE '{cur.start:%Y-%m-%d}' THEN 'current' ELSE 'previous' END"
    where, params = both.where("s")
    per_week = {
        row[0]: row[1:]
        for row in con.execute(
            f"SELECT {week.format(a='s')}, count(*), quantile_cont(s.fentanyl_pct, 0.5), count(s.fentanyl_pct) "
            f"FROM samples s WHERE {where} GROUP BY 1",
            params,
        ).fetchall()
    }
    pos = _positivity(con, both, HEADLINE_TARGETS, None, week, "opioid")
    match = match_counts(finding_cells(con, both, week, substances=False))
    for label in ("current", "previous"):
        checked, median, n_pct = per_week.get(label, (0, None, 0))
        rates = pos[pos["grp"] == label]
        mine = match[match["grp"] == label]
        out[label] = {
            "checked": int(checked),
            "positivity": {r["target"]: _none_for_nan(r) for r in rates.to_dict("records")}
            or _no_rates(HEADLINE_TARGETS),
            "median_pct": median,
            "n_pct": int(n_pct),
            "matched": int(mine["matched"].sum()),
            "match_n": int(mine["n"].sum()),
        }
    return out


def _none_for_nan(row: dict) -> dict:
    """A rate row with None, not NaN, where there is no rate (n = 0: nothing a sensitive method tested)."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


def _no_rates(targets) -> dict:
    """Rates for a week without any sample: n = k = outside = 0 for every target."""
    empty = pd.DataFrame({"period": None, "grp": None, "target": list(targets), "n": 0, "k": 0, "outside": 0})
    return {r["target"]: r for r in add_rates(empty).to_dict("records")}


# ------------------------------------------------------------------ emerging

def first_detections(con: duckdb.DuckDBPyConnection, f: Filters, lookback_days: int = 180,
                     new_only: bool = False) -> pd.DataFrame:
    """Per region and substance: first and last date seen, samples, and whether the first is within the lookback.

    Dates ignore the date filter (a first detection is first over all the data); region/site/type filters apply.
    The lookback ends at the newest sample date in the warehouse. ``new_only`` keeps the rows first seen within
    the lookback (the overview's list). Read from the first/last-seen summary the writers keep
    (supplywatch.first_seen: a few thousand rows, not a distinct count over every detection), or computed from
    ``detections`` when detections were written around that summary.
    """
    where, params = f.without_dates().where("d")
    cutoff = f"(SELECT d FROM latest) - INTERVAL {int(lookback_days)} DAY"
    source = first_seen.TABLE if first_seen.is_current(con) else f"({first_seen.direct_sql()})"
    sql = f"""
        WITH latest AS (SELECT max(collected_date) AS d FROM samples),
        per AS (
            SELECT coalesce(d.region, '?') AS region, d.substance, any_value(d.class) AS class,
                   min(d.first_seen) AS first_seen, max(d.last_seen) AS last_seen, sum(d.n) AS n
            FROM {source} d
            WHERE d.class NOT IN ('placeholder', 'cut') AND {where}
            GROUP BY 1, 2 {f"HAVING min(d.first_seen) > {cutoff}" if new_only else ""}
        )
        SELECT per.*, per.first_seen > {cutoff} AS is_new, coalesce(sub.high_risk, false) AS high_risk
        FROM per LEFT JOIN substances sub ON sub.substance = per.substance
        ORDER BY first_seen DESC, region, per.substance
    """
    out = _df(con, sql, params)
    out["n"] = out["n"].astype("int64")
    return out


def unknown_substances(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Names the dictionary does not know yet (class 'unclassified'), with samples and first/last dates.

    Found names and expected ("sold as") names alike: the same names as ``python -m etl substances --unknown``."""
    if kept_summaries.is_current(con, kept_summaries.UNCLASSIFIED):  # the names' rows, kept by the writers
        where, params = f.where("u")
        rows = f"SELECT u.name, u.sample_no, u.collected_date FROM {kept_summaries.UNCLASSIFIED.table} u WHERE {where}"
    else:
        where, params = f.where("d")
        where_s, params_s = f.where("s")
        params = params + params_s
        rows = f"""SELECT d.substance_raw AS name, d.sample_no, d.collected_date FROM detections d
                   WHERE {where} AND d.class = 'unclassified'
                   UNION ALL
                   SELECT s.expected_raw, s.sample_no, s.collected_date FROM samples s
                   WHERE {where_s} AND s.expected_class = 'unclassified'"""
    sql = f"""
        SELECT name, count(DISTINCT sample_no) AS n, min(collected_date) AS first_seen,
               max(collected_date) AS last_seen
        FROM ({rows})
        GROUP BY 1 ORDER BY n DESC, name
    """
    out = _df(con, sql, params)
    out["n"] = out["n"].astype("int64")
    return out


# ------------------------------------------------------------------ sidebar

def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct values offered in the sidebar, and the full date span."""

    def distinct(column: str) -> list[str]:
        rows = con.execute(
            f"SELECT DISTINCT {column} FROM samples WHERE {column} IS NOT NULL ORDER BY 1 LIMIT 500"
        ).fetchall()
        return [r[0] for r in rows]

    span = con.execute("SELECT min(collected_date), max(collected_date) FROM samples").fetchone()
    return {
        "region": distinct("region"),
        "site": distinct("site"),
        "expected": distinct("expected_raw"),
        "span": [span[0], span[1]],
    }
