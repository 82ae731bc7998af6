"""The summaries the loads keep for Expected vs found, Concentration and Emerging (supplywatch.kept_summaries), and
the stamp that makes readers compute from the samples when something wrote around them (supplywatch.summary_stamp):
equal to the direct computation after every kind of load and a dictionary re-mapping, on the file and the lake;
every reader gives exactly the direct query's frames through the summaries; hand-counted numbers.

tests/data/etl/kept_a.csv: K-1 (North A, Tue 2024-02-27, sold as fentanyl, drug, strip positive, FTIR fentanyl and
caffeine, 10 %) twice, K-2 (North A, Fri 03-01, "Down", FTIR fentanyl and xylazine, 20 %), K-3 (North B, 03-02,
heroin, residue, strip negative, FTIR heroin), K-4 (South C, 03-05, "Down", FTIR 'Zorbital X', a name the
dictionary does not know, 30 %), K-5 (South C, 03-06, sold as 'Blue Zed', unknown, lab fentanyl and bromazolam,
40 %), K-6 (North A, 03-11, strip only: not FTIR- or lab-tested). kept_b.csv (CRLF, a blank line): K-2 again
(skipped), K-7 (North B, 02-20, no type, FTIR 'fentanyl hcl ', 5 %), K-8 (South C, Sun 03-31, FTIR fentanyl, 50 %),
K-9 (South C, Mon 04-01, "Down", FTIR 'Zorbital X'). kept_conflict.csv: a new sample and K-3 with another date
(the file is refused). The week of Monday 02-26 spans February and March.
"""

import contextlib
import datetime as dt

import duckdb
import pandas as pd
import pytest

from supplywatch import db, expected_found, first_seen, kept_summaries, metrics, public_expected_found, schema
from supplywatch.filters import Filters
from tests.etl.test_first_seen import re_map_zorbital

D = dt.date
FILES = ("kept_a.csv", "kept_b.csv")
FILTERS = [Filters(), Filters(region="North"), Filters(site="C"), Filters(expected="Down"),
           Filters(sample_type="drug"), Filters(region="South", expected="Fentanyl"),
           Filters(start=D(2024, 2, 26), end=D(2024, 3, 3)),  # a Monday and a Sunday: the week read as kept
           Filters(start=D(2024, 3, 1), end=D(2024, 3, 31)),  # a month's first and last day
           Filters(start=D(2024, 2, 1), end=D(2024, 2, 29)),  # February: half of the week of 02-26
           Filters(start=D(2024, 3, 4)), Filters(end=D(2024, 3, 3)),
           Filters(start=D(2024, 3, 2), end=D(2024, 3, 5)),  # neither: the cells are counted from the samples
           Filters(region="North", start=D(2024, 3, 1), end=D(2024, 3, 31), sample_type="drug")]


def _rows(rows) -> list:
    return sorted(rows, key=repr)  # NULLs and lists in the keys: sorted by their text


def _table(query, summary) -> list:
    columns = ", ".join([*summary.keys, *(["n"] if summary.additive else [])])
    return _rows(query(f"SELECT {columns} FROM {summary.table}"))


def _direct(query, summary) -> list:
    return _rows(query(kept_summaries.direct_sql(summary)))


def _all_equal(query) -> None:
    for summary in kept_summaries.SUMMARIES:
        assert _table(query, summary) == _direct(query, summary), summary.table


@contextlib.contextmanager
def _direct_reads(on: bool):
    """Readers as they compute with every kept summary stale (``on``), or as they are."""
    saved = kept_summaries.is_current, first_seen.is_current
    if on:
        kept_summaries.is_current = lambda con, summary: False
        first_seen.is_current = lambda con: False
    try:
        yield
    finally:
        kept_summaries.is_current, first_seen.is_current = saved


def _sorted(df: pd.DataFrame) -> list:
    return _rows(repr(tuple(r)) for r in df.itertuples(index=False))


def _reads(con, f: Filters) -> dict:
    views = metrics.expected_found(con, f, top=10)
    return {"cells": _sorted(expected_found.finding_cells(con, f, "NULL")),
            "cells by region": _sorted(expected_found.finding_cells(con, f, metrics.GROUPS["region"], False)),
            **{k: v for k, v in views.items()},
            "by month": metrics.concentration_by_month(con, f),
            "histogram": metrics.concentration_histogram(con, f),
            "median": metrics.median_fentanyl_pct(con, f),
            "unknown": metrics.unknown_substances(con, f),
            "first": metrics.first_detections(con, f)}


