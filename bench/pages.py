"""Time every supply page with AppTest on a large warehouse: cold (empty caches) and warm (cached by data version).

The warehouse is generated directly with SQL (N samples over two years, five regions, FTIR/strip/lab mixes and
~2.3 detections per sample), or ``--db`` reuses one (e.g. ``python -m etl demo --samples 1000000``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from . import report

NAME = "pages"
SUMMARY = "each supply page rendered with AppTest, cold and warm (default 1,000,000 generated samples)"
TITLE = "Dashboard pages"
PAGES = ("overview", "trends", "concentration", "expected_found", "emerging", "samples", "overdoses", "data")

SAMPLES_SQL = """
INSERT INTO samples (sample_id, source, collected_date, site, region, expected_raw, expected_substance,
                     expected_class, sample_type, form, fentanyl_strip, benzo_strip, xylazine_strip,
                     ftir_tested, lab_tested, fentanyl_pct, notes, load_run_id)
WITH r AS (
    SELECT i, CAST(hash(i * 7 + 1) % 1000 AS BIGINT) AS a, CAST(hash(i * 7 + 2) % 1000 AS BIGINT) AS b,
           CAST(hash(i * 7 + 3) % 1000 AS BIGINT) AS c,
           CAST(hash(i * 7 + 4) % 1000 AS BIGINT) AS d
    FROM range({n}) t(i)
)
SELECT 'B' || i, 'Bench service', DATE '{end}' - CAST(a * 730 // 1000 AS INTEGER),
       ['Capital', 'Interior', 'Metro', 'North Coast', 'Valley'][1 + b % 5] || ' site ' || (1 + c % 3),
       ['Capital', 'Interior', 'Metro', 'North Coast', 'Valley'][1 + b % 5],
       CASE WHEN c < 550 THEN 'Down' WHEN c < 650 THEN 'Fentanyl' WHEN c < 800 THEN 'Methamphetamine'
            WHEN c < 900 THEN 'Cocaine' ELSE 'MDMA' END,
       CASE WHEN c < 550 THEN NULL WHEN c < 650 THEN 'fentanyl' WHEN c < 800 THEN 'methamphetamine'
            WHEN c < 900 THEN 'cocaine' ELSE 'mdma' END,
       CASE WHEN c < 550 THEN 'opioid_unspecified' WHEN c < 650 THEN 'fentanyl' ELSE 'stimulant' END,
       CASE WHEN d < 950 THEN 'drug' ELSE 'residue' END, 'powder',
       CASE WHEN d < 600 THEN (CASE WHEN c < 650 AND b < 700 THEN 'positive' WHEN d < 20 THEN 'invalid'
                                    ELSE 'negative' END) END,
       CASE WHEN d < 400 THEN (CASE WHEN b % 4 = 0 THEN 'positive' ELSE 'negative' END) END,
       CASE WHEN d BETWEEN 200 AND 500 THEN (CASE WHEN b % 7 = 0 THEN 'positive' ELSE 'negative' END) END,
       d < 880, d > 950,
       CASE WHEN c < 650 AND d > 900 THEN 2 + (a % 300) / 10.0 END,
       'bench note', 1
FROM r ORDER BY 3, 1
"""

DETECTIONS_SQL = """
INSERT INTO detections
SELECT s.sample_id, meth.method, m.raw, m.substance, m.class, false, true, s.sample_no, {context}
FROM samples s, (VALUES ('fentanyl', 'Fentanyl HCl', 'fentanyl', 0),
                        ('caffeine', 'Caffeine', 'cut', 1),
                        ('xylazine', 'Xylazine HCl', 'alpha2_sedative', 2),
                        ('bromazolam', 'Bromazolam', 'benzodiazepine', 3),
                        ('methamphetamine', 'Methamphetamine HCl', 'stimulant', 4),
                        ('carfentanil', 'Carfentanil', 'fentanyl', 5),
                        (NULL, 'Unidentified analogue 7', 'unclassified', 6)) AS m(substance, raw, class, k),
     (VALUES ('ftir'), ('lab')) AS meth(method)
WHERE ((meth.method = 'ftir' AND s.ftir_tested) OR (meth.method = 'lab' AND s.lab_tested)) AND CASE m.k
    WHEN 0 THEN s.expected_class <> 'stimulant' AND hash(s.sample_id || 'f') % 100 < 75
    WHEN 1 THEN hash(s.sample_id || 'c') % 100 < 45
    WHEN 2 THEN s.expected_class <> 'stimulant' AND hash(s.sample_id || 'x') % 100 < 12
    WHEN 3 THEN s.expected_class <> 'stimulant' AND hash(s.sample_id || 'b') % 100 < 20
    WHEN 4 THEN s.expected_class = 'stimulant' AND hash(s.sample_id || 'm') % 100 < 70
    WHEN 5 THEN s.region = 'Metro' AND s.collected_date > DATE '{end}' - 21 AND hash(s.sample_id || 'k') % 100 < 10
    ELSE hash(s.sample_id || 'u') % 1000 < 2 END
"""


def build(path: Path, n: int, end: str = "2026-03-15") -> None:
    """Generate ``n`` samples with detections, overdose counts and a few alerts into a new warehouse."""
    from etl.load import STRIP_RAW, STRIP_TARGETS, lits
    from supplywatch import db, findings, first_seen, schema

    with db.writing_snapshot(path) as con:
        con.execute("INSERT INTO load_runs (run_id, file_name, kind, started_at, finished_at, rows_read, rows_loaded,"
                    " status) VALUES (1, 'bench.csv', 'samples', now(), now(), ?, ?, 'loaded')", [n, n])
        con.execute(SAMPLES_SQL.format(n=int(n), end=end))
        context = ", ".join(f"s.{c}" for c in schema.DETECTION_SAMPLE_COLUMNS)
        con.execute(DETECTIONS_SQL.format(end=end, context=context))
        for strip, (substance, cls) in STRIP_TARGETS.items():  # every positive strip is a detection, as the ETL stores
            con.execute(f"""
                INSERT INTO detections
                SELECT s.sample_id, {lits([strip, STRIP_RAW[strip], substance, cls])}, false, true, s.sample_no, {context}
                FROM samples s WHERE s.{strip} = 'positive'""")
        con.execute(f"""
            INSERT INTO overdose_events
            SELECT 'e' || r || d, 'Bench EMS', r, NULL, DATE '{end}' - d, DATE '{end}' - d, CAST(DATE '{end}' - d AS VARCHAR),
                   'day', 'ems', 'opioids', NULL, 'count',
                   CASE WHEN hash(r || d) % 10 = 0 THEN NULL ELSE 3 + hash(r || d) % 20 END,
                   hash(r || d) % 10 = 0, CASE WHEN hash(r || d) % 10 = 0 THEN '<5' END, 1
            FROM (VALUES ('Capital'), ('Interior'), ('Metro'), ('North Coast'), ('Valley')) v(r),
                 (SELECT CAST(range AS INTEGER) AS d FROM range(730)) t""")
        con.execute(f"""
            INSERT INTO alerts SELECT 'a' || d, 'Bench health', DATE '{end}' - d * 30, 'Metro', 'drug alert',
                   'Bench alert ' || d, NULL, NULL, 1 FROM (SELECT CAST(range AS INTEGER) AS d FROM range(12)) t""")
        db.set_meta(con, "synthetic", "true")
        findings.refresh(con)  # as the ETL folds each sample it writes
        first_seen.rebuild(con)  # and the first/last-seen summary it keeps


def time_queries(path: Path) -> dict[str, float]:
    """Seconds of DuckDB work per page: its queries run directly on a fresh read-only connection."""
    from supplywatch import db, views
    from supplywatch.filters import Filters

    out = {}
    for page, queries in views.PAGE_DEFAULT_QUERIES.items():
        con = db.connect_readonly(path)
        started = time.perf_counter()
        for name, kwargs in queries:
            views.QUERIES[name](con, Filters(), **kwargs)
        out[page] = time.perf_counter() - started
        con.close()
    return out


def time_warm_up(path: Path) -> float:
    """Seconds the background warm-up takes to fill the cache with every page's default view after a load."""
    import threading

    import streamlit as st

    from supplywatch import views

    os.environ["SUPPLYWATCH_DB"] = str(path)
    os.environ["SUPPLYWATCH_WARM_CACHE"] = "1"
    st.cache_data.clear()
    views._warmed.clear()
    started = time.perf_counter()
    views.data_version()
    for thread in threading.enumerate():
        if thread.name == "supplywatch-warm":
            thread.join()
    os.environ["SUPPLYWATCH_WARM_CACHE"] = "0"
    return time.perf_counter() - started


def time_pages(path: Path, repeats: int = 3) -> list[tuple[str, float, float]]:
    """(page, cold seconds, median warm seconds) for each page, all in this process."""
    os.environ["SUPPLYWATCH_DB"] = str(path)
    os.environ["SUPPLYWATCH_WARM_CACHE"] = "0"  # measure cold pages, not the post-load cache warm-up
    os.environ.setdefault("SUPPLYWATCH_APP_DB", str(path.with_name("bench-app.duckdb")))
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(report.ROOT / "dashboard.py"), default_timeout=600)
    at.run()  # imports, navigation, sidebar options; not counted
    out = []
    for page in PAGES:
        st.cache_data.clear()
        at.switch_page(f"app_pages/{page}.py")
        started = time.perf_counter()
        at.run()
        cold = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        warm = []
        for _ in range(repeats):
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
        out.append((page, cold, statistics.median(warm)))
        print(f"{page:15} cold {cold:6.2f} s   warm {statistics.median(warm):6.2f} s", flush=True)
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__)
    p.add_argument("--samples", type=report.count, default=1_000_000)
    p.add_argument("--db", help="an existing warehouse to time instead of generating one")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "pages.duckdb"
        built = ""
        if not args.db:
            started = time.perf_counter()
            build(path, args.samples)
            built = f"generated in {time.perf_counter() - started:.1f} s; "
        from supplywatch import db

        con = db.connect_readonly(path)
        n, dets = con.execute("SELECT (SELECT count(*) FROM samples), (SELECT count(*) FROM detections)").fetchone()
        con.close()
        print(f"{n:,} samples, {dets:,} detections ({built.strip('; ') or 'given'})")
        load_before = os.getloadavg()[0]
        queries = time_queries(path)
        rows = time_pages(path)
        warm_up = time_warm_up(path)
        print(f"background warm-up after a load: {warm_up:.1f} s")
        load_after = os.getloadavg()[0]
    print(f"load average {load_before:.1f} before, {load_after:.1f} after")
    if not args.no_docs:
        table = ["| page | queries alone (cold) | page cold | page warm | goal (1 s cold, 0.3 s warm) |",
                 "|---|---|---|---|---|"]
        for page, cold, warm in rows:
            met = "met" if cold < 1 and warm < 0.3 else ("warm met, cold missed" if warm < 0.3 else "MISSED")
            table.append(f"| {page} | {queries[page]:.2f} s | {cold:.2f} s | {warm:.2f} s | {met} |")
        source = (f"`{args.db}` ({n:,} samples, {dets:,} detections)" if args.db
                  else f"a generated warehouse ({n:,} samples, {dets:,} detections; {built}bench/pages.py)")
        body = (
            f"`python -m bench pages [--samples N | --db FILE]` (bench/pages.py): each supply page rendered by "
            f"`streamlit.testing.v1.AppTest` through dashboard.py on {source}, public view, no filters. "
            "Cold = first render after `st.cache_data.clear()` (every query runs in DuckDB); warm = median of three "
            "reruns (results served from the cache keyed by data version). Times include Streamlit's own script "
            "run and element serialisation. \"Queries alone\" is the DuckDB work of the page's queries on a fresh "
            "read-only connection; it runs first, so it also pays for reading the file from disk, which is why it can "
            f"exceed the page's cold time. Machine: {report.machine()}; 1-minute load average {load_before:.1f} before and "
            f"{load_after:.1f} after (shared machine: upper bounds). Run {report.today()}.\n\n"
            + "\n".join(table)
            + f"\n\nAfter a load, the first request starts a background warm-up that runs every page's default "
            f"queries into the shared cache: {warm_up:.1f} s here, after which those views are served warm; "
            "filtered views are computed on first request."
        )
        report.update_section(TITLE, body)
    return 0
