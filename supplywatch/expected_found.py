"""Expected vs found: what FTIR and the lab found in samples against what they were sold as (docs/methods.md).

One count of tested samples per combination of findings (a few thousand cells at 1M samples), expanded here
into the views the dashboard shows; the overview's headline counts its weeks from the same cells.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from . import findings, kept_summaries
from .filters import Filters
from .rates import add_rates, wilson


def expected_found(con: duckdb.DuckDBPyConnection, f: Filters, top: int = 10) -> dict[str, pd.DataFrame]:
    """The three views of FTIR/lab findings against expectations, from one count of tested samples:

    - ``match``: per expected substance, n tested, matched, with something unexpected, rates and intervals;
    - ``matrix``: samples by expected class x active class found (each class once per sample);
    - ``pairs``: samples containing both of two of the ``top`` substances found in most samples (a == b: a).
    """
    cells = finding_cells(con, f, "NULL", substances=bool(top))
    match = match_counts(cells).drop(columns="grp")
    match = add_rates(match, k="matched")
    lo_hi = [wilson(int(a), int(b)) for a, b in zip(match["unexpected"], match["n"])]
    match["unexpected_share"] = [(int(a) / int(b)) if int(b) else None
                                 for a, b in zip(match["unexpected"], match["n"])]
    match["unexpected_lo"] = [b[0] for b in lo_hi]
    match["unexpected_hi"] = [b[1] for b in lo_hi]
    return {"match": match, "matrix": _matrix(cells), "pairs": _pairs(cells, top)}


def finding_cells(con: duckdb.DuckDBPyConnection, f: Filters, group_sql: str, substances: bool = True,
                  by_week: bool = False) -> pd.DataFrame:
    """FTIR- or lab-tested samples counted per (grp, expected, expected_class, found classes, found substances,
    found_expected, found_unexpected): a few thousand cells at 1M samples, expanded into the views in Python.

    Added up from the cells the writers keep per week and month (supplywatch.kept_summaries) when they hold
    exactly these samples: dates on whole weeks or months, and a grouping (``group_sql`` over alias ``{a}``) that
    reads no date, or only the date's week (``by_week``: the summary gives each sample its week's Monday as
    ``collected_date``). Otherwise counted from the samples: their found columns are the ones the load folded
    (supplywatch.findings); when the warehouse holds none or another rule's, the same fold runs live over the
    detections. ``expected`` is NULL when the sample names no usable expectation.
    """
    wanted = findings.COLUMNS if substances else tuple(c for c in findings.COLUMNS if c != "found_substances")
    count, outer = "count(*)", "{sql}"
    if (kept_summaries.dates_answered(f) and (by_week or "collected_date" not in group_sql)
            and kept_summaries.is_current(con, kept_summaries.FOUND_CELLS)):
        where, params = kept_summaries.where(f, "s")
        source = f"(SELECT week AS collected_date, * FROM {kept_summaries.FOUND_CELLS.table}) s"
        cols = ", ".join(f"s.{c}" if c != "found_substances" else "s.found_substances_text AS found_substances"
                         for c in wanted)
        count = "CAST(sum(s.n) AS BIGINT)"
        if substances:  # grouped by the text, then the few cells' texts made lists again
            as_list = kept_summaries.SUBSTANCES_LIST.format(c="found_substances")
            outer = f"SELECT * REPLACE ({as_list} AS found_substances) FROM ({{sql}})"
    elif findings.is_current(con):
        where, params = f.where("s")
        source, cols = "samples s", ", ".join(f"s.{c}" for c in wanted)
        where += " AND (s.ftir_tested OR s.lab_tested)"
    else:
        where, params = f.where("s")
        where_d, params_d = f.where("d")
        source = f"samples s LEFT JOIN ({findings.fold_sql(where_d)}) p ON p.sample_no = s.sample_no"
        nothing = dict(zip(findings.COLUMNS, findings.NOTHING_FOUND))
        cols = ", ".join(f"coalesce(p.{c}, {nothing[c]}) AS {c}" for c in wanted)
        params = params_d + params
        where += " AND (s.ftir_tested OR s.lab_tested)"
    sql = outer.format(sql=f"""
        SELECT {group_sql.format(a='s')} AS grp,
               CASE WHEN {findings.expects_sql('s')} THEN coalesce(s.expected_substance, s.expected_class) END
                   AS expected,
               s.expected_class, {cols}, {count} AS n
        FROM {source}
        WHERE {where}
        GROUP BY ALL
    """)
    return con.execute(sql, params).df()


def match_counts(cells: pd.DataFrame) -> pd.DataFrame:
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
    # the same (expected class, class mask) recurs across cells: added up first, each mask is expanded once
    masks: dict[tuple, int] = {}
    for key in zip(cells["expected_class"], cells["found_classes"], cells["n"]):
        masks[key[:2]] = masks.get(key[:2], 0) + int(key[2])
    for (expected, mask), n in masks.items():
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
        sets: dict[tuple, int] = {}  # the same set of substances recurs across cells: added up first
        for names, n in zip(cells["found_substances"], cells["n"]):
            key = tuple(names)
            sets[key] = sets.get(key, 0) + int(n)
        found: dict[str, int] = {}
        for names, n in sets.items():
            for name in names:
                found[name] = found.get(name, 0) + n
        chosen = set(sorted(found, key=lambda s: (-found[s], s))[:top])
        for names, n in sets.items():
            present = sorted(set(names) & chosen)
            for a in present:
                for b in present:
                    pairs[(a, b)] = pairs.get((a, b), 0) + int(n)
    out = pd.DataFrame([(a, b, n) for (a, b), n in sorted(pairs.items())], columns=["a", "b", "n"])
    out["n"] = out["n"].astype("int64")
    return out
