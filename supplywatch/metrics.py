"""Every number the supply dashboard shows, computed as SQL aggregates in DuckDB (no Streamlit here).

Each function takes a read-only cursor and a :class:`~supplywatch.filters.Filters` and returns a small
pandas frame or dict of aggregates; raw sample rows never travel to pandas for counting.
Definitions, and the reasoning behind them, are written out in docs/methods.md.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import duckdb
import pandas as pd

from . import classes, dictionary, findings, sensitivity
from .filters import Filters

Z95 = 1.959963984540054  # two-sided 95% normal quantile
LOW_N = 10  # rates over fewer tested samples are marked "low n" on charts

# ------------------------------------------------------------------ classes and methods

OPIOID_CLASSES = ("fentanyl", "nitazene", "opioid_other", "opioid_unspecified")

STRIPS = ("fentanyl_strip", "benzo_strip", "xylazine_strip", "nitazene_strip", "medetomidine_strip")
_LOCAL_STRIP_TARGETS = {
    "fentanyl": "fentanyl_strip",  # the class slug
    "benzodiazepine": "benzo_strip",
    "xylazine": "xylazine_strip",
    "nitazene": "nitazene_strip",
    "medetomidine": "medetomidine_strip",
}

# The headline substances and classes of the overview, in display order.
HEADLINE_TARGETS = ("fentanyl", "carfentanil", "nitazene", "benzodiazepine", "xylazine", "medetomidine")


def is_class(target: str) -> bool:
    """True when ``target`` is a class slug rather than a canonical substance name."""
    return target in classes.CLASSES


def capable_methods(target: str) -> set[str]:
    """Detection methods able to detect ``target``: FTIR and lab, plus the strip built for exactly this target.

    A strip answers only for its own target: a fentanyl strip says nothing specific about carfentanil or
    acetylfentanyl, and a xylazine strip nothing about medetomidine. supplywatch.dictionary decides (it knows
    targets no method can detect, such as placeholders); this module's rule then trims its strips.
    """
    own = {"ftir", "lab"} | ({_LOCAL_STRIP_TARGETS[target]} if target in _LOCAL_STRIP_TARGETS else set())
    return set(dictionary.capable_methods(target)) & own


def sensitive_methods(target: str) -> set[str]:
    """The capable methods whose negative result means "not there" for ``target`` (data/method_sensitivity.csv):
    the default positivity denominator. FTIR is left out for targets usually present below its ~5 % limit."""
    capable = capable_methods(target)
    return set(sensitivity.sensitive_methods(target, capable))


def _lit(text: str) -> str:
    """A SQL string literal (targets and methods come from fixed lists; quoting keeps it safe anyway)."""
    return "'" + str(text).replace("'", "''") + "'"


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


# ------------------------------------------------------------------ intervals

def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """95% Wilson score interval for k successes out of n; (None, None) when n is 0."""
    if not n:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


def add_rates(df: pd.DataFrame, k: str = "k", n: str = "n") -> pd.DataFrame:
    """Add share, lo, hi (Wilson) and low_n columns for count columns ``k`` of ``n``."""
    out = df.copy()
    bounds = [wilson(int(a), int(b)) for a, b in zip(out[k], out[n])]
    out["share"] = [(int(a) / int(b)) if int(b) else None for a, b in zip(out[k], out[n])]
    out["lo"] = [b[0] for b in bounds]
    out["hi"] = [b[1] for b in bounds]
    out["low_n"] = out[n] < LOW_N
    return out


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


def _positivity(
    con: duckdb.DuckDBPyConnection, f: Filters, targets, period: str | None, group_sql: str, population: str
) -> pd.DataFrame:
    """:func:`positivity` with the grouping given as SQL over alias ``{a}`` (the headline groups by week)."""
    targets = list(dict.fromkeys(targets))
    where_s, params = _scope(f, "s", population)
    where_d, _ = _scope(f, "d", population)
    folded = findings.is_current(con)
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
            SELECT {_period_sql(period, 'd.collected_date')} AS period, {group_sql.format(a='d')} AS grp,
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
            SELECT {_period_sql(period)} AS period, {group_sql.format(a='s')} AS grp, {', '.join(n_cols)}
            FROM samples s WHERE {where_s}
            GROUP BY ALL
        ){''.join(', ' + c for c in ctes)}
        SELECT n.period, n.grp, {counts}
        FROM n {' '.join(joins)}
        ORDER BY ALL
    """
    wide = _df(con, sql, params * (1 + len(ctes)))
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


