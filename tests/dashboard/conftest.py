"""A small warehouse where every number is known by hand (see the table in each docstring below).

Latest sample date 2026-03-15 (a Sunday). "This week" = 2026-03-09..15, previous = 2026-03-02..08.

North, this week, 12 samples sold as 'Down' (class opioid_unspecified):
  id   FTIR  fent.strip  FTIR found                      fentanyl %
  N01  yes   positive    fentanyl, caffeine              5
  N02  yes   positive    fentanyl, xylazine              12
  N03  yes   positive    fentanyl, bromazolam            30
  N04  yes   positive    fentanyl                        8
  N05  yes   negative    heroin
  N06  yes   negative    heroin, caffeine
  N07  yes   invalid     fentanyl, carfentanil
  N08  yes   (none)      mannitol + unknown 'Mystery analogue 7'
  N09  no    positive    -
  N10  no    positive    -
  N11  no    positive    -
  N12  no    invalid     -      (tested by nothing able to see fentanyl)
  -> fentanyl tested 11 (N01-N11), found 8 (N01-N04, N07, N09-N11); carfentanil 1/8; xylazine 1/8;
     benzodiazepines 1/8; expected found 7/8 (not N08), unexpected actives 2/8 (N02 xylazine, N03 bromazolam).
South, this week, 3 samples sold as 'Fentanyl' (FTIR): S01 fentanyl (10%), S02 fentanyl+caffeine (20%), S03 heroin.
  -> fentanyl 2/3, expected found 2/3, unexpected 1/3.
Previous week: North P01-P06 'Down' FTIR (fentanyl in P01-P03 with 4% and 6% in P01, P02; heroin in P04-P06);
  South P07 'Cocaine' FTIR cocaine.
Old: O01 North 2025-06-01 'Down' FTIR fentanyl + xylazine (xylazine is not new in North);
West 2025-01: W01 sold as 'Benzo' (bromazolam found: a match), W02 sold as 'Unknown' (left out of matching).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from supplywatch import db, findings, first_seen, metrics, schema

D = dt.date
THIS_WEEK = [D(2026, 3, 9) + dt.timedelta(days=i) for i in range(7)]
CLASSES = {
    "fentanyl": "fentanyl", "carfentanil": "fentanyl", "heroin": "opioid_other", "xylazine": "alpha2_sedative",
    "bromazolam": "benzodiazepine", "caffeine": "cut", "mannitol": "cut", "cocaine": "stimulant",
}
HIGH_RISK = {"carfentanil", "xylazine"}

# (id, date, site, region, expected_raw, exp_substance, exp_class, ftir, fent_strip, found, pct, notes)
SAMPLES = [
    ("N01", THIS_WEEK[0], "North Site A", "North", "Down", None, "opioid_unspecified", True, "positive", ["fentanyl", "caffeine"], 5.0),
    ("N02", THIS_WEEK[1], "North Site A", "North", "Down", None, "opioid_unspecified", True, "positive", ["fentanyl", "xylazine"], 12.0),
    ("N03", THIS_WEEK[2], "North Site A", "North", "Down", None, "opioid_unspecified", True, "positive", ["fentanyl", "bromazolam"], 30.0),
    ("N04", THIS_WEEK[3], "North Site A", "North", "Down", None, "opioid_unspecified", True, "positive", ["fentanyl"], 8.0),
    ("N05", THIS_WEEK[4], "North Site A", "North", "Down", None, "opioid_unspecified", True, "negative", ["heroin"], None),
    ("N06", THIS_WEEK[5], "North Site A", "North", "Down", None, "opioid_unspecified", True, "negative", ["heroin", "caffeine"], None),
    ("N07", THIS_WEEK[6], "North Site A", "North", "Down", None, "opioid_unspecified", True, "invalid", ["fentanyl", "carfentanil"], None),
    ("N08", THIS_WEEK[0], "North Site A", "North", "Down", None, "opioid_unspecified", True, None, ["mannitol", "?Mystery analogue 7"], None),
    ("N09", THIS_WEEK[1], "North Site A", "North", "Down", None, "opioid_unspecified", False, "positive", [], None),
    ("N10", THIS_WEEK[2], "North Site A", "North", "Down", None, "opioid_unspecified", False, "positive", [], None),
    ("N11", THIS_WEEK[3], "North Site A", "North", "Down", None, "opioid_unspecified", False, "positive", [], None),
    ("N12", THIS_WEEK[4], "North Site A", "North", "Down", None, "opioid_unspecified", False, "invalid", [], None),
    ("S01", THIS_WEEK[0], "South Site B", "South", "Fentanyl", "fentanyl", "fentanyl", True, None, ["fentanyl"], 10.0),
    ("S02", THIS_WEEK[3], "South Site B", "South", "Fentanyl", "fentanyl", "fentanyl", True, None, ["fentanyl", "caffeine"], 20.0),
    ("S03", THIS_WEEK[6], "South Site B", "South", "Fentanyl", "fentanyl", "fentanyl", True, None, ["heroin"], None),
    ("P01", D(2026, 3, 2), "North Site A", "North", "Down", None, "opioid_unspecified", True, None, ["fentanyl"], 4.0),
    ("P02", D(2026, 3, 3), "North Site A", "North", "Down", None, "opioid_unspecified", True, None, ["fentanyl"], 6.0),
    ("P03", D(2026, 3, 4), "North Site A", "North", "Down", None, "opioid_unspecified", True, None, ["fentanyl"], None),
    ("P04", D(2026, 3, 5), "North Site A", "North", "Down", None, "opioid_unspecified", True, None, ["heroin"], None),
    ("P05", D(2026, 3, 6), "North Site A", "North", "Down", None, "opioid_unspecified", True, None, ["heroin"], None),
    ("P06", D(2026, 3, 7), "North Site A", "North", "Down", None, "opioid_unspecified", True, None, ["heroin"], None),
    ("P07", D(2026, 3, 8), "South Site B", "South", "Cocaine", "cocaine", "stimulant", True, None, ["cocaine"], None),
    ("O01", D(2025, 6, 1), "North Site A", "North", "Down", None, "opioid_unspecified", True, None, ["fentanyl", "xylazine"], None),
    # The dictionary's class-level expectations: 'Benzo' is met by any benzodiazepine; 'Unknown' cannot be met.
    ("W01", D(2025, 1, 10), "West Site C", "West", "Benzo", "benzodiazepine (unspecified)", "benzodiazepine", True, None, ["bromazolam"], None),
    ("W02", D(2025, 1, 11), "West Site C", "West", "Unknown", "unknown", "unknown", True, None, ["fentanyl"], None),
]
SECRET_NOTE = "=HYPERLINK(\"http://evil.example\")"


def build(path: Path, synthetic: bool = True) -> None:
    """Write the fixture warehouse through the one sanctioned writer."""
    with db.writing_snapshot(path) as con:
        for name, cls in CLASSES.items():
            con.execute("INSERT INTO substances VALUES (?, ?, ?, ?)", [name, cls, name in HIGH_RISK, [name]])
        con.execute(
            "INSERT INTO load_runs (run_id, file_name, kind, started_at, finished_at, rows_read, rows_loaded,"
            " rows_rejected, status, message) VALUES (1, 'samples.csv', 'samples', ?, ?, 28, 25, 3, 'loaded', 'ok')",
            [dt.datetime(2026, 3, 16, 7, 55), dt.datetime(2026, 3, 16, 8, 0)],
        )
        con.executemany(
            "INSERT INTO rejects VALUES (1, ?, ?, ?, ?)",
            [
                (5, "date", "date: not a date 'soon'", "x"),
                (9, "date", "date: not a date 'soon'", "x"),
                (12, "fentanyl_pct", "fentanyl_pct: 140 is above 100", "x"),
            ],
        )
        for sid, day, site, region, exp_raw, exp_sub, exp_cls, ftir, strip, found, pct in SAMPLES:
            con.execute(
                "INSERT INTO samples (sample_id, source, collected_date, site, region, expected_raw,"
                " expected_substance, expected_class, sample_type, form, fentanyl_strip, ftir_tested, lab_tested,"
                " fentanyl_pct, notes, load_run_id, sample_no) VALUES (?, 'Test service', ?, ?, ?, ?, ?, ?, 'drug',"
                " 'powder', ?, ?, false, ?, ?, 1, nextval('sample_nos'))",  # a lake has no column default from it
                [sid, day, site, region, exp_raw, exp_sub, exp_cls, strip, ftir, pct, SECRET_NOTE],
            )
            for name in found:
                if name.startswith("?"):
                    con.execute(schema.INSERT_DETECTION, [sid, "ftir", name[1:], None, "unclassified", False, True])
                else:
                    con.execute(schema.INSERT_DETECTION,
                                [sid, "ftir", name.title(), name, CLASSES[name], False, True])
            if strip == "positive":
                con.execute(schema.INSERT_DETECTION,
                            [sid, "fentanyl_strip", "Positive", "fentanyl", "fentanyl", False, True])
        overdoses = [
            # North EMS weekly: 12, suppressed '<5', 20; a quarterly deaths figure not available.
            ("e1", "North", D(2026, 2, 23), D(2026, 3, 1), "2026-W09", "week", "ems", 12.0, False, None),
            ("e2", "North", D(2026, 3, 2), D(2026, 3, 8), "2026-W10", "week", "ems", None, True, "<5"),
            ("e3", "North", D(2026, 3, 9), D(2026, 3, 15), "2026-W11", "week", "ems", 20.0, False, None),
            ("e4", "South", D(2026, 3, 9), D(2026, 3, 15), "2026-W11", "week", "ems", 7.0, False, None),
            ("e5", "North", D(2026, 1, 1), D(2026, 3, 31), "2026 Q1", "quarter", "deaths", None, False, "NA"),
        ]
        for key, region, p0, p1, label, ptype, measure, value, supp, vlabel in overdoses:
            con.execute(
                "INSERT INTO overdose_events VALUES (?, 'Test EMS', ?, NULL, ?, ?, ?, ?, ?, 'opioids', NULL, 'count',"
                " ?, ?, ?, 1)",
                [key, region, p0, p1, label, ptype, measure, value, supp, vlabel],
            )
        con.execute(
            "INSERT INTO alerts VALUES ('a1', 'Health North', ?, 'North', 'drug alert',"
            " 'Carfentanil found in the North supply', 'Details', 'https://example.org/a1', 1)",
            [D(2026, 3, 12)],
        )
        con.execute(
            "INSERT INTO alerts VALUES ('a0', 'Health North', ?, 'North', 'drug alert',"
            " 'Old advisory about benzodiazepines', NULL, NULL, 1)",
            [D(2025, 12, 1)],
        )
        if synthetic:
            db.set_meta(con, "synthetic", "true")
        findings.refresh(con)  # what a load does for each sample it writes
        first_seen.rebuild(con)  # and the first/last-seen summary it keeps
        metrics.keep_summaries(con)  # and the weekly positivity summary


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """The warehouse file, built once per test session (every test only reads it)."""
    path = tmp_path_factory.mktemp("dashboard") / "warehouse.duckdb"
    build(path)
    return path


def dashboard_on(warehouse: Path, tmp_path: Path, monkeypatch) -> Path:
    """The dashboard pointed at ``warehouse`` (SUPPLYWATCH_DB), the app file and public folder in ``tmp_path``, k at
    its default, no warming threads racing the tests; returns ``warehouse``. The differencing attacks use it too."""
    monkeypatch.setenv("SUPPLYWATCH_DB", str(warehouse))
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_DIR", str(tmp_path / "public"))
    monkeypatch.delenv("SUPPLYWATCH_SUPPRESS_K", raising=False)
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    return warehouse


@pytest.fixture
def fixture_db(built_db, tmp_path, monkeypatch) -> Path:
    """SUPPLYWATCH_DB pointing at the hand-counted warehouse, the app file in a fresh folder, k at its default."""
    return dashboard_on(built_db, tmp_path, monkeypatch)


@pytest.fixture
def con(fixture_db):
    """A read-only connection to the fixture warehouse."""
    c = db.connect_readonly(fixture_db)
    yield c
    c.close()


@pytest.fixture
def build_warehouse():
    """The builder itself, for tests that write their own copy (e.g. to swap in a new snapshot)."""
    return build
