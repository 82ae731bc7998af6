"""The command line: help on every command, exit statuses, runs, rejects, substances, export."""

import csv
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from supplywatch import db as sw_db

COMMANDS = ["load", "runs", "rejects", "substances", "export", "demo"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli, command):
    status, out, _ = cli(command, "--help")
    assert status == 0
    assert out.startswith(f"usage: python -m etl {command}")


def test_top_level_help_lists_commands(cli):
    status, out, _ = cli("--help")
    assert status == 0
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["load"], ["rejects", "x"], ["export", "notes"],
                                  ["export", "samples", "--format", "xlsx"], ["substances"]])
def test_usage_errors_exit_2(cli, args):
    status, _, err = cli(*args)
    assert status == 2
    assert err.startswith("usage: python -m etl")


def test_load_imports_no_demo_code():
    code = ("import sys; from etl.cli import build_parser; build_parser(); "
            "print('etl.demo' in sys.modules, 'etl.demo_data' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_runs_and_rejects(cli, data_dir):
    cli("load", data_dir / "ragged.csv", "--max-reject-rate", "0.5")
    status, out, _ = cli("runs")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["run", "started", "(UTC)", "status", "profile", "read", "loaded", "dupes",
                                "conflicts", "rejected", "skipped", "file"]
    assert lines[1].split()[0] == "1" and lines[1].split()[3:] == ["loaded", "canonical_samples", "4", "2", "0",
                                                                    "0", "2", "0", "ragged.csv"]
    status, out, _ = cli("rejects", "1")
    assert status == 0
    assert out.splitlines() == [
        "run 1 (ragged.csv, loaded): 2 rows rejected",
        "  line 3: too many columns: expected 3, found 4  | 2024-01-02,B,negative,extra",
        "  line 4, column fentanyl_strip: too few columns: expected 3, found 2  | 2024-01-03,C",
    ]
    status, _, err = cli("rejects", "99")
    assert (status, err.strip()) == (1, "error: no load run 99 (see python -m etl runs)")


def test_runs_on_an_empty_warehouse(cli):
    assert cli("runs")[:2] == (0, "no loads yet\n")


def test_substances_unknown_lists_names_with_counts(cli, data_dir):
    cli("load", data_dir / "samples_bom_crlf.csv")
    status, out, _ = cli("substances", "--unknown")
    assert status == 0
    assert out.splitlines() == ["1 substance names not in the dictionary (kept as written, class 'unclassified'):",
                                "        1  Mystery Powder X"]


def test_export_csv_guards_formulas_and_never_exports_notes(cli, data_dir, tmp_path):
    cli("load", data_dir / "samples_bom_crlf.csv")
    cli("load", data_dir / "alerts.csv")
    out_file = tmp_path / "samples.csv"
    status, out, _ = cli("export", "samples", "--format", "csv", "--output", out_file)
    assert (status, out.strip()) == (0, f"wrote 4 rows of samples to {out_file}")
    rows = list(csv.DictReader(out_file.open()))
    assert "notes" not in rows[0] and len(rows) == 4
    assert "brought by a peer" not in out_file.read_text()
    alerts = tmp_path / "alerts.csv"
    cli("export", "alerts", "--output", alerts)
    titles = [r["title"] for r in csv.DictReader(alerts.open())]
    assert titles == ["Carfentanil found in down", "'=HYPERLINK(\"x\")"]


def test_export_parquet(cli, data_dir, tmp_path):
    cli("load", data_dir / "toronto_small.csv")
    target = tmp_path / "events.parquet"
    assert cli("export", "overdose_events", "--format", "parquet", "--output", target)[0] == 0
    got = duckdb.sql(f"SELECT site, value FROM '{target}' ORDER BY period_start").fetchall()
    assert got == [("Harbour House", 7.0), ("Harbour House", None), ("Harbour House", None), ("Maple Respite", 0.0)]


def test_unexpected_errors_are_one_line(cli, isolated_db, data_dir):
    isolated_db.write_bytes(b"this is not a duckdb file" * 100)
    status, out, err = cli("load", data_dir / "samples_jan.csv")
    assert status == 1
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_another_load_running(cli, data_dir, isolated_db):
    with sw_db.writer_lock(isolated_db):
        status, _, err = cli("load", data_dir / "samples_jan.csv")
    import os
    assert (status, err.strip()) == (1, f"error: another load is running (pid {os.getpid()})")


def test_rejects_output_neutralises_terminal_escapes(cli, tmp_path):
    path = tmp_path / "esc.csv"
    path.write_text("date,site,fentanyl_strip\n2024-01-01,A,positive\n2024-01-02,\x1b[2J\x1b]0;pwned\x07,bogus\n")
    cli("load", path, "--max-reject-rate", "1")
    status, out, _ = cli("rejects", "1")
    assert "\x1b" not in out and "\x07" not in out
    assert "line 3, column fentanyl_strip: 'bogus' is not a strip result" in out
    assert "\\x1b[2J\\x1b]0;pwned\\x07" in out


def test_no_progress_codes_when_stdout_is_not_a_terminal(data_dir, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "etl", "load", str(data_dir / "samples_jan.csv"), "--db",
                           str(tmp_path / "w.duckdb")], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 0
    assert "\x1b" not in proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0].startswith("samples_jan.csv: loaded 4 of 4 rows")


