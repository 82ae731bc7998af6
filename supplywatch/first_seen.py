"""When each substance was first and last seen: a small summary of ``detections`` kept by the writers.

Emerging and the overview ask, per region and substance, for the first and last date it was found and in how many
samples, over all dates. Computed from ``detections`` that is a grouped scan with a distinct count over every
detection (2.2M rows at 1M samples, 22M at 10M): the slowest supply query, and it grows with the warehouse. This
table holds the same answer per (region, site, expected_raw, sample_type, substance, class): the columns the
dashboard's filters (other than dates) select on, so any filter combination is answered exactly from it. A
sample has one region, site, expected name and type, so its detections fall in exactly one group per substance and
the per-group sample counts add up across groups without counting a sample twice. At 1M demo samples it has
about 2,000 rows.

Kept equal to ``detections`` by every writer of ``detections``, inside the writer's transaction:

* a load adds only new samples (a duplicate is skipped, a conflicting row refuses the file), so
  :func:`add_samples` folds each piece's new detections into the table: earliest of the firsts, latest of the lasts,
  sum of the counts (the run's samples are new, so no sample is counted twice);
* re-mapping unknown names (``etl.substances.reclassify``) changes or removes stored detections, so it calls
  :func:`rebuild`;
* the warehouse migration that creates the table (7, supplywatch.schema) fills it from the stored detections.

Each writer records the stored counts it matches (supplywatch.summary_stamp): a script that writes detections
around it makes readers compute from ``detections`` instead (supplywatch.metrics.first_detections), until the
next writer rebuilds it (supplywatch.kept_summaries).

Plain SQL that runs on a warehouse file and on a lake (no keys, no DuckDB-only functions beyond the loader's).
"""

from __future__ import annotations

import duckdb

from . import summary_stamp

TABLE = "substance_first_seen"
KEYS = ("region", "site", "expected_raw", "sample_type", "substance", "class")
_KEYS = ", ".join(KEYS)
META_KEY = "substance_first_seen_rule"

def _grouped(where: str) -> str:
    # DISTINCT first, then a grouping over a few thousand groups: DuckDB spills a DISTINCT under the load's memory
    # cap, not a count(DISTINCT) aggregate (200,000 samples under 100MB ran out of memory). A sample has one date.
    return (f"SELECT {_KEYS}, min(collected_date) AS first_seen, max(collected_date) AS last_seen,"
            f" count(*) AS n FROM (SELECT DISTINCT {_KEYS}, sample_no, collected_date FROM detections"
            f" WHERE substance IS NOT NULL AND {where}) per_sample GROUP BY {_KEYS}")


def rule() -> str:
    """A short hash of the SQL that fills the table."""
    return summary_stamp.rule_of(direct_sql())


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the table was filled by this code from the detections stored now (readers may use it)."""
    return summary_stamp.is_current(con, META_KEY, rule())


def record(con: duckdb.DuckDBPyConnection) -> None:
    """Record that the table matches the samples and detections stored now."""
    summary_stamp.record(con, META_KEY, rule())


def rebuild(con: duckdb.DuckDBPyConnection, ranges: list[tuple[int, int]] | None = None) -> None:
    """Recompute the whole table from ``detections`` (after stored detections changed or were removed), one range
    of sample numbers at a time when ``ranges`` are given (bounded memory on a large warehouse)."""
    con.execute(f"DELETE FROM {TABLE}")
    if ranges is None:
        con.execute(f"INSERT INTO {TABLE} {_grouped('TRUE')}")
    for first, last in ranges or ():
        add_samples(con, first, last)
    record(con)


def add_samples(con: duckdb.DuckDBPyConnection, first: int, last: int) -> None:
    """Fold the detections of the new samples numbered ``first`` to ``last`` (one piece of a load) into the table.

    A load numbers its new samples after every stored one (loads are serialised by the writer lock), so the range
    holds only that piece's samples. Called per piece, it holds no more than a piece's detections under the load's
    memory cap (the whole run of 200,000 samples at once ran out of 100MB)."""
    new = _grouped(f"sample_no BETWEEN {int(first)} AND {int(last)}")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE first_seen_merged AS
        SELECT {_KEYS}, min(first_seen) AS first_seen, max(last_seen) AS last_seen, CAST(sum(n) AS BIGINT) AS n
        FROM (SELECT {_KEYS}, first_seen, last_seen, n FROM {TABLE} UNION ALL {new}) both_
        GROUP BY {_KEYS}
    """)
    con.execute(f"DELETE FROM {TABLE}")
    con.execute(f"INSERT INTO {TABLE} SELECT {_KEYS}, first_seen, last_seen, n FROM first_seen_merged")
    con.execute("DROP TABLE first_seen_merged")


def direct_sql() -> str:
    """The table's rows computed from ``detections`` (what tests compare it with)."""
    return _grouped("TRUE")
