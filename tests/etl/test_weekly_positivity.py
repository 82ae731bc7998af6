"""The weekly positivity summary (supplywatch.weekly_positivity) the loads keep: equal to the direct computation
after every kind of load and a dictionary re-mapping, on the file and the lake; Trends' positivity read from it
gives exactly the direct query's rows for every choice the page offers, and the hand-counted numbers.

Fixture files as in test_first_seen.py: first_seen_a.csv (F-1 twice, a fentanyl strip positive and FTIR fentanyl;
F-2 FTIR fentanyl and xylazine; F-3 strip negative, FTIR heroin; F-4 FTIR 'Zorbital X', unknown), first_seen_b.csv
(CRLF, a blank line: F-2 again, F-5 FTIR fentanyl on 02-20, F-6 strip positive and FTIR fentanyl on 03-10) and
first_seen_conflict.csv (refused: F-3 with another date).
"""

import datetime as dt
import itertools

import duckdb
import pandas as pd
import pytest

from supplywatch import db, kept_summaries, metrics, weekly_positivity
from supplywatch.filters import Filters
from tests.etl.test_first_seen import re_map_zorbital

D = dt.date
COLUMNS = ", ".join([*weekly_positivity.KEYS, "target", "n", "k", "x"])


def _table(query) -> set[tuple]:
    return set(query(f"SELECT {COLUMNS} FROM {weekly_positivity.TABLE}"))


def _direct(query) -> set[tuple]:
    return set(query(metrics.weekly_direct_sql()))


def _positivity(con, f: Filters, targets, period: str, group, population: str, summary: bool) -> pd.DataFrame:
    """Trends' query, read from the summary (which must be current) or directly."""
    current = metrics.weekly_current
    try:
        assert current(con)
        if not summary:
            metrics.weekly_current = lambda _con: False
        return metrics.positivity(con, f, targets, period, group, population)
    finally:
        metrics.weekly_current = current


FILTERS = [Filters(), Filters(region="North"), Filters(site="B"), Filters(expected="Down"),
           Filters(sample_type="drug"), Filters(region="South", expected="Fentanyl"),
           Filters(start=D(2024, 2, 26), end=D(2024, 3, 10)),  # a Monday and a Sunday: the summary answers
           Filters(start=D(2024, 3, 1), end=D(2024, 3, 31)),  # a month's first and last day: so does it
           Filters(start=D(2024, 3, 2), end=D(2024, 3, 5))]  # neither: read directly


def test_summary_equals_the_direct_computation_after_every_load(cli, data_dir, query, any_warehouse, tmp_path):
    # new samples, then a duplicate and new ones (CRLF), a refused file, the same file again (all repeats)
    for name, status in (("first_seen_a.csv", 0), ("first_seen_b.csv", 0), ("first_seen_conflict.csv", 1),
                         ("first_seen_b.csv", 0)):
        assert cli("load", data_dir / name, "--no-signals")[0] == status
        assert _table(query) == _direct(query) != set()
    before = _table(query)
    re_map_zorbital(tmp_path)  # F-4's 'Zorbital X' becomes xylazine: its alpha2_sedative counts change
    assert _table(query) == _direct(query) != before

    # every choice Trends offers, read from the summary and directly: the same rows
    con = db.connect_readonly()
    try:
        for targets, period, group, population, f in itertools.product(
                [metrics.TREND_TARGETS], ("week", "month"), (None, "region", "site", "expected"),
                ("all", "opioid"), FILTERS):
            summary = _positivity(con, f, targets, period, group, population, True)
            direct = _positivity(con, f, targets, period, group, population, False)
            pd.testing.assert_frame_equal(summary, direct)
    finally:
        con.close()


def _counts(df: pd.DataFrame) -> dict:
    return {(pd.Timestamp(r.period).date(), r.grp): (r.n, r.k, r.outside) for r in df.itertuples()}


@pytest.mark.parametrize("period, group, f, expected", [
    # F-5 alone on 02-20; F-1 (found) and F-3 (strip negative, heroin) in the week of 02-26; F-2 and F-6 (found)
    # and F-4 (FTIR, nothing it can see) in the week of 03-04. Every one was tested by a method that can see
    # fentanyl (FTIR or the strip).
    ("week", None, Filters(), {(D(2024, 2, 19), None): (1, 1, 0), (D(2024, 2, 26), None): (2, 1, 0),
                               (D(2024, 3, 4), None): (3, 2, 0)}),
    ("month", None, Filters(), {(D(2024, 2, 1), None): (1, 1, 0), (D(2024, 3, 1), None): (5, 3, 0)}),
    ("week", "region", Filters(start=D(2024, 3, 4)), {(D(2024, 3, 4), "North"): (1, 1, 0),
                                                      (D(2024, 3, 4), "South"): (2, 1, 0)}),
])
def test_fentanyl_from_the_summary_is_the_hand_counted_one(cli, data_dir, isolated_db, period, group, f, expected):
    for name in ("first_seen_a.csv", "first_seen_b.csv"):
        assert cli("load", data_dir / name, "--no-signals")[0] == 0
    con = db.connect_readonly()
    try:
        assert _counts(_positivity(con, f, ("fentanyl",), period, group, "all", True)) == expected
    finally:
        con.close()


def test_a_warehouse_from_before_the_summary_gets_it_built(cli, data_dir, query, isolated_db):
    for name in ("first_seen_a.csv", "first_seen_b.csv"):
        assert cli("load", data_dir / name, "--no-signals")[0] == 0
    expected = _direct(query)
    con = duckdb.connect(str(isolated_db))  # as version 7 left it: no summary of migration 8 or 9
    for table in (weekly_positivity.TABLE, *(k.table for k in kept_summaries.SUMMARIES)):
        con.execute(f"DROP TABLE {table}")
    con.execute("DELETE FROM meta WHERE key = ?", [weekly_positivity.META_KEY])
    con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    con.close()
    reader = db.connect_readonly()  # what every reader opens with: it migrates first
    try:
        assert metrics.weekly_current(reader)
    finally:
        reader.close()
    assert _table(query) == expected != set()


def test_samples_written_around_the_summary_are_read_directly_not_missed(cli, data_dir, isolated_db):
    # A script (or a test fixture) that inserts a sample and its finding without updating the summary: readers must
    # not show the summary's now-wrong counts (the week of 03-04 had 3 tested, 2 found; a 4th found sample is added).
    for name in ("first_seen_a.csv", "first_seen_b.csv"):
        assert cli("load", data_dir / name, "--no-signals")[0] == 0
    con = duckdb.connect(str(isolated_db))
    row = con.execute("SELECT * FROM samples WHERE sample_id = 'local:F-6'").df()
    no = con.execute("SELECT max(sample_no) + 1 FROM samples").fetchone()[0]
    row = row.assign(sample_id="local:F-7", sample_no=no)
    con.execute("INSERT INTO samples SELECT * FROM row")
    con.execute("INSERT INTO detections SELECT * REPLACE (? AS sample_no, 'local:F-7' AS sample_id) FROM detections"
                " WHERE sample_id = 'local:F-6'", [no])
    con.close()
    reader = db.connect_readonly()
    try:
        # the stored counts no longer match the summary's: opening rebuilds it (or a reader falls back to the scan)
        got = _counts(metrics.positivity(reader, Filters(start=D(2024, 3, 4)), ("fentanyl",), "week", None, "all"))
        assert got == {(D(2024, 3, 4), None): (4, 3, 0)}
    finally:
        reader.close()