def test_several_files_each_get_a_summary_and_any_refusal_exits_1(cli, data_dir):
    status, out, err = cli("load", data_dir / "samples_jan.csv", data_dir / "empty.csv", data_dir / "alerts.csv")
    assert status == 1
    assert out.splitlines()[0].startswith("samples_jan.csv: loaded 4 of 4 rows")
    assert "alerts.csv: loaded 2 of 2 rows" in out
    assert err.strip() == "empty.csv: the file is empty"


def _recent_samples(path: Path, components: str) -> Path:
    """A canonical samples file dated a few days ago, so the signals' recent window sees it."""
    import datetime as dt

    day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    path.write_text(
        "sample_id,date,site,region,expected,ftir_components\n"
        f"S1,{day},Van,North,Fentanyl,{components}\n"
        f"S2,{day},Van,North,Fentanyl,Fentanyl HCl\n",
        encoding="utf-8",
    )
    return path


def test_load_runs_signals_and_reports_suggestions(cli, tmp_path):
    from supplywatch import signals

    status, out, _ = cli("load", _recent_samples(tmp_path / "carf.csv", "Carfentanil;Fentanyl HCl"), "--quiet")
    assert status == 0
    assert "signals: 1 new suggested alert(s) for staff review" in out
    [stored] = signals.stored_suggestions("new")
    assert (stored.suggestion.rule, stored.suggestion.regions) == ("first_detection", ("North",))
    assert "carfentanil" in stored.suggestion.substances


def test_load_of_month_old_results_runs_signals_as_of_their_newest_day(cli, tmp_path):
    import datetime as dt

    from supplywatch import i18n, signals

    csv = _recent_samples(tmp_path / "old.csv", "Carfentanil;Fentanyl HCl")
    day = dt.date.today() - dt.timedelta(days=40)  # outside the 28-day recent window of today
    csv.write_text(csv.read_text(encoding="utf-8").replace((day + dt.timedelta(days=37)).isoformat(), day.isoformat()),
                   encoding="utf-8")
    status, out, _ = cli("load", csv, "--quiet")
    assert status == 0
    assert out.splitlines()[-2:] == [
        "signals: 1 new suggested alert(s) for staff review",
        f"signals: Checked as of {i18n.format_date(day, 'en', 'long')}, the day of the newest data: the samples and "
        "overdose counts end there, so the signals look back from that day.",
    ]
    [stored] = signals.stored_suggestions("new")
    assert stored.suggestion.key == f"first_detection|North|carfentanil|{day.isoformat()}"


def test_load_with_no_signals_leaves_suggestions_alone(cli, tmp_path):
    from supplywatch import signals

    status, out, _ = cli("load", _recent_samples(tmp_path / "carf.csv", "Carfentanil"), "--quiet", "--no-signals")
    assert status == 0
    assert "signals:" not in out
    assert signals.stored_suggestions("new") == []
