"""Small summaries of the samples that the writers keep, so Expected vs found, Concentration and Emerging read a
table that grows with weeks and places instead of scanning every sample.

* ``found_cells``: FTIR- or lab-tested samples counted per (week, month, region, site, "sold as", type, expected
  substance and class, the findings the load folded: supplywatch.findings). Expected vs found's cells
  (supplywatch.expected_found.finding_cells) add up from it when the dates start on a Monday or a month's first
  day and end on a Sunday or a month's last day (or are not set), and the grouping reads the date only through
  its week. A week that spans two months is two rows, so weeks and months both add up exactly.
* ``quantified_samples``: the quantified samples' date, region, site, "sold as", type and fentanyl %, one row each.
  Medians and quartiles do not add up across groups, so Concentration (supplywatch.concentration) computes them
  over this narrow table, exactly as over ``samples``, for any filter.
* ``quantified_values``: the same samples counted per (month, region, site, "sold as", type, fentanyl %). Laboratories
  report the % to one or two decimals, so a month and place hold a few hundred distinct values whatever the number
  of samples (at 10M demo samples: 2.4M quantified samples, 0.5M rows). A quantile is a value at a rank, and the
  ranks follow from the counts, so Concentration's monthly medians and quartiles, its bands and its median come out
  of this table exactly, to the last digit (supplywatch.concentration), when the dates are whole months or not set.
* ``unclassified_rows``: every detection and every "sold as" name of class 'unclassified' (names the dictionary
  does not know yet), with its sample and the columns the filters select on: Emerging's unknown names.

Each is kept equal to the stored samples by every writer, inside the writer's transaction: a load adds its new
samples once its pieces are written and their staging dropped (:func:`add_load`), re-mapping unknown names rebuilds them (:func:`rebuild`), and a writer
that finds one built by other code or from other stored samples (supplywatch.summary_stamp) rebuilds it, 500,000
samples at a time so a 10M warehouse is rebuilt within the load's memory. Readers use a summary only when its
stamp matches what is stored; otherwise they compute from the samples as before. The first/last-seen summary
(supplywatch.first_seen) is stamped and rebuilt the same way; the weekly positivity summary
(supplywatch.weekly_positivity) has its own rule, kept by supplywatch.metrics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from . import findings, first_seen, summary_stamp
from .filters import Filters

PIECE = 500_000  # samples per step of a rebuild: bounded memory at 10M samples
DIMS = ("region", "site", "expected_raw", "sample_type")
_WEEK = "CAST(date_trunc('week', {a}.collected_date) AS DATE) AS week"
_MONTH = "CAST(date_trunc('month', {a}.collected_date) AS DATE) AS month"


@dataclass(frozen=True)
class Summary:
    """One kept table: its columns, the SQL of its rows for the samples matching ``{piece}`` (a condition over
    alias ``{a}``), and whether its rows are counts (``n``) that add up per key or plain rows."""

    table: str
    keys: tuple[str, ...]
    select: str
    additive: bool

    @property
    def meta_key(self) -> str:
        return f"{self.table}_rule"

    def rule(self) -> str:
        # found_cells holds the folded findings: a new matching rule is a new summary
        return summary_stamp.rule_of(self.select, findings.fingerprint() if self.table == "found_cells" else "")


# The found substances as one text (names joined by the unit separator, '' for none): grouping by a list costs
# about five times as much as by a text (measured at 1M samples), and readers group the cells again.
SUBSTANCES_TEXT = "coalesce(array_to_string({a}.found_substances, chr(31)), '')"  # NULL for [] otherwise
SUBSTANCES_LIST = "CASE WHEN {c} = '' THEN []::VARCHAR[] ELSE string_split({c}, chr(31)) END"
_FOUND = tuple(c if c != "found_substances" else "found_substances_text" for c in findings.COLUMNS)
FOUND_CELLS = Summary(
    "found_cells",
    ("week", "month", *DIMS, "expected_substance", "expected_class", *_FOUND),
    f"SELECT {_WEEK.format(a='s')}, {_MONTH.format(a='s')}, {', '.join(f's.{c}' for c in DIMS)},"
    " s.expected_substance, s.expected_class, "
    + ", ".join(f"s.{c}" if c in findings.COLUMNS else f"{SUBSTANCES_TEXT.format(a='s')} AS {c}" for c in _FOUND)
    + ", count(*) AS n FROM samples s WHERE (s.ftir_tested OR s.lab_tested) AND {piece} GROUP BY ALL",
    additive=True)
QUANTIFIED = Summary(
    "quantified_samples",
    ("collected_date", *DIMS, "fentanyl_pct"),
    f"SELECT s.collected_date, {', '.join(f's.{c}' for c in DIMS)}, s.fentanyl_pct"
    " FROM samples s WHERE s.fentanyl_pct IS NOT NULL AND {piece}",
    additive=False)
UNCLASSIFIED = Summary(
    "unclassified_rows",
    ("name", "sample_no", "collected_date", *DIMS),
    f"SELECT d.substance_raw AS name, d.sample_no, d.collected_date, {', '.join(f'd.{c}' for c in DIMS)}"
    " FROM detections d WHERE d.class = 'unclassified' AND {piece_d}"
    f" UNION ALL SELECT s.expected_raw, s.sample_no, s.collected_date, {', '.join(f's.{c}' for c in DIMS)}"
    " FROM samples s WHERE s.expected_class = 'unclassified' AND {piece}",
    additive=False)
QUANTIFIED_VALUES = Summary(
    "quantified_values",
    ("month", *DIMS, "fentanyl_pct"),
    f"SELECT {_MONTH.format(a='s')}, {', '.join(f's.{c}' for c in DIMS)}, s.fentanyl_pct, count(*) AS n"
    " FROM samples s WHERE s.fentanyl_pct IS NOT NULL AND {piece} GROUP BY ALL",
    additive=True)
SUMMARIES = (FOUND_CELLS, QUANTIFIED, QUANTIFIED_VALUES, UNCLASSIFIED)


def _piece(first: int | None, last: int | None, alias: str) -> str:
    if first is None:
        return "TRUE"
    return f"{alias}.sample_no BETWEEN {int(first)} AND {int(last)}"


def _rows(summary: Summary, first: int | None, last: int | None) -> str:
    return summary.select.replace("{piece_d}", _piece(first, last, "d")).replace("{piece}", _piece(first, last, "s"))


def is_current(con: duckdb.DuckDBPyConnection, summary: Summary) -> bool:
    """True when ``summary`` was built by this code from the samples and detections stored now."""
    return summary_stamp.is_current(con, summary.meta_key, summary.rule())


def all_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every kept summary here and the first/last-seen one can be read (no writer needs to rebuild)."""
    return first_seen.is_current(con) and all(is_current(con, s) for s in SUMMARIES)


