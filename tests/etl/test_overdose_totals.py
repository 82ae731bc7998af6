"""The Overdoses page's series never adds a total to its own parts (metrics.overdose_series)."""

import duckdb
import pandas as pd

from etl.load import load_file
from supplywatch import metrics
from supplywatch.filters import Filters


def series(db, measure: str, unit: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        df = metrics.overdose_series(con, Filters())
    finally:
        con.close()
    part = df[(df["measure"] == measure) & (df["unit"] == unit)]
    return [(r.region, r.period_label, None if pd.isna(r.value) else r.value, bool(r.suppressed))
            for r in part.itertuples()]


def test_a_region_total_is_shown_alone_not_added_to_its_sites(isolated_db, data_dir):
    assert load_file(data_dir / "overdoses_total_and_sites.csv", db=isolated_db).status == "loaded"
    # March: the file's Toronto total (9), not 9 + 4 + 5; April has no total row: the sites add up, 2 + 3
    assert series(isolated_db, "non_fatal", "count") == [("Toronto", "2024-03", 9.0, False),
                                                         ("Toronto", "2024-04", 5.0, False)]


def test_phac_totals_are_the_series_and_accidental_parts_stay_out(isolated_db, data_dir):
    assert load_file(data_dir / "phac_old_release.csv", db=isolated_db).status == "loaded"
    # by hand from the fixture: the 'Total apparent ...' rows only (3100, not 3100 + 2900)
    assert series(isolated_db, "deaths", "count") == [("British Columbia", "2019 Q1", 268.0, False),
                                                      ("Canada", "2019", 3100.0, False)]
    assert series(isolated_db, "deaths", "age_adjusted_rate") == [("Canada", "2019", 8.4, False)]
    assert series(isolated_db, "deaths", "rate") == [("Canada", "2019", 8.2, False)]
    assert series(isolated_db, "hospitalizations", "count") == [("Yukon", "2019 Q2", None, True)]


def test_a_refused_run_is_counted_apart_from_the_rows_rejected_in_loaded_files(cli, data_dir, isolated_db):
    # ragged.csv: refused at the default 1 % (2 of 4 rows rejected), then loaded at 50 %: two runs, one file
    assert cli("load", data_dir / "ragged.csv", "--no-signals")[0] == 1
    assert cli("load", data_dir / "ragged.csv", "--max-reject-rate", "0.5", "--no-signals")[0] == 0
    con = duckdb.connect(str(isolated_db), read_only=True)
    try:
        assert metrics.reject_summary(con) == {"rejected_in_loaded": 2, "refused_runs": 1, "rows_in_refused": 2}
        reasons = metrics.reject_reasons(con)
        assert sorted((r.run_id, r.status, r.n) for r in reasons.itertuples()) == [
            (1, "refused", 1), (1, "refused", 1), (2, "loaded", 1), (2, "loaded", 1)]
        assert [(r.run_id, r.status, r.line) for r in metrics.reject_rows(con).itertuples()] == [
            (2, "loaded", 3), (2, "loaded", 4), (1, "refused", 3), (1, "refused", 4)]
    finally:
        con.close()