def _same(a: dict, b: dict) -> None:
    for key in a:
        if isinstance(a[key], pd.DataFrame):
            pd.testing.assert_frame_equal(a[key], b[key], check_exact=True, obj=key)  # quantiles to the last digit
        else:
            assert a[key] == b[key], key


def test_summaries_equal_the_direct_computation_after_every_load(cli, data_dir, query, any_warehouse, tmp_path):
    # new samples, then a duplicate and new ones (CRLF), a refused file, the same file again (all repeats)
    for name, status in (("kept_a.csv", 0), ("kept_b.csv", 0), ("kept_conflict.csv", 1), ("kept_b.csv", 0)):
        assert cli("load", data_dir / name, "--no-signals")[0] == status
        _all_equal(query)
    before = _table(query, kept_summaries.UNCLASSIFIED)
    re_map_zorbital(tmp_path)  # K-4's and K-9's 'Zorbital X' becomes xylazine: no longer unknown, now found
    _all_equal(query)
    assert _table(query, kept_summaries.UNCLASSIFIED) != before

    con = db.connect_readonly()
    try:
        assert kept_summaries.all_current(con)
        for f in FILTERS:
            kept = _reads(con, f)
            with _direct_reads(True):
                _same(kept, _reads(con, f))
        # the public page's cells, by public month (a week's month) and region
        kept = _sorted(public_expected_found._atom_cells(con))
        with _direct_reads(True):
            assert kept == _sorted(public_expected_found._atom_cells(con))
    finally:
        con.close()


def _loaded(cli, data_dir):
    for name in FILES:
        assert cli("load", data_dir / name, "--no-signals")[0] == 0


def test_hand_counted_numbers_read_from_the_summaries(cli, data_dir, isolated_db):
    _loaded(cli, data_dir)
    con = db.connect_readonly()
    try:
        assert kept_summaries.all_current(con)
        by_month = metrics.concentration_by_month(con, Filters())
        # February: 5 and 10 %; March: 20, 30, 40, 50 % (K-9 and K-3 are not quantified)
        assert by_month[["n", "median", "q1", "q3"]].values.tolist() == [[2, 7.5, 6.25, 8.75], [4, 35.0, 27.5, 42.5]]
        assert metrics.median_fentanyl_pct(con, Filters(region="South")) == (40.0, 3)  # 30, 40, 50
        hist = metrics.concentration_histogram(con, Filters(site="A"))  # K-1 10 %, K-2 20 %
        assert hist[["lower", "n"]].values.tolist() == [[10.0, 1], [20.0, 1]]
        unknown = metrics.unknown_substances(con, Filters())
        assert [tuple(r) for r in unknown[["name", "n"]].itertuples(index=False)] == [("Zorbital X", 2), ("Blue Zed", 1)]
        assert metrics.unknown_substances(con, Filters(start=D(2024, 4, 1)))["n"].tolist() == [1]  # K-9 alone
        # February only: the week of 02-26 is split at its month, so K-1 (02-27) and K-7 (02-20) and not K-2 (03-01)
        feb = metrics.expected_found(con, Filters(start=D(2024, 2, 1), end=D(2024, 2, 29)))
        assert feb["match"][["expected", "n", "matched", "unexpected"]].values.tolist() == [["fentanyl", 2, 2, 0]]
        # the week of 02-26: K-1, K-2 (a "Down" with xylazine beside its fentanyl) and K-3 (heroin, a residue)
        week = metrics.expected_found(con, Filters(start=D(2024, 2, 26), end=D(2024, 3, 3)))
        assert sorted(week["match"][["expected", "n", "unexpected"]].values.tolist()) == [
            ["fentanyl", 1, 0], ["heroin", 1, 0], ["unknown opioid", 1, 1]]
        pairs = week["pairs"].set_index(["a", "b"])["n"].to_dict()
        assert pairs[("fentanyl", "fentanyl")] == 2 and pairs[("fentanyl", "xylazine")] == 1
    finally:
        con.close()


def _downgrade(path) -> None:
    """The warehouse as version 8 left it: no kept summary of migration 9, no stamp on the first/last-seen one."""
    con = duckdb.connect(str(path))
    for summary in kept_summaries.SUMMARIES:
        con.execute(f"DROP TABLE {summary.table}")
        con.execute("DELETE FROM meta WHERE key = ?", [summary.meta_key])
    con.execute("DELETE FROM meta WHERE key = ?", [first_seen.META_KEY])
    con.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    con.close()