def _add(con: duckdb.DuckDBPyConnection, summary: Summary, first: int | None, last: int | None) -> None:
    keys = ", ".join(summary.keys)
    if not summary.additive:
        con.execute(f"INSERT INTO {summary.table} ({keys}) {_rows(summary, first, last)}")
        return
    # the piece's counts are of new samples: they add to the stored rows of their groups, one row per group
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE kept_summary_merged AS
        SELECT {keys}, CAST(sum(n) AS BIGINT) AS n
        FROM (SELECT {keys}, n FROM {summary.table} UNION ALL {_rows(summary, first, last)}) both_
        GROUP BY ALL
    """)
    con.execute(f"DELETE FROM {summary.table}")
    con.execute(f"INSERT INTO {summary.table} ({keys}, n) SELECT {keys}, n FROM kept_summary_merged")
    con.execute("DROP TABLE kept_summary_merged")


def add_load(con: duckdb.DuckDBPyConnection, first: int, last: int, piece: int = PIECE) -> None:
    """A load's side, after its pieces: add its new samples numbered ``first`` to ``last`` (their detections and
    folded findings written) to every summary here, ``piece`` samples at a time (the load's own piece size, so
    the step fits the load's memory cap), and record the stored counts they now match. The load keeps the
    first/last-seen summary per piece (supplywatch.metrics.add_piece_to_summaries)."""
    for start in range(int(first), int(last) + 1, piece):
        for summary in SUMMARIES:
            _add(con, summary, start, min(start + piece - 1, int(last)))
    for summary in SUMMARIES:
        summary_stamp.record(con, summary.meta_key, summary.rule())


def _ranges(con: duckdb.DuckDBPyConnection):
    low, high = con.execute("SELECT min(sample_no), max(sample_no) FROM samples").fetchone()
    if low is None:
        return
    for start in range(int(low), int(high) + 1, PIECE):
        yield start, min(start + PIECE - 1, int(high))


def rebuild(con: duckdb.DuckDBPyConnection, only_stale: bool = False) -> None:
    """Recompute the kept summaries (every one, or ``only_stale``: those not current) from what is stored, 500,000
    samples at a time."""
    if not (only_stale and first_seen.is_current(con)):
        first_seen.rebuild(con, list(_ranges(con)))
    for summary in SUMMARIES:
        if only_stale and is_current(con, summary):
            continue
        con.execute(f"DELETE FROM {summary.table}")
        for first, last in _ranges(con):
            _add(con, summary, first, last)
        summary_stamp.record(con, summary.meta_key, summary.rule())


# ------------------------------------------------------------------ reading a week/month summary

def dates_answered(f: Filters) -> bool:
    """True when a summary kept per week and month holds exactly the samples of ``f``'s dates: a start on a
    Monday or a month's first day, an end on a Sunday or a month's last day (or no date)."""
    return ((f.start is None or f.start.weekday() == 0 or f.start.day == 1)
            and (f.end is None or f.end.weekday() == 6 or (f.end + dt.timedelta(days=1)).day == 1))


def months_answered(f: Filters) -> bool:
    """True when a summary kept per month holds exactly the samples of ``f``'s dates: a start on a month's first
    day and an end on a month's last day (or no date)."""
    return (f.start is None or f.start.day == 1) and (f.end is None or (f.end + dt.timedelta(days=1)).day == 1)


def month_where(f: Filters, alias: str) -> tuple[str, list]:
    """``f`` as SQL over a summary kept per month (``alias``), for dates :func:`months_answered` accepts."""
    sql, params = f.without_dates().where(alias)
    for bound, op in ((f.start, ">="), (f.end, "<=")):
        if bound is not None:  # the first of a month, or the last day of one: its month is on the right side
            sql += f" AND {alias}.month {op} ?"
            params.append(bound)
    return sql, params


def where(f: Filters, alias: str) -> tuple[str, list]:
    """``f`` as SQL over a week/month summary (``alias``), for dates :func:`dates_answered` accepts."""
    sql, params = f.without_dates().where(alias)
    for bound, op in ((f.start, ">="), (f.end, "<=")):
        if bound is not None:  # a week or a month lies on one side of a Monday / first day, a Sunday / last day
            column = "week" if (bound.weekday() == 0 if op == ">=" else bound.weekday() == 6) else "month"
            sql += f" AND {alias}.{column} {op} ?"
            params.append(bound)
    return sql, params


def direct_sql(summary: Summary) -> str:
    """The summary's rows computed from the stored samples and detections (what tests compare the table with)."""
    return _rows(summary, None, None)
