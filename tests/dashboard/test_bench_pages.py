"""The page benchmark's generated warehouse is well-formed and every page query it times runs on it."""

from bench import pages

from supplywatch import db, metrics
from supplywatch.filters import Filters


def test_generated_warehouse_and_page_queries(tmp_path):
    path = tmp_path / "bench.duckdb"
    pages.build(path, 500)
    con = db.connect_readonly(path)
    n, strips, strip_rows = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE fentanyl_strip = 'positive'),"
        " (SELECT count(*) FROM detections WHERE method = 'fentanyl_strip') FROM samples"
    ).fetchone()
    assert n == 500 and strips == strip_rows > 0
    untested = con.execute(
        "SELECT count(*) FROM detections d JOIN samples s USING (sample_id)"
        " WHERE (d.method = 'ftir' AND NOT s.ftir_tested) OR (d.method = 'lab' AND NOT s.lab_tested)"
    ).fetchone()[0]
    assert untested == 0  # findings only from methods that were used
    fent = metrics.positivity(con, Filters(), ("fentanyl",), period=None).iloc[0]
    assert 0 < fent["k"] < fent["n"] <= n
    con.close()
    assert set(pages.time_queries(path)) == set(pages.PAGES)
