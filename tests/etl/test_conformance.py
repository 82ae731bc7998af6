"""The three real public files load completely; counts and values match an independent read with python csv."""

import ast
import collections
import csv

import duckdb
import pytest

from etl import substances
from etl.load import load_paths

pytestmark = pytest.mark.real_data

DCBC = "bc-drugchecking-2018-2020/DrugCheckingBC Full Data - 2020-11-04.csv"
PHAC = "phac-substance-harms/SubstanceHarmsData.csv"
TORONTO = "toronto-shelter-overdoses/overdose_raw_data.csv"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from tests.conftest import REAL_DATA

    if not REAL_DATA.is_dir():
        pytest.skip(f"real data folder {REAL_DATA} is absent")
    db = tmp_path_factory.mktemp("real") / "warehouse.duckdb"
    results = load_paths([REAL_DATA / DCBC, REAL_DATA / PHAC, REAL_DATA / TORONTO], db=db, progress=False)
    return db, results


def rows(real, name):
    with open(real / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def sql(db, text):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(text).fetchall()
    finally:
        con.close()


def test_every_row_becomes_data(loaded):
    _, results = loaded
    got = [(r.profile, r.status, r.rows_read, r.rows_loaded, r.rows_duplicate, r.rows_rejected) for r in results]
    assert got == [
        ("drugcheckingbc", "loaded", 15300, 15300, 0, 0),
        ("phac_substance_harms", "loaded", 24464, 24464, 0, 0),
        ("toronto_shelter_overdoses", "loaded", 1517, 1517, 0, 0),
    ]


def test_drugcheckingbc_strips_dates_and_sites(loaded, real_data):
    db, _ = loaded
    src = rows(real_data, DCBC)
    fts = collections.Counter(r["Fentanyl Test Strip"] for r in src)
    got = dict(sql(db, "SELECT coalesce(fentanyl_strip, '-'), count(*) FROM samples GROUP BY 1"))
    assert got == {"positive": fts["True"], "negative": fts["False"], "-": fts["N/A"],
                   "invalid": fts["Invalid"] + fts["Positive;Negative"]}
    bts = collections.Counter(r["Benzo Test Strip"] for r in src)
    assert sql(db, "SELECT count(*) FROM samples WHERE benzo_strip = 'positive'") == [(bts["True"],)]
    assert sql(db, "SELECT min(collected_date)::VARCHAR, max(collected_date)::VARCHAR, count(DISTINCT sample_id)"
                   " FROM samples") == [("2018-06-20", "2020-11-01", 15300)]
    vernon = sum(r["Site"] == "IHâ€”Vernon" for r in src)
    assert sql(db, "SELECT count(*) FROM samples WHERE site = 'IHâ€”Vernon'") == [(vernon,)] == [(2,)]


def test_drugcheckingbc_ftir_detections_match_python_normalisation(loaded, real_data):
    db, _ = loaded
    expected = collections.Counter()
    for r in rows(real_data, DCBC):
        for item in ast.literal_eval(r["FTIR Spectrometer"]):
            item = item.strip()
            if not item:
                continue
            m = substances.normalise(item)
            if m.is_placeholder:
                continue
            expected[(m.substance, m.cls, m.is_trace)] += 1
    got = collections.Counter({(s, c, t): n for s, c, t, n in sql(
        db, "SELECT substance, class, is_trace, count(*) FROM detections WHERE method = 'ftir' GROUP BY ALL")})
    assert got == expected
    assert sql(db, "SELECT count(*) FROM detections WHERE class = 'unclassified'") == [(0,)]


def test_drugcheckingbc_reload_is_unchanged(loaded, real_data):
    db, _ = loaded
    [again] = load_paths([real_data / DCBC], db=db, progress=False)
    assert (again.status, again.run_id) == ("unchanged", 1)


def test_phac_values_suppression_and_periods(loaded, real_data):
    db, _ = loaded
    src = rows(real_data, PHAC)
    values = collections.Counter(r["Value"] for r in src)
    assert sql(db, "SELECT count(*) FROM overdose_events WHERE source = 'PHAC substance harms' AND suppressed"
               ) == [(values["Suppr."],)] == [(2357,)]
    assert sql(db, "SELECT count(*) FROM overdose_events WHERE value_label = 'n/a' AND value IS NULL"
               " AND NOT suppressed") == [(values["n/a"],)] == [(5748,)]
    canada_deaths = sum(float(r["Value"]) for r in src if r["Region"] == "Canada" and r["Source"] == "Deaths"
                        and r["Substance"] == "Opioids" and r["Specific_Measure"] == "Overall numbers"
                        and r["Time_Period"] == "By year" and r["Unit"] == "Number")
    got = sql(db, "SELECT sum(value) FROM overdose_events WHERE region = 'Canada' AND measure = 'deaths'"
                  " AND substance = 'opioids' AND breakdown IS NULL AND period_type IN ('year', 'year_to_date')"
                  " AND unit = 'count'")[0][0]
    assert got == pytest.approx(canada_deaths)
    labels = collections.Counter(r["Year_Quarter"] for r in src)
    quarters = sum(n for label, n in labels.items() if " Q" in label)
    assert sql(db, "SELECT count(*) FROM overdose_events WHERE period_type = 'quarter'"
                   " AND source = 'PHAC substance harms'") == [(quarters,)]
    assert sql(db, "SELECT DISTINCT period_start::VARCHAR, period_end::VARCHAR FROM overdose_events"
                   " WHERE period_label = '2025 (Jan to Sep)'") == [("2025-01-01", "2025-09-30")]


def test_toronto_counts_markers_and_trimmed_sites(loaded, real_data):
    db, _ = loaded
    src = rows(real_data, TORONTO)
    numbers = [int(r["suspected_non_fatal_overdoses"]) for r in src if r["suspected_non_fatal_overdoses"].isdigit()]
    got = sql(db, "SELECT count(*), count(value), sum(value), count(*) FILTER (WHERE suppressed),"
                  " count(*) FILTER (WHERE value_label = 'NA'), count(DISTINCT site) FROM overdose_events"
                  " WHERE source = 'Toronto shelter overdoses'")
    sites = {r["location_name"].strip() for r in src}
    assert got == [(1517, len(numbers), sum(numbers), 611, 394, len(sites))]
    assert sql(db, "SELECT count(*) FROM overdose_events WHERE site <> trim(site)") == [(0,)]
