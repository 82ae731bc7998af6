"""The first/last-seen summary (supplywatch.first_seen) the loads keep: equal to the direct computation from
detections after every kind of load, and Emerging's first detections read from it give the hand-counted numbers.

tests/data/etl/first_seen_a.csv: F-1 (North A, 2024-03-01, fentanyl by FTIR and by strip, caffeine) twice (the
second a duplicate row), F-2 (North A, 03-04, fentanyl, xylazine), F-3 (North B, 03-02, heroin), F-4 (South C,
03-05, 'Zorbital X', a name the dictionary does not know). first_seen_b.csv (CRLF, a blank line): F-2 again (a
duplicate of a stored sample, skipped), F-5 (North B, 02-20, fentanyl written 'fentanyl hcl '), F-6 (South C,
03-10, fentanyl by FTIR and strip). first_seen_conflict.csv: a new sample and F-3 with another date (the file is
refused, nothing changes).
"""

import datetime as dt

import pandas as pd
import pytest

from etl import substances
from supplywatch import db, dictionary, first_seen, metrics
from supplywatch.filters import Filters

D = dt.date


def _table(query) -> set[tuple]:
    return set(query(f"SELECT {', '.join(first_seen.KEYS)}, first_seen, last_seen, n FROM {first_seen.TABLE}"))


def _direct(query) -> set[tuple]:
    return set(query(first_seen.direct_sql()))


def _first_detections(f: Filters = Filters(), **kwargs) -> dict:
    con = db.connect_readonly()
    try:
        df = metrics.first_detections(con, f, **kwargs)
    finally:
        con.close()
    return {(r.region, r.substance): (pd.Timestamp(r.first_seen).date(), pd.Timestamp(r.last_seen).date(), r.n,
                                      bool(r.is_new)) for r in df.itertuples()}


AFTER_A = {
    ("North", "fentanyl"): (D(2024, 3, 1), D(2024, 3, 4), 2, True),  # F-1 counted once for its FTIR and strip
    ("North", "xylazine"): (D(2024, 3, 4), D(2024, 3, 4), 1, True),
    ("North", "heroin"): (D(2024, 3, 2), D(2024, 3, 2), 1, True),
}
AFTER_B = {
    ("North", "fentanyl"): (D(2024, 2, 20), D(2024, 3, 4), 3, True),  # F-5 moves the first detection earlier
    ("North", "xylazine"): (D(2024, 3, 4), D(2024, 3, 4), 1, True),  # F-2's repeat is not counted again
    ("North", "heroin"): (D(2024, 3, 2), D(2024, 3, 2), 1, True),
    ("South", "fentanyl"): (D(2024, 3, 10), D(2024, 3, 10), 1, True),
}


def test_summary_equals_the_direct_computation_after_every_load(cli, data_dir, query, any_warehouse):
    assert cli("load", data_dir / "first_seen_a.csv", "--no-signals")[0] == 0
    assert _table(query) == _direct(query)
    assert _first_detections() == AFTER_A  # caffeine is a cut, 'Zorbital X' has no substance yet

    assert cli("load", data_dir / "first_seen_b.csv", "--no-signals")[0] == 0
    assert _table(query) == _direct(query)
    assert _first_detections() == AFTER_B

    before = _table(query)
    status, out, err = cli("load", data_dir / "first_seen_conflict.csv", "--no-signals")
    assert status == 1 and "first_seen_conflict.csv: refused" in out + err
    assert _table(query) == before == _direct(query)

    assert cli("load", data_dir / "first_seen_b.csv", "--no-signals")[0] == 0  # the same file again: all repeats
    assert _table(query) == before
    # 7 groups, one sample each: (North, A, Fentanyl) fentanyl and caffeine (a cut is kept, the reader drops it),
    # (North, A, Down) fentanyl and xylazine, (North, B) heroin and fentanyl, (South, C) fentanyl
    assert query(f"SELECT count(*), sum(n) FROM {first_seen.TABLE}") == [(7, 7)]


@pytest.mark.parametrize("f, lookback, new_only, expected", [
    (Filters(region="South"), 180, False, {("South", "fentanyl"): (D(2024, 3, 10), D(2024, 3, 10), 1, True)}),
    (Filters(site="B"), 180, False, {("North", "fentanyl"): (D(2024, 2, 20), D(2024, 2, 20), 1, True),
                                     ("North", "heroin"): (D(2024, 3, 2), D(2024, 3, 2), 1, True)}),
    (Filters(expected="Down"), 180, False, {("North", "fentanyl"): (D(2024, 3, 4), D(2024, 3, 4), 1, True),
                                            ("North", "xylazine"): (D(2024, 3, 4), D(2024, 3, 4), 1, True)}),
    # the lookback ends at the newest sample (03-10): 7 days keeps what was first seen after 03-03
    (Filters(), 7, True, {("North", "xylazine"): (D(2024, 3, 4), D(2024, 3, 4), 1, True),
                          ("South", "fentanyl"): (D(2024, 3, 10), D(2024, 3, 10), 1, True)}),
    (Filters(start=D(2024, 3, 9)), 7, False, {  # dates do not narrow a first detection
        ("North", "fentanyl"): (D(2024, 2, 20), D(2024, 3, 4), 3, False),
        ("North", "xylazine"): (D(2024, 3, 4), D(2024, 3, 4), 1, True),
        ("North", "heroin"): (D(2024, 3, 2), D(2024, 3, 2), 1, False),
        ("South", "fentanyl"): (D(2024, 3, 10), D(2024, 3, 10), 1, True)}),
])
def test_first_detections_from_the_summary_are_the_hand_counted_ones(cli, data_dir, isolated_db, f, lookback,
                                                                      new_only, expected):
    for name in ("first_seen_a.csv", "first_seen_b.csv"):
        assert cli("load", data_dir / name, "--no-signals")[0] == 0
    assert _first_detections(f, lookback_days=lookback, new_only=new_only) == expected


def re_map_zorbital(tmp_path) -> None:
    """Install a dictionary that knows F-4's 'Zorbital X' as xylazine (re-mapping the stored detection)."""
    edited = tmp_path / "substances.csv"
    text = dictionary.DICTIONARY_PATH.read_text(encoding="utf-8")
    old = "xylazine,alpha2_sedative,true,,,Xylazine HCl|"
    assert text.count(old) == 1
    edited.write_text(text.replace(old, old + "Zorbital X|"), encoding="utf-8")
    with db.writing_snapshot() as con:
        substances.install_dictionary(con, edited)


def test_a_name_added_to_the_dictionary_joins_the_summary(cli, data_dir, query, isolated_db, tmp_path):
    assert cli("load", data_dir / "first_seen_a.csv", "--no-signals")[0] == 0
    re_map_zorbital(tmp_path)
    assert _table(query) == _direct(query)
    assert _first_detections()[("South", "xylazine")] == (D(2024, 3, 5), D(2024, 3, 5), 1, True)
