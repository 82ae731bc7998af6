"""Positivity over samples a sensitive method tested, on a small warehouse counted by hand.

Region East, sold as 'Down' (opioid) unless said; week of 2026-03-09 unless said:
  id   FTIR  lab  benzo strip  found
  B01  yes   -    positive     FTIR bromazolam          -> n, k
  B02  yes   -    positive     -                        -> n, k (the strip alone)
  B03  yes   -    negative     FTIR etizolam            -> n, k (the strip missed what FTIR saw)
  B04  yes   -    negative     -                        -> n
  B05  no    -    negative     -                        -> n
  B06  yes   -    invalid      FTIR bromazolam          -> outside (an invalid strip tested nothing)
  B07  yes   -    (none)       FTIR bromazolam          -> outside
  B08  yes   -    (none)       -                        -> neither
  B09  no    yes  (none)       lab flualprazolam        -> n, k
  B10  no    yes  (none)       -                        -> n
  C01  yes   -    positive     -        sold as cocaine -> n, k for all samples only
  B11  yes   -    (none)       FTIR bromazolam, week of 2026-03-02 -> outside in that week
Benzodiazepines, opioid samples: 4 of 7 (B01 B02 B03 B09 of B01-B05 B09 B10), 3 outside (B06 B07 B11);
all samples: 5 of 8, 3 outside. The old rule (any FTIR, lab or strip result is "tested") gave 8 of 12 for all.
By method, opioid samples: strip 2 of 5 (B01 B02 of B01-B05), FTIR 5 of 8 (B01 B03 B06 B07 B11 of B01-B04
B06-B08 B11), lab 1 of 2.
"""

import datetime as dt
import shutil

import duckdb
import pandas as pd
import pytest

from supplywatch import db, findings, metrics, schema
from supplywatch.filters import Filters

D = dt.date
WEEK = D(2026, 3, 9)
CLASSES = {"bromazolam": "benzodiazepine", "etizolam": "benzodiazepine", "flualprazolam": "benzodiazepine"}
# (id, day, expected class, ftir, lab, benzo strip, [(method, substance)])
SAMPLES = [
    ("B01", WEEK, "opioid_unspecified", True, False, "positive", [("ftir", "bromazolam")]),
    ("B02", WEEK, "opioid_unspecified", True, False, "positive", []),
    ("B03", WEEK, "opioid_unspecified", True, False, "negative", [("ftir", "etizolam")]),
    ("B04", WEEK, "opioid_unspecified", True, False, "negative", []),
    ("B05", WEEK, "opioid_unspecified", False, False, "negative", []),
    ("B06", WEEK, "opioid_unspecified", True, False, "invalid", [("ftir", "bromazolam")]),
    ("B07", WEEK, "opioid_unspecified", True, False, None, [("ftir", "bromazolam")]),
    ("B08", WEEK, "opioid_unspecified", True, False, None, []),
    ("B09", WEEK, "opioid_unspecified", False, True, None, [("lab", "flualprazolam")]),
    ("B10", WEEK, "opioid_unspecified", False, True, None, []),
    ("C01", WEEK, "stimulant", True, False, "positive", []),
    ("B11", D(2026, 3, 2), "opioid_unspecified", True, False, None, [("ftir", "bromazolam")]),
]


@pytest.mark.parametrize("target, sensitive", [
    ("fentanyl", {"ftir", "lab", "fentanyl_strip"}),
    ("carfentanil", {"lab"}),                    # FTIR: usually far below 5 %; the fentanyl strip: a blind spot
    ("benzodiazepine", {"lab", "benzo_strip"}),
    ("nitazene", {"lab", "nitazene_strip"}),
    ("medetomidine", {"lab", "medetomidine_strip"}),
    ("alpha2_sedative", {"lab"}),                # FTIR misses medetomidine; no strip covers the class
    ("xylazine", {"ftir", "lab", "xylazine_strip"}),
    ("isotonitazene", {"lab"}),                  # the class row; metrics lets only a strip's own target use it
    ("heroin", {"ftir", "lab"}),
    ("stimulant", {"ftir", "lab"}),
    ("placeholder", set()),
    ("not in the dictionary at all", {"ftir", "lab"}),
])
def test_sensitive_methods(target, sensitive):
    assert metrics.sensitive_methods(target) == sensitive


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    path = tmp_path_factory.mktemp("sensitive") / "warehouse.duckdb"
    with db.writing_snapshot(path) as w:
        w.execute("INSERT INTO load_runs (run_id, file_name, kind, started_at, finished_at, rows_read, rows_loaded,"
                  " status) VALUES (1, 'b.csv', 'samples', now(), now(), 12, 12, 'loaded')")
        for sid, day, cls, ftir, lab, strip, found in SAMPLES:
            w.execute(
                "INSERT INTO samples (sample_id, source, collected_date, site, region, expected_raw, expected_class,"
                " sample_type, benzo_strip, ftir_tested, lab_tested, load_run_id)"
                " VALUES (?, 'Test', ?, 'East A', 'East', 'Down', ?, 'drug', ?, ?, ?, 1)",
                [sid, day, cls, strip, ftir, lab],
            )
            for method, name in found:
                w.execute(schema.INSERT_DETECTION, [sid, method, name.title(), name, CLASSES[name], False, True])
            if strip == "positive":
                w.execute(schema.INSERT_DETECTION,
                          [sid, "benzo_strip", "benzodiazepines", None, "benzodiazepine", False, True])
        findings.refresh(w)
    return path


