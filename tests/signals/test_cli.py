"""`python -m supplywatch.signals`: run after a load or from cron; stores each signal once."""

import subprocess
import sys

from supplywatch import db, signals

from .conftest import Warehouse


def build_warehouse(path):
    """A warehouse file with one carfentanil first detection (2026-11-22) in Harbour."""
    wh = Warehouse()
    wh.sample(5, found=("carfentanil",), sample_id="DC-7")
    with db.writing_snapshot(path) as con:
        for table in ("substances", "samples", "detections"):
            rows = wh.con.execute(f"SELECT * FROM {table}").fetchall()
            marks = ", ".join("?" for _ in rows[0])
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def test_stores_new_suggestions_once(isolated_db, capsys):
    build_warehouse(isolated_db)
    assert signals.main(["--at", "2026-11-27T09:00"]) == 0
    assert capsys.readouterr().out == (
        "Checked as of 2026-11-27T09:00+00:00 (--at).\n"
        "1 new suggestion(s)\n"
        "  [caution] Carfentanil found for the first time in Harbour  (first_detection|Harbour|carfentanil|2026-11-22)\n"
    )
    assert signals.main(["--at", "2026-11-27T09:00"]) == 0
    assert capsys.readouterr().out == "Checked as of 2026-11-27T09:00+00:00 (--at).\n0 new suggestion(s)\n"
    assert len(signals.stored_suggestions("new")) == 1


def test_dry_run_stores_nothing(isolated_db, capsys):
    build_warehouse(isolated_db)
    assert signals.main(["--at", "2026-11-27T09:00", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("Checked as of 2026-11-27T09:00+00:00 (--at).\n1 found suggestion(s)\n")
    assert signals.stored_suggestions() == []


def test_bad_time_is_one_line(capsys):
    assert signals.main(["--at", "yesterday"]) == 2
    assert capsys.readouterr().err == "python -m supplywatch.signals: --at 'yesterday' is not an ISO date and time\n"


def test_help_runs_as_a_module():
    out = subprocess.run([sys.executable, "-m", "supplywatch.signals", "--help"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and "nothing is published" in out.stdout
