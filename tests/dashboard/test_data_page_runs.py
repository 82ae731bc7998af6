"""The Data page tells loaded and refused runs apart (before: a refused run's rejects were added to 'all loads')."""

from pathlib import Path

from etl.load import load_file
from tests.dashboard.test_pages import frame, run, texts

ETL_DATA = Path(__file__).resolve().parent.parent / "data" / "etl"


def test_a_refused_then_loaded_file_is_two_runs_counted_apart(isolated_db, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    assert load_file(ETL_DATA / "ragged.csv", db=isolated_db).status == "refused"      # 2 of 4 rejected
    assert load_file(ETL_DATA / "ragged.csv", db=isolated_db, max_reject_rate=0.5).status == "loaded"
    at = run("data")
    shown = texts(at)
    assert "2 rows were rejected in loaded files; each is listed with its run, file, line and reason." in shown
    assert "1 refused runs stored nothing; their 2 rejected or conflicting rows are counted apart." in shown
    history = frame(at, "Rows loaded")
    assert [(r["Run"], r["Status"]) for r in history.to_dict("records")] == [
        (2, "loaded"), (1, "refused (nothing stored)")]
    reasons = frame(at, "First line")
    assert sorted((r["Run"], r["Status"], r["Rows"]) for r in reasons.to_dict("records")) == [
        (1, "refused (nothing stored)", 1), (1, "refused (nothing stored)", 1), (2, "loaded", 1), (2, "loaded", 1)]
