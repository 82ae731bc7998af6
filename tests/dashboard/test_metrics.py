"""Metrics against numbers counted by hand on the fixture warehouse (see conftest.py's table)."""

import datetime as dt

import shutil

import duckdb
import pandas as pd
import pytest

from supplywatch import db, findings, metrics
from supplywatch.filters import Filters

THIS_WEEK = Filters(start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 15))
NORTH_THIS_WEEK = Filters(start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 15), region="North")


@pytest.fixture(scope="module")
def built_lake(pg_cluster, tmp_path_factory):
    """The same hand-counted warehouse, written through the same writer into a lake (PostgreSQL catalog)."""
    from supplywatch import lake
    from tests.dashboard.conftest import build

    name = pg_cluster.create_database("dashboard_metrics_lake")
    target = lake.Lake(pg_cluster.dsn(name), str(tmp_path_factory.mktemp("lake")) + "/")
    build(target)
    return target


@pytest.fixture(params=["file", "lake"])
def con(request, fixture_db):
    """A read-only connection to the fixture warehouse: the file, then the lake (the same numbers on both)."""
    target = fixture_db if request.param == "file" else request.getfixturevalue("built_lake")
    c = db.connect_readonly(target)
    yield c
    c.close()


def day(value) -> str:
    """A DATE column value (pandas gives Timestamps) as 'YYYY-MM-DD'."""
    return pd.Timestamp(value).date().isoformat()


@pytest.mark.parametrize(
    "k, n, lo, hi",
    [
        (5, 10, 0.2366, 0.7634),  # textbook value
        (0, 10, 0.0, 0.2775),  # zero successes: lower bound exactly 0
        (10, 10, 0.7225, 1.0),  # all successes: upper bound exactly 1
        (8, 11, 0.4343, 0.9025),  # by hand: centre 0.6684, half-width 0.2341
        (1, 11, 0.0162, 0.3774),
    ],
)
def test_wilson_interval_matches_hand_computed_values(k, n, lo, hi):
    got = metrics.wilson(k, n)
    assert got[0] == pytest.approx(lo, abs=1e-4)
    assert got[1] == pytest.approx(hi, abs=1e-4)


def test_wilson_of_nothing_tested_is_undefined():
    assert metrics.wilson(0, 0) == (None, None)


@pytest.mark.parametrize(
    "target, methods",
    [
        ("fentanyl", {"ftir", "lab", "fentanyl_strip"}),
        ("carfentanil", {"ftir", "lab"}),  # a fentanyl strip says nothing specific about carfentanil
        ("benzodiazepine", {"ftir", "lab", "benzo_strip"}),
        ("xylazine", {"ftir", "lab", "xylazine_strip"}),
        ("medetomidine", {"ftir", "lab", "medetomidine_strip"}),
        ("alpha2_sedative", {"ftir", "lab"}),  # neither strip covers the whole class
        ("nitazene", {"ftir", "lab", "nitazene_strip"}),
    ],
)
def test_capable_methods(target, methods):
    assert metrics.capable_methods(target) == methods


@pytest.mark.parametrize(
    "target, k, n, outside",
    [
        # 8 FTIR-tested + 3 strip-only positives; N12 (invalid strip, no FTIR) is not in the denominator.
        ("fentanyl", 8, 11, 0),
        ("xylazine", 1, 8, 0),  # FTIR only: N01-N08
        # FTIR is not sensitive enough for these and nothing else tested them: no rate, FTIR finds as a count.
        ("carfentanil", 0, 0, 1),  # N07
        ("benzodiazepine", 0, 0, 1),  # N03
        ("nitazene", 0, 0, 0),
        ("medetomidine", 0, 0, 0),
    ],
)
def test_positivity_uses_method_aware_denominators(con, target, k, n, outside):
    row = metrics.positivity(con, NORTH_THIS_WEEK, (target,), period=None).iloc[0]
    assert (row["k"], row["n"], row["outside"]) == (k, n, outside)
    assert row["share"] == (pytest.approx(k / n) if n else None) or (not n and pd.isna(row["share"]))


def test_positivity_weekly_by_region(con):
    df = metrics.positivity(con, Filters(start=dt.date(2026, 3, 2)), ("fentanyl",), period="week", group="region")
    got = {(day(r.period), r.grp): (r.k, r.n, r.low_n) for r in df.itertuples()}
    assert got == {
        ("2026-03-02", "North"): (3, 6, True),
        ("2026-03-02", "South"): (0, 1, True),  # P07, sold as cocaine, FTIR-tested
        ("2026-03-09", "North"): (8, 11, False),
        ("2026-03-09", "South"): (2, 3, True),
    }


def test_positivity_opioid_population_leaves_out_other_expectations(con):
    prev = Filters(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8))
    everyone = metrics.positivity(con, prev, ("fentanyl",), period=None).iloc[0]
    opioid = metrics.positivity(con, prev, ("fentanyl",), period=None, population="opioid").iloc[0]
    assert (everyone["k"], everyone["n"]) == (3, 7)  # P07 (cocaine) tested by FTIR
    assert (opioid["k"], opioid["n"]) == (3, 6)