def test_a_warehouse_from_before_the_summaries_gets_them_built(cli, data_dir, query, isolated_db):
    _loaded(cli, data_dir)
    expected = {s.table: _direct(query, s) for s in kept_summaries.SUMMARIES}
    _downgrade(isolated_db)
    reader = db.connect_readonly()  # what every reader opens with: it migrates and builds them first
    try:
        assert kept_summaries.all_current(reader)
        assert reader.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] \
            == str(len(schema.WAREHOUSE_MIGRATIONS))
    finally:
        reader.close()
    assert {s.table: _table(query, s) for s in kept_summaries.SUMMARIES} == expected
    assert all(expected.values())


def test_a_rebuild_in_pieces_gives_the_same_tables(cli, data_dir, query, isolated_db, monkeypatch):
    _loaded(cli, data_dir)
    expected = {s.table: _direct(query, s) for s in kept_summaries.SUMMARIES}
    first = _rows(query(first_seen.direct_sql()))
    monkeypatch.setattr(kept_summaries, "PIECE", 2)  # 8 samples: four pieces, one group split across them
    with db.writing_snapshot() as con:
        kept_summaries.rebuild(con)
    assert {s.table: _table(query, s) for s in kept_summaries.SUMMARIES} == expected
    assert _rows(query(f"SELECT {', '.join(first_seen.KEYS)}, first_seen, last_seen, n FROM {first_seen.TABLE}")) \
        == first


def test_samples_written_around_the_summaries_are_read_directly_not_missed(cli, data_dir, isolated_db):
    # A script (or a fixture) that inserts a sample and its findings without keeping the summaries: readers must not
    # show the summaries' now-wrong numbers. K-10 is K-8 again (South C, 03-31, fentanyl, 50 %).
    _loaded(cli, data_dir)
    con = duckdb.connect(str(isolated_db))
    no = con.execute("SELECT max(sample_no) + 1 FROM samples").fetchone()[0]
    con.execute("INSERT INTO samples SELECT * REPLACE ('local:K-10' AS sample_id, ? AS sample_no) FROM samples"
                " WHERE sample_id = 'local:K-8'", [no])
    con.execute("INSERT INTO detections SELECT * REPLACE ('local:K-10' AS sample_id, ? AS sample_no) FROM detections"
                " WHERE sample_id = 'local:K-8'", [no])
    con.close()
    for opened in (lambda: duckdb.connect(str(isolated_db), read_only=True),  # as it is: the stamps differ
                   db.connect_readonly):  # through the product's open: the summaries are rebuilt first
        reader = opened()
        try:
            south = Filters(region="South")
            assert metrics.concentration_by_month(reader, south)["n"].tolist() == [4]  # 30, 40, 50, 50
            assert metrics.median_fentanyl_pct(reader, south) == (45.0, 4)
            match = metrics.expected_found(reader, Filters(region="South", expected="Fentanyl"))["match"]
            assert match[["n", "matched"]].values.tolist() == [[2, 2]]
            first = metrics.first_detections(reader, south).set_index("substance")["n"].to_dict()
            assert first["fentanyl"] == 3  # K-5 (lab), K-8, K-10: the old first/last-seen summary said 2
        finally:
            reader.close()


@pytest.mark.parametrize("seed", range(30))
def test_quantiles_from_counts_equal_duckdbs_quantiles_of_the_values(seed):
    """Concentration's quantiles from quantified_values: the same numbers, to the last digit, as quantile_cont over
    the values themselves; repeats, one-sample months and values with 0-3 decimals (as laboratories report them)."""
    import random

    from supplywatch import concentration

    rng = random.Random(seed)
    rows = [(D(2024, rng.randint(1, 6), 1), round(rng.uniform(0, 100), rng.randint(0, 3)) if rng.random() < 0.7
             else rng.choice([5.0, 12.5, 50.0, 99.99])) for _ in range(rng.randint(1, 300))]
    con = duckdb.connect()
    con.execute("CREATE TABLE v (month DATE, fentanyl_pct DOUBLE)")
    con.executemany("INSERT INTO v VALUES (?, ?)", rows)
    con.execute("CREATE TABLE quantified_values AS SELECT month, fentanyl_pct, count(*) AS n FROM v GROUP BY ALL")
    want = con.execute("SELECT month, count(*), quantile_cont(fentanyl_pct, 0.5), quantile_cont(fentanyl_pct, 0.25),"
                       " quantile_cont(fentanyl_pct, 0.75) FROM v GROUP BY 1 ORDER BY 1").fetchall()
    assert con.execute(concentration._quantiles_from_counts("TRUE", "s.month")).fetchall() == want
    median = con.execute(concentration._quantiles_from_counts("TRUE", "0", concentration.QUANTILES[:1])).fetchall()
    assert median == con.execute("SELECT 0, count(*), quantile_cont(fentanyl_pct, 0.5) FROM v").fetchall()