# ------------------------------------------------------------------ expected vs found

def expected_vs_found(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Per expected substance: n (FTIR- or lab-tested samples), matched, with_unexpected, rates + intervals."""
    return expected_found(con, f)["match"]


def found_matrix(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Samples by expected class x active class found (FTIR/lab), one row per non-empty cell."""
    return expected_found(con, f)["matrix"]


def cooccurrence(con: duckdb.DuckDBPyConnection, f: Filters, top: int = 10) -> pd.DataFrame:
    """How many samples contain both substances a and b (FTIR/lab), over the ``top`` most found substances."""
    return expected_found(con, f, top)["pairs"]


def expected_found(con: duckdb.DuckDBPyConnection, f: Filters, top: int = 10) -> dict[str, pd.DataFrame]:
    """The three views of FTIR/lab findings against expectations, from one count of tested samples:

    - ``match``: per expected substance, n tested, matched, with something unexpected, rates and intervals;
    - ``matrix``: samples by expected class x active class found (each class once per sample);
    - ``pairs``: samples containing both of two of the ``top`` substances found in most samples (a == b: a).
    """
    cells = _finding_cells(con, f, "NULL", substances=bool(top))
    match = _match_counts(cells).drop(columns="grp")
    match = add_rates(match, k="matched")
    lo_hi = [wilson(int(a), int(b)) for a, b in zip(match["unexpected"], match["n"])]
    match["unexpected_share"] = [(int(a) / int(b)) if int(b) else None
                                 for a, b in zip(match["unexpected"], match["n"])]
    match["unexpected_lo"] = [b[0] for b in lo_hi]
    match["unexpected_hi"] = [b[1] for b in lo_hi]
    return {"match": match, "matrix": _matrix(cells), "pairs": _pairs(cells, top)}


def _finding_cells(con: duckdb.DuckDBPyConnection, f: Filters, group_sql: str, substances: bool = True
                   ) -> pd.DataFrame:
    """FTIR- or lab-tested samples counted per (grp, expected, expected_class, found classes, found substances,
    found_expected, found_unexpected): a few thousand cells at 1M samples, expanded into the views in Python.

    The found columns are the ones the load folded into ``samples`` (supplywatch.findings); when the warehouse
    holds none or another rule's, the same fold runs live over the detections. ``expected`` is NULL when the
    sample names no usable expectation.
    """
    where, params = f.where("s")
    wanted = findings.COLUMNS if substances else tuple(c for c in findings.COLUMNS if c != "found_substances")
    if findings.is_current(con):
        source, cols = "samples s", ", ".join(f"s.{c}" for c in wanted)
    else:
        where_d, params_d = f.where("d")
        source = f"samples s LEFT JOIN ({findings.fold_sql(where_d)}) p ON p.sample_no = s.sample_no"
        nothing = dict(zip(findings.COLUMNS, findings.NOTHING_FOUND))
        cols = ", ".join(f"coalesce(p.{c}, {nothing[c]}) AS {c}" for c in wanted)
        params = params_d + params
    sql = f"""
        SELECT {group_sql.format(a='s')} AS grp,
               CASE WHEN {findings.expects_sql('s')} THEN coalesce(s.expected_substance, s.expected_class) END
                   AS expected,
               s.expected_class, {cols}, count(*) AS n
        FROM {source}
        WHERE {where} AND (s.ftir_tested OR s.lab_tested)
        GROUP BY ALL
    """
    return _df(con, sql, params)


def _match_counts(cells: pd.DataFrame) -> pd.DataFrame:
    """Per (grp, expected): n tested, matched and with something unexpected."""
    usable = cells[cells["expected"].notna()]
    out = (usable.assign(matched=usable["n"] * usable["found_expected"],
                         unexpected=usable["n"] * usable["found_unexpected"])
           .groupby(["grp", "expected"], dropna=False)[["n", "matched", "unexpected"]].sum().reset_index())
    out[["n", "matched", "unexpected"]] = out[["n", "matched", "unexpected"]].astype("int64")
    return out.sort_values(["n", "expected", "grp"], ascending=[False, True, True], na_position="first",
                           kind="stable").reset_index(drop=True)[["grp", "expected", "n", "matched", "unexpected"]]


def _matrix(cells: pd.DataFrame) -> pd.DataFrame:
    """Expand class masks into (expected_class, found_class, n) cells."""
    counts: dict[tuple[str, str], int] = {}
    slugs = findings.class_slugs()
    for expected, mask, n in zip(cells["expected_class"], cells["found_classes"], cells["n"]):
        row = expected if isinstance(expected, str) else "?"
        for bit, slug in enumerate(slugs):
            if int(mask) >> bit & 1:
                counts[(row, slug)] = counts.get((row, slug), 0) + int(n)
    out = pd.DataFrame([(a, b, n) for (a, b), n in sorted(counts.items())],
                       columns=["expected_class", "found_class", "n"])
    out["n"] = out["n"].astype("int64")
    return out


def _pairs(cells: pd.DataFrame, top: int) -> pd.DataFrame:
    """(a, b, n): samples containing both a and b, over the ``top`` substances found in most samples (ties by
    name); a == b counts the samples containing a."""
    pairs: dict[tuple[str, str], int] = {}
    if top and len(cells):
        found: dict[str, int] = {}
        for names, n in zip(cells["found_substances"], cells["n"]):
            for name in names:
                found[name] = found.get(name, 0) + int(n)
        chosen = set(sorted(found, key=lambda s: (-found[s], s))[:top])
        for names, n in zip(cells["found_substances"], cells["n"]):
            present = sorted(set(names) & chosen)
            for a in present:
                for b in present:
                    pairs[(a, b)] = pairs.get((a, b), 0) + int(n)
    out = pd.DataFrame([(a, b, n) for (a, b), n in sorted(pairs.items())], columns=["a", "b", "n"])
    out["n"] = out["n"].astype("int64")
    return out


# ------------------------------------------------------------------ concentration

def concentration_by_month(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Fentanyl % by month: n quantified samples, median, first and third quartile (continuous quantiles)."""
    where, params = f.where("s")
    sql = f"""
        SELECT {_period_sql('month')} AS period, count(*) AS n,
               quantile_cont(s.fentanyl_pct, 0.5) AS median,
               quantile_cont(s.fentanyl_pct, 0.25) AS q1,
               quantile_cont(s.fentanyl_pct, 0.75) AS q3
        FROM samples s WHERE {where} AND s.fentanyl_pct IS NOT NULL
        GROUP BY 1 ORDER BY 1
    """
    out = _df(con, sql, params)
    out["n"] = out["n"].astype("int64")
    out["low_n"] = out["n"] < LOW_N
    return out


def concentration_histogram(con: duckdb.DuckDBPyConnection, f: Filters, width: float = 5.0) -> pd.DataFrame:
    """Quantified samples per fentanyl % band [lower, lower + width)."""
    where, params = f.where("s")
    sql = f"""
        SELECT floor(least(s.fentanyl_pct, 99.999) / {float(width)}) * {float(width)} AS lower, count(*) AS n
        FROM samples s WHERE {where} AND s.fentanyl_pct IS NOT NULL
        GROUP BY 1 ORDER BY 1
    """
    out = _df(con, sql, params)
    out["n"] = out["n"].astype("int64")
    return out


def median_fentanyl_pct(con: duckdb.DuckDBPyConnection, f: Filters) -> tuple[float | None, int]:
    """Median fentanyl % and the number of quantified samples behind it."""
    where, params = f.where("s")
    row = con.execute(
        f"SELECT quantile_cont(s.fentanyl_pct, 0.5), count(s.fentanyl_pct) FROM samples s WHERE {where}", params
    ).fetchone()
    return (row[0], int(row[1]))


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
    match = _match_counts(_finding_cells(con, both, week, substances=False))
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
    the lookback, and counts distinct samples for those few only (the overview's list; 2-3x cheaper at 1M).
    """
    g = f.without_dates()
    where, params = g.where("d")
    found = f"d.substance IS NOT NULL AND d.class NOT IN ('placeholder', 'cut') AND {where}"
    cutoff = f"(SELECT d FROM latest) - INTERVAL {int(lookback_days)} DAY"
    if new_only:
        counted = f"""
            new AS (
                SELECT coalesce(d.region, '?') AS region, d.substance, any_value(d.class) AS class,
                       min(d.collected_date) AS first_seen, max(d.collected_date) AS last_seen
                FROM detections d WHERE {found}
                GROUP BY 1, 2 HAVING min(d.collected_date) > {cutoff}
            ),
            per AS (
                SELECT new.*, c.n FROM new JOIN (
                    SELECT coalesce(d.region, '?') AS region, d.substance, count(DISTINCT d.sample_no) AS n
                    FROM detections d WHERE {found} AND d.substance IN (SELECT substance FROM new)
                    GROUP BY 1, 2
                ) c USING (region, substance)
            )"""
        params = params * 2
    else:
        counted = f"""
            per AS (
                SELECT coalesce(d.region, '?') AS region, d.substance, any_value(d.class) AS class,
                       min(d.collected_date) AS first_seen, max(d.collected_date) AS last_seen,
                       count(DISTINCT d.sample_no) AS n
                FROM detections d WHERE {found}
                GROUP BY 1, 2
            )"""
    sql = f"""
        WITH latest AS (SELECT max(collected_date) AS d FROM samples), {counted}
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
    where, params = f.where("d")
    where_s, params_s = f.where("s")
    sql = f"""
        SELECT name, count(DISTINCT sample_no) AS n, min(collected_date) AS first_seen,
               max(collected_date) AS last_seen
        FROM (SELECT d.substance_raw AS name, d.sample_no, d.collected_date FROM detections d
              WHERE {where} AND d.class = 'unclassified'
              UNION ALL
              SELECT s.expected_raw, s.sample_no, s.collected_date FROM samples s
              WHERE {where_s} AND s.expected_class = 'unclassified')
        GROUP BY 1 ORDER BY n DESC, name
    """
    out = _df(con, sql, params + params_s)
    out["n"] = out["n"].astype("int64")
    return out


# ------------------------------------------------------------------ overdoses and alerts

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
    return _df(con, sql, params)


def external_alerts(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Alerts issued elsewhere, newest first, in the date range and region (alerts without a region always show)."""
    where, params = _span_where(f, "issued_date", "issued_date", "(region = ? OR region IS NULL)")
    sql = f"""
        SELECT issued_date, region, alert_type, title, link, source FROM alerts
        WHERE {where} ORDER BY issued_date DESC, title
    """
    return _df(con, sql, params)


# ------------------------------------------------------------------ status and data pages

def data_status(con: duckdb.DuckDBPyConnection) -> dict:
    """Latest sample date, last successful load time (UTC) and whether the data is synthetic."""
    latest = con.execute("SELECT max(collected_date), count(*) FROM samples").fetchone()
    loaded = con.execute("SELECT max(finished_at) FROM load_runs WHERE status = 'loaded'").fetchone()[0]
    row = con.execute("SELECT value FROM meta WHERE key = 'synthetic'").fetchone()
    return {
        "latest_sample": latest[0],
        "samples": int(latest[1]),
        "loaded_at": loaded,
        "synthetic": bool(row and str(row[0]).lower() == "true"),
    }


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


def load_history(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Recent load runs, newest first."""
    return _df(
        con,
        """SELECT run_id, file_name, kind, profile, started_at, finished_at, rows_read, rows_loaded,
                  rows_duplicate, rows_rejected, status, message
           FROM load_runs ORDER BY started_at DESC, run_id DESC LIMIT ?""",
        [int(limit)],
    )


def reject_reasons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rejected rows counted by file and reason."""
    return _df(
        con,
        """SELECT r.run_id, l.file_name, l.status, r.reason, count(*) AS n, min(r.line) AS first_line
           FROM rejects r LEFT JOIN load_runs l USING (run_id)
           GROUP BY ALL ORDER BY n DESC, r.run_id, r.reason""",
    )


def reject_summary(con: duckdb.DuckDBPyConnection) -> dict:
    """Rows rejected by loads that were stored, and refused runs (which stored nothing) with their rows, apart.

    A refused file loaded again later is two runs: adding both runs' rejects would count its bad rows twice."""
    loaded, runs, rows = con.execute(
        """SELECT coalesce(sum(rows_rejected) FILTER (WHERE status = 'loaded'), 0),
                  count(*) FILTER (WHERE status = 'refused'),
                  coalesce(sum(rows_rejected + rows_conflict) FILTER (WHERE status = 'refused'), 0)
           FROM load_runs""").fetchone()
    return {"rejected_in_loaded": int(loaded), "refused_runs": int(runs), "rows_in_refused": int(rows)}


def reject_rows(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pd.DataFrame:
    """The first rejected rows with file, line, column and reason (raw line left out: it may hold notes)."""
    return _df(
        con,
        """SELECT r.run_id, l.status, l.file_name, r.line, r."column", r.reason
           FROM rejects r LEFT JOIN load_runs l USING (run_id)
           ORDER BY r.run_id DESC, r.line LIMIT ?""",
        [int(limit)],
    )