def test_expected_vs_found(con):
    df = metrics.expected_found(con, THIS_WEEK)["match"].set_index("expected")
    down = df.loc["opioid_unspecified"]
    assert (down["n"], down["matched"], down["unexpected"]) == (8, 7, 2)
    fent = df.loc["fentanyl"]
    assert (fent["n"], fent["matched"], fent["unexpected"]) == (3, 2, 1)


def test_class_level_expectations_follow_the_dictionary(con):
    df = metrics.expected_found(con, Filters(region="West"))["match"].set_index("expected")
    assert list(df.index) == ["benzodiazepine (unspecified)"]  # sold as 'Unknown' cannot match or miss
    row = df.loc["benzodiazepine (unspecified)"]
    assert (row["n"], row["matched"], row["unexpected"]) == (1, 1, 0)


def test_found_matrix_counts_each_active_class_once_per_sample(con):
    df = metrics.expected_found(con, NORTH_THIS_WEEK)["matrix"]
    got = {(r.expected_class, r.found_class): r.n for r in df.itertuples()}
    # N07 has fentanyl and carfentanil (both class fentanyl): counted once; caffeine/mannitol are cuts.
    assert got == {
        ("opioid_unspecified", "fentanyl"): 5,
        ("opioid_unspecified", "opioid_other"): 2,
        ("opioid_unspecified", "alpha2_sedative"): 1,
        ("opioid_unspecified", "benzodiazepine"): 1,
    }


def test_cooccurrence(con):
    df = metrics.expected_found(con, THIS_WEEK)["pairs"]
    got = {(r.a, r.b): r.n for r in df.itertuples()}
    assert got[("fentanyl", "fentanyl")] == 7  # N01-N04, N07, S01, S02
    assert got[("caffeine", "fentanyl")] == got[("fentanyl", "caffeine")] == 2  # N01, S02
    assert got[("caffeine", "heroin")] == 1  # N06
    assert ("mannitol", "fentanyl") not in got


def test_the_fixture_reads_the_folded_columns(con):
    assert findings.is_current(con)
    assert con.execute("SELECT found_classes FROM samples WHERE sample_id = 'P07'").fetchone() != (0,)


@pytest.mark.parametrize("f", [Filters(), THIS_WEEK, NORTH_THIS_WEEK, Filters(region="West")], ids=repr)
def test_the_live_fold_gives_what_the_load_folded(fixture_db, tmp_path, f):
    """A warehouse whose fold is missing (or from another matching rule) is counted live, to the same numbers."""
    stale = tmp_path / "stale.duckdb"
    shutil.copyfile(fixture_db, stale)
    with duckdb.connect(str(stale)) as w:
        w.execute("UPDATE samples SET found_classes = NULL WHERE sample_id = 'N01'")
    live, folded = duckdb.connect(str(stale), read_only=True), db.connect_readonly(fixture_db)
    try:
        assert not findings.is_current(live)
        a, b = metrics.expected_found(live, f), metrics.expected_found(folded, f)
        for view in ("match", "matrix", "pairs"):
            pd.testing.assert_frame_equal(a[view], b[view])
        assert metrics.headline(live, f) == metrics.headline(folded, f)
    finally:
        live.close()
        folded.close()


def test_a_changed_matching_rule_is_not_read_from_the_fold(con, monkeypatch):
    monkeypatch.setattr(findings, "NOT_ACTIVE", findings.NOT_ACTIVE + ("stimulant",))
    assert not findings.is_current(con)


def test_opening_a_warehouse_folded_by_another_rule_refolds_it_once(fixture_db, tmp_path, monkeypatch):
    stale = tmp_path / "stale.duckdb"
    shutil.copyfile(fixture_db, stale)
    monkeypatch.setattr(findings, "NOT_ACTIVE", findings.NOT_ACTIVE + ("stimulant",))  # a new version's rule
    con = db.connect_readonly(stale)  # as the dashboard opens it
    try:
        assert findings.is_current(con)
        # P07, cocaine found: under the new rule a stimulant is no longer an active class
        assert con.execute("SELECT found_classes FROM samples WHERE sample_id = 'P07'").fetchone() == (0,)
    finally:
        con.close()
    version = db.data_version(stale)
    db.connect_readonly(stale).close()
    assert db.data_version(stale) == version  # current now: not rewritten again


def test_concentration_median_and_quartiles_by_month(con):
    df = metrics.concentration_by_month(con, Filters())
    assert len(df) == 1
    row = df.iloc[0]
    # March 2026 values 4, 5, 6, 8, 10, 12, 20, 30: median 9; continuous quartiles 5.75 and 14.
    assert (day(row["period"]), row["n"]) == ("2026-03-01", 8)
    assert (row["median"], row["q1"], row["q3"]) == (9.0, 5.75, 14.0)


