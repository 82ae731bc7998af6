"""bench/: the registry finds benchmarks, sections of docs/benchmarks.md are replaced without touching others."""

from __future__ import annotations

import subprocess
import sys

import bench
from bench import etl_load, report


def test_registry_finds_the_etl_benchmark():
    found = bench.registry()
    assert found["etl"] is etl_load


def test_update_section_creates_the_document_with_the_machine(tmp_path):
    doc = tmp_path / "benchmarks.md"
    report.update_section("ETL load", "| a |\n|---|\n| 1 |", doc)
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n")
    assert "cores" in text and "DuckDB 1.4.4" in text
    assert text.endswith("## ETL load\n\n| a |\n|---|\n| 1 |\n")


def test_update_section_replaces_only_its_own_section(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nintro\n\n## ETL load\n\nold figures\n\n## Dashboard\n\nkeep me\n")
    report.update_section("ETL load", "new figures", doc)
    assert doc.read_text() == "# Benchmarks\n\nintro\n\n## ETL load\n\nnew figures\n\n## Dashboard\n\nkeep me\n"
    report.update_section("Alerts", "appended", doc)
    assert doc.read_text().endswith("## Dashboard\n\nkeep me\n\n## Alerts\n\nappended\n")


def test_section_table_rows_keeps_earlier_runs(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# B\n\n## ETL load\n\ntext\n\n| samples | load |\n|---|---|\n| 100,000 | 3 s |\n"
                   "| 1,000,000 | 30 s |\n\n## Other\n\n| x |\n|---|\n| y |\n")
    assert report.section_table_rows("ETL load", doc) == ["| 100,000 | 3 s |", "| 1,000,000 | 30 s |"]
    assert report.section_table_rows("Missing", doc) == []


def test_run_measured_reports_the_childs_own_memory():
    # Linux counts the parent's resident memory at fork in a child's ru_maxrss, so measure from a
    # small parent, as `python -m bench` is, not from inside this (large) pytest process.
    code = (
        "import sys; from bench import report\n"
        "big = report.run_measured([sys.executable, '-c', \"x = bytearray(200 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])\"])\n"
        "small = report.run_measured([sys.executable, '-c', 'pass'])\n"
        "print(big.returncode, small.returncode, big.peak_mb > 200 > small.peak_mb)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=report.ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0", "True"]


def test_run_measured_keeps_exit_status_and_output():
    result = report.run_measured([sys.executable, "-c", "import sys; print('out'); sys.exit(3)"])
    assert (result.returncode, result.stdout) == (3, "out\n")


def test_record_prints_the_lines_and_writes_how_machine_lines_and_note(tmp_path, monkeypatch, capsys):
    """The publish, delivery and alerts benches share this: one bullet per line, the load average last."""
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nintro\n")
    monkeypatch.setattr(report.os, "getloadavg", lambda: (3.25, 0.0, 0.0))
    monkeypatch.setattr(report.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(report, "machine", lambda: "2 cores (test CPU)")
    monkeypatch.setattr(report, "today", lambda: "2026-12-02 06:40 UTC")
    report.record("Publish", ["approve: 0.94 s", "queued: 10,034"], how="`python -m bench publish`: how.",
                  no_docs=False, note="Why it is slow.", doc=doc)
    load = "1-minute load average at the end: 3.2 on 2 cores (shared machine: upper bounds)"
    assert capsys.readouterr().out == f"approve: 0.94 s\nqueued: 10,034\n{load}\n"
    assert doc.read_text() == (
        "# Benchmarks\n\nintro\n\n## Publish\n\n`python -m bench publish`: how. Machine: 2 cores (test CPU). Run "
        f"2026-12-02 06:40 UTC.\n\n- approve: 0.94 s\n- queued: 10,034\n- {load}\n\nWhy it is slow.\n")


def test_record_without_docs_leaves_the_document_alone(tmp_path, capsys):
    doc = tmp_path / "benchmarks.md"
    report.record("Publish", ["approve: 0.94 s"], how="how.", no_docs=True, doc=doc)
    assert not doc.exists()
    assert capsys.readouterr().out.startswith("approve: 0.94 s\n1-minute load average at the end: ")


def _timed(total: float) -> dict:
    parts = {"shell": 0.01, "boot": 1.0, "script": 0.2, "draw": total - 1.21, "total": total}
    return {"first": parts, "median": parts, "max": total}


def test_reader_table_divides_each_page_by_the_floor_it_stands_on():
    from bench import reader_speed

    results = {"floor: empty Streamlit page": _timed(1.25), "floor: one plotly chart": _timed(2.5),
               "home": _timed(2.0), "overdoses": _timed(4.5), "static board": _timed(0.08)}
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[3] for line in
            reader_speed.table(results).splitlines()[2:]}
    assert rows == {"floor: empty Streamlit page": "-", "floor: one plotly chart": "-", "home": "1.60",
                    "overdoses": "1.80", "static board": "-"}
    del results["floor: one plotly chart"]  # --no-floors, or a floor that was not measured: no ratio
    assert reader_speed.floor_of("overdoses", results) is None and reader_speed.floor_of("home", results) == 1.25