@pytest.fixture(scope="module")
def con(path):
    c = db.connect_readonly(path)
    yield c
    c.close()


@pytest.mark.parametrize("population, k, n, outside", [
    ("opioid", 4, 7, 3),
    ("all", 5, 8, 3),
])
def test_default_denominator_is_samples_a_sensitive_method_tested(con, population, k, n, outside):
    row = metrics.positivity(con, Filters(), ("benzodiazepine",), period=None, population=population).iloc[0]
    assert (row["k"], row["n"], row["outside"]) == (k, n, outside)
    assert row["share"] == k / n
    assert (row["lo"], row["hi"]) == metrics.wilson(k, n)


def test_weekly_rows_keep_a_week_with_only_ftir_finds_as_a_count(con):
    df = metrics.positivity(con, Filters(), ("benzodiazepine",), period="week", population="opioid")
    got = {pd.Timestamp(r.period).date().isoformat(): (r.k, r.n, r.outside) for r in df.itertuples()}
    assert got == {"2026-03-02": (0, 0, 1), "2026-03-09": (4, 7, 2)}
    assert df.loc[df["n"] == 0, "share"].isna().all()  # no rate over nothing


def test_substance_of_the_class_follows_the_class_row(con):
    row = metrics.positivity(con, Filters(), ("bromazolam",), period=None, population="opioid").iloc[0]
    # FTIR is not sensitive for benzodiazepines and the strip cannot name bromazolam (metrics.capable_methods):
    # n = lab-tested B09 B10, neither with bromazolam; FTIR's bromazolam in B01 B06 B07 B11 is a count.
    assert (row["k"], row["n"], row["outside"]) == (0, 2, 4)


def test_a_target_ftir_sees_keeps_ftir_in_the_denominator(con):
    # Stimulants: FTIR is sensitive enough, so every FTIR- or lab-tested sample counts and nothing is outside.
    row = metrics.positivity(con, Filters(), ("stimulant",), period=None).iloc[0]
    assert (row["k"], row["n"], row["outside"]) == (0, 11, 0)  # all but B05 (strip only)


def test_headline_carries_the_outside_count(con):
    h = metrics.headline(con, Filters())
    benzo = h["current"]["positivity"]["benzodiazepine"]
    assert (benzo["k"], benzo["n"], benzo["outside"]) == (4, 7, 2)
    assert h["previous"]["positivity"]["benzodiazepine"]["outside"] == 1


def test_methods_side_by_side(con):
    df = metrics.positivity_by_method(con, Filters(), "benzodiazepine", period=None, population="opioid")
    got = {r.method: (r.k, r.n, r.sensitive) for r in df.itertuples()}
    assert got == {"benzo_strip": (2, 5, True), "ftir": (5, 8, False), "lab": (1, 2, True)}
    ftir = df.set_index("method").loc["ftir"]
    assert (ftir["share"], ftir["low_n"]) == (5 / 8, True)


def test_methods_side_by_side_per_week_leave_out_untested_weeks(con):
    df = metrics.positivity_by_method(con, Filters(), "benzodiazepine", period="week", population="opioid")
    got = {(pd.Timestamp(r.period).date().isoformat(), r.method): (r.k, r.n) for r in df.itertuples()}
    assert got == {("2026-03-02", "ftir"): (1, 1), ("2026-03-09", "benzo_strip"): (2, 5),
                   ("2026-03-09", "ftir"): (4, 7), ("2026-03-09", "lab"): (1, 2)}


def test_a_target_no_method_can_detect_has_no_rows(con):
    df = metrics.positivity_by_method(con, Filters(), "unknown", period="week")
    assert df.empty


@pytest.mark.parametrize("period", [None, "week"])
def test_counting_from_the_detections_gives_what_the_fold_gives(path, con, tmp_path, period):
    """Without a current fold (an older warehouse) the finds are counted from the detections: same numbers."""
    stale = tmp_path / "stale.duckdb"
    shutil.copyfile(path, stale)
    with duckdb.connect(str(stale)) as w:
        w.execute("UPDATE samples SET found_classes = NULL WHERE sample_id = 'B04'")
    live = duckdb.connect(str(stale), read_only=True)
    try:
        assert findings.is_current(con) and not findings.is_current(live)
        targets = ("benzodiazepine", "bromazolam", "carfentanil", "alpha2_sedative", "precursor", "cut", "fentanyl")
        for population in ("all", "opioid"):
            a = metrics.positivity(live, Filters(), targets, period=period, population=population)
            b = metrics.positivity(con, Filters(), targets, period=period, population=population)
            pd.testing.assert_frame_equal(a, b)
    finally:
        live.close()
