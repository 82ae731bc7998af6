"""`python -m etl demo` end to end: files through the real loader into a fresh, synthetic-marked warehouse."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from etl import demo_data, substances
from supplywatch import db

from .demo_csv import components, read_rows

ROOT = db.ROOT
STRIPS = ["fentanyl_strip", "benzo_strip", "xylazine_strip", "nitazene_strip", "medetomidine_strip"]


def run_demo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", "demo", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A 2,000-sample demo built once through the CLI; (warehouse path, output folder, process)."""
    tmp = tmp_path_factory.mktemp("demo_load")
    wh = tmp / "warehouse.duckdb"
    proc = run_demo("--samples", "2000", "--db", str(wh), "--out", str(tmp / "out"))
    return wh, tmp / "out", proc


def counts(wh) -> dict[str, int]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("samples", "detections", "overdose_events", "alerts", "rejects")}
    finally:
        con.close()


def test_demo_loads_every_row(built):
    wh, out, proc = built
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    found = counts(wh)
    assert found["samples"] == 2000
    assert found["overdose_events"] == 730 * 5 * 2
    assert found["alerts"] == 6
    assert found["rejects"] == 0


def test_detections_match_the_files(built):
    """One detection per named component (FTIR and lab) and per positive strip, counted from the CSV."""
    wh, out, _ = built
    rows = read_rows(out / "samples.csv")
    expected = sum(len(components(r["ftir_components"])) + len(components(r["lab_components"]))
                   + sum(r[s] == "positive" for s in STRIPS) for r in rows)
    assert counts(wh)["detections"] == expected


def test_warehouse_is_marked_synthetic_everywhere(built):
    wh, _, _ = built
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert db.get_meta(con, "synthetic") == "true"
        assert db.get_meta(con, "synthetic_seed") == "42"
        assert con.execute("SELECT DISTINCT source FROM samples").fetchall() == [(demo_data.SOURCE,)]
        assert con.execute("SELECT DISTINCT source FROM overdose_events").fetchall() == [(demo_data.SOURCE,)]
        assert con.execute("SELECT DISTINCT source FROM alerts").fetchall() == [(demo_data.ALERT_SOURCE,)]
    finally:
        con.close()


def test_only_the_deliberate_unknown_names_are_unknown(built):
    wh, _, _ = built
    con = duckdb.connect(str(wh), read_only=True)
    try:
        unknown = {name for name, _ in substances.unknown_names(con)}
    finally:
        con.close()
    assert unknown <= set(demo_data.UNKNOWN_NAMES)


@pytest.mark.parametrize("name", sorted({n for pair in demo_data.COMPONENTS for n in pair if n}
                                        | {e[0] for e in demo_data.EXPECTED}))
def test_every_name_written_is_in_the_dictionary(name):
    match = substances.normalise(name)
    if name in demo_data.UNKNOWN_NAMES:
        assert not match.known
    else:
        assert match.known and not match.is_placeholder, name


def test_rebuild_gives_the_same_data(built, tmp_path):
    wh, _, _ = built
    again = tmp_path / "again.duckdb"
    proc = run_demo("--samples", "2000", "--db", str(again), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert counts(again) == counts(wh)
    # running it again over the same file replaces the demo rather than adding to it
    proc = run_demo("--samples", "500", "--seed", "9", "--db", str(again), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert counts(again)["samples"] == 500
    assert not list(tmp_path.glob(".again.demo-*"))  # no build files left behind


def test_refuses_to_overwrite_real_data(tmp_path):
    wh = tmp_path / "real.duckdb"
    files = demo_data.generate(tmp_path / "files", samples=50, seed=1)
    load = subprocess.run([sys.executable, "-m", "etl", "load", str(files.alerts), "--db", str(wh), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert load.returncode == 0, load.stderr
    before = wh.read_bytes()
    proc = run_demo("--samples", "50", "--db", str(wh), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"demo: {wh} holds real (non-synthetic) data; give the demo its own file "
                                   "with --db")
    assert wh.read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["--end-date", "31/10/2026"], "argument --end-date: not a date in YYYY-MM-DD form: '31/10/2026'"),
    (["--samples", "many"], "argument --samples: not a whole number: 'many'"),
    (["--samples", "0"], "argument --samples: must be at least 1, not 0"),
])
def test_bad_options_are_usage_errors(args, message):
    proc = run_demo(*args, "--no-load")
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_describes_the_options():
    proc = run_demo("--help")
    assert proc.returncode == 0
    for option in ("--seed", "--samples", "--out", "--end-date", "--db"):
        assert option in proc.stdout
    assert demo_data.DEFAULT_END.isoformat() in proc.stdout


@pytest.mark.parametrize("name, substance, cls", [
    ("N-Pyrrolidino etonitazene", "n-pyrrolidino etonitazene", "nitazene"),
    ("Carfentanil", "carfentanil", "fentanyl"),
    ("Medetomidine", "medetomidine", "alpha2_sedative"),
    ("Xylazine HCl", "xylazine", "alpha2_sedative"),
    ("Bromazolam", "bromazolam", "benzodiazepine"),
    ("Fentanyl HCl", "fentanyl", "fentanyl"),
])
def test_story_names_land_in_the_classes_the_signals_watch(name, substance, cls):
    match = substances.normalise(name)
    assert (match.substance, match.cls) == (substance, cls)


def test_story_detections_survive_the_load(built):
    """Strip and lab results of the story substances arrive as detections in the right region and window."""
    wh, _, _ = built
    con = duckdb.connect(str(wh), read_only=True)
    try:
        rows = con.execute("""
            SELECT d.class, d.substance, s.region, min(s.collected_date), max(s.collected_date)
            FROM detections d JOIN samples s USING (sample_id)
            WHERE d.class = 'nitazene' OR d.substance IN ('carfentanil', 'medetomidine')
            GROUP BY ALL""").fetchall()
    finally:
        con.close()
    end = demo_data.DEFAULT_END
    for cls, substance, region, first, _ in rows:
        if cls == "nitazene":
            assert region == "North Coast" and (end - first).days < demo_data.NITAZENE_DAYS
        elif substance == "carfentanil":
            assert region == "Valley" and (end - first).days < demo_data.CARFENTANIL_DAYS
        else:
            assert (end - first).days < demo_data.MEDETOMIDINE_DAYS
    assert {r[1] for r in rows} >= {"carfentanil", "medetomidine"}