def test_concentration_histogram_bands(con):
    df = metrics.concentration_histogram(con, Filters(), width=10)
    # 4, 5, 6, 8 | 10, 12 | 20 | 30
    assert dict(zip(df["lower"], df["n"])) == {0.0: 4, 10.0: 2, 20.0: 1, 30.0: 1}


def test_headline_this_week_against_last(con):
    h = metrics.headline(con, Filters())
    assert (h["start"], h["end"]) == (dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    cur, prev = h["current"], h["previous"]
    assert (cur["checked"], prev["checked"]) == (15, 7)
    fent = cur["positivity"]["fentanyl"]
    assert (fent["k"], fent["n"]) == (10, 14)  # North 8/11 + South 2/3
    assert (prev["positivity"]["fentanyl"]["k"], prev["positivity"]["fentanyl"]["n"]) == (3, 6)
    assert (cur["median_pct"], cur["n_pct"]) == (11.0, 6)  # 5, 8, 10, 12, 20, 30
    assert (prev["median_pct"], prev["n_pct"]) == (5.0, 2)
    assert (cur["matched"], cur["match_n"]) == (9, 11)


def test_headline_with_no_data_says_so(con):
    assert metrics.headline(con, Filters(region="Nowhere")) == {"end": None}


def test_first_detections_flag_new_substances_per_region(con):
    df = metrics.first_detections(con, Filters(), lookback_days=180)
    got = {(r.region, r.substance): (day(r.first_seen), day(r.last_seen), r.n, r.is_new) for r in df.itertuples()}
    assert got[("North", "carfentanil")] == ("2026-03-15", "2026-03-15", 1, True)
    assert got[("North", "xylazine")] == ("2025-06-01", "2026-03-10", 2, False)  # seen in O01 long ago
    assert got[("North", "fentanyl")][0] == "2025-06-01"
    assert ("North", "caffeine") not in got  # cuts are not emerging drugs
    assert bool(df.set_index(["region", "substance"]).loc[("North", "carfentanil"), "high_risk"])


@pytest.mark.parametrize("f", [Filters(), Filters(region="North"), THIS_WEEK, Filters(sample_type="residue")])
@pytest.mark.parametrize("lookback", [1, 7, 180, 400])
def test_new_first_detections_are_the_new_rows_of_the_full_table(con, f, lookback):
    full = metrics.first_detections(con, f, lookback_days=lookback)
    new = metrics.first_detections(con, f, lookback_days=lookback, new_only=True)
    expected = full[full["is_new"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(new.reset_index(drop=True), expected)
    if lookback == 180 and f == Filters():
        assert ("North", "carfentanil", 1) in set(zip(new["region"], new["substance"], new["n"]))


def test_first_detection_ignores_the_date_filter(con):
    df = metrics.first_detections(con, THIS_WEEK)
    row = df[(df.region == "North") & (df.substance == "xylazine")].iloc[0]
    assert day(row["first_seen"]) == "2025-06-01"


def test_unknown_substances_are_listed_as_written(con):
    df = metrics.unknown_substances(con, Filters())
    got = [(r.name, r.n, day(r.first_seen), day(r.last_seen)) for r in df.itertuples()]
    assert got == [("Mystery analogue 7", 1, "2026-03-09", "2026-03-09")]


def test_overdose_series_keeps_suppressed_and_missing_apart(con):
    df = metrics.overdose_series(con, Filters(region="North"))
    rows = {r.period_label: (r.value, r.suppressed, r.missing, r.value_label) for r in df.itertuples()}
    assert rows["2026-W09"][:3] == (12.0, False, False)
    assert rows["2026-W10"][1:] == (True, False, "<5")
    assert rows["2026 Q1"][1:] == (False, True, "NA")
    assert set(df["region"]) == {"North"}


def test_data_status(con):
    assert metrics.data_status(con) == {
        "latest_sample": dt.date(2026, 3, 15),
        "samples": 25,
        "loaded_at": dt.datetime(2026, 3, 16, 8, 0),
        "synthetic": True,
    }


def test_reject_reasons_are_counted(con):
    df = metrics.reject_reasons(con)
    assert [(r.reason, r.n, r.first_line) for r in df.itertuples()] == [
        ("date: not a date 'soon'", 2, 5),
        ("fentanyl_pct: 140 is above 100", 1, 12),
    ]


def test_headline_week_without_opioid_samples_has_zero_rates(con):
    # South's previous week holds only P07 (sold as cocaine): no opioid sample, so every rate is 0 of 0.
    h = metrics.headline(con, Filters(region="South"))
    cur, prev = h["current"], h["previous"]
    assert (cur["checked"], prev["checked"]) == (3, 1)
    assert (cur["positivity"]["fentanyl"]["k"], cur["positivity"]["fentanyl"]["n"]) == (2, 3)
    assert sorted(prev["positivity"]) == sorted(metrics.HEADLINE_TARGETS)
    assert {(r["k"], r["n"], r["share"]) for r in prev["positivity"].values()} == {(0, 0, None)}
