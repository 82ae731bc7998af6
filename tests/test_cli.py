"""The one command line, ``supplywatch COMMAND``: every command has help and documentation, the old entry points
still work, and real runs against a temporary warehouse print what they did (docs/cli.md)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import supplywatch_cli

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["load", "runs", "rejects", "substances", "export", "maintain", "migrate-warehouse", "demo", "signals", "users", "publish", "deliver",
            "subscribers", "webhooks", "help-directory", "migrate-app"]


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command and subcommand under ``parser`` (('users',), ('users', 'add'), ...) with its parser."""
    out = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out[prefix + (name,)] = sub
                out.update(command_paths(sub, prefix + (name,)))
    return out


PATHS = sorted(command_paths(supplywatch_cli.build_parser(with_demo=True)))


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        status = supplywatch_cli.main(list(args))
    except SystemExit as exc:  # --help and usage errors
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def test_the_commands_are_the_three_old_entry_points_together():
    assert [p[0] for p in PATHS if len(p) == 1] == sorted(COMMANDS)


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_command_has_help_with_a_description(capsys, path):
    status, out, _ = run_cli(capsys, *path, "--help")
    assert status == 0
    assert out.startswith(f"usage: supplywatch {' '.join(path)}")
    description = out.split("\n\n")[1]  # usage, blank line, the description
    assert not description.startswith(("positional arguments", "options")), f"no description:\n{out}"
    assert len(description.split()) >= 3


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_every_command_is_documented(path):
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"### `supplywatch {' '.join(path)}" in docs, f"docs/cli.md has no section for supplywatch {' '.join(path)}"


def test_usage_error_names_the_command(capsys):
    status, _, err = run_cli(capsys, "frobnicate")
    assert status == 2
    assert err.startswith("usage: supplywatch")
    assert "invalid choice: 'frobnicate'" in err


def test_console_script_is_this_main():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"supplywatch": "supplywatch_cli:main"}


def test_parsing_imports_no_demo_code():
    code = ("import sys, supplywatch_cli; supplywatch_cli.build_parser();"
            " print('etl.demo' in sys.modules, 'etl.demo_data' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "False False"


def test_signals_options_need_no_pandas():
    """The signals command's parser comes without the rules (pandas, through supplywatch.metrics): about a second."""
    code = ("import argparse, sys; from supplywatch.signals import cli;"
            " cli.add_arguments(argparse.ArgumentParser()); print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "False"


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory):
    """``supplywatch demo`` run for real (subprocess) into a temporary warehouse: 200 samples, seed 7."""
    tmp = tmp_path_factory.mktemp("cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPLYWATCH_")}
    env["SUPPLYWATCH_PUBLIC_DIR"] = str(tmp / "public")
    db = tmp / "w.duckdb"
    done = _run("-m", "supplywatch_cli", "demo", "--db", str(db), "--out", str(tmp / "demo"), "--samples", "200",
                "--seed", "7", "--end-date", "2026-01-31", env=env)
    return db, env, done


def test_demo_then_runs(demo_warehouse):
    db, env, demo = demo_warehouse
    assert demo.returncode == 0, demo.stderr
    assert demo.stdout.splitlines()[1:] == [
        "samples.csv: loaded 200 of 200 rows (0 duplicates skipped, 0 rejected) as samples with profile"
        " canonical_samples",
        "overdoses.csv: loaded 7300 of 7300 rows (0 duplicates skipped, 0 rejected) as overdoses with profile"
        " canonical_overdoses",
        "alerts.csv: loaded 6 of 6 rows (0 duplicates skipped, 0 rejected) as alerts with profile canonical_alerts",
        f"loaded the synthetic demo into {db}",
    ]
    runs = _run("-m", "supplywatch_cli", "runs", "--db", str(db), env=env)
    assert runs.returncode == 0, runs.stderr
    lines = runs.stdout.splitlines()
    assert lines[0] == ("run  started (UTC)        status  profile              read  loaded  dupes  conflicts"
                        "  rejected  skipped  file")
    rows = [line.split() for line in lines[1:]]  # the start time (fields 1, 2) is the clock's
    assert [r[:1] + r[3:] for r in rows] == [
        ["3", "loaded", "canonical_alerts", "6", "6", "0", "0", "0", "0", "alerts.csv"],
        ["2", "loaded", "canonical_overdoses", "7300", "7300", "0", "0", "0", "0", "overdoses.csv"],
        ["1", "loaded", "canonical_samples", "200", "200", "0", "0", "0", "0", "samples.csv"],
    ]
    # the old entry point prints the same table
    assert _run("-m", "etl", "runs", "--db", str(db), env=env).stdout == runs.stdout


def test_signals_dry_run_old_and_new_entry_points_agree(demo_warehouse):
    db, env, _ = demo_warehouse
    args = ("signals", "--db", str(db), "--dry-run", "--at", "2026-01-31T12:00")
    new = _run("-m", "supplywatch_cli", *args, env=env)
    assert new.returncode == 0, new.stderr
    assert new.stdout.splitlines() == [
        "Checked as of 2026-01-31T12:00+00:00 (--at).",
        "4 found suggestion(s)",
        "  [warning] More emergency visits for drug poisoning than usual in Valley"
        "  (overdose_spike|Valley|ed_visits|day|2026-01-25)",
        "  [warning] More paramedic calls for drug poisoning than usual in Valley"
        "  (overdose_spike|Valley|ems|day|2026-01-25)",
        "  [caution] Bromazolam found for the first time in Capital  (first_detection|Capital|bromazolam|2026-01-22)",
        "  [caution] Medetomidine found for the first time in Metro  (first_detection|Metro|medetomidine|2026-01-17)",
    ]
    old = _run("-m", "supplywatch.signals", *args[1:], env=env)
    assert (old.returncode, old.stdout) == (0, new.stdout)


def test_signals_error_names_the_command_typed(demo_warehouse):
    db, env, _ = demo_warehouse
    done = _run("-m", "supplywatch_cli", "signals", "--db", str(db), "--at", "yesterday", env=env)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "supplywatch signals: --at 'yesterday' is not an ISO date and time\n"


def test_staff_commands_run_through_the_one_cli(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPLYWATCH_")}
    env.update(SUPPLYWATCH_DB=str(tmp_path / "w.duckdb"), SUPPLYWATCH_APP_DB=str(tmp_path / "app.duckdb"),
               SUPPLYWATCH_PUBLIC_DIR=str(tmp_path / "public"))
    done = _run("-m", "supplywatch_cli", "users", "list", env=env)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "no staff accounts yet: add one with `python -m supplywatch users add NAME --role admin`\n", "")
    done = _run("-m", "supplywatch_cli", "users", "role", "nobody", "admin", env=env)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "error: no such user 'nobody'\n")


def test_installed_script_runs():
    """After ``make`` (pip install -e .) the venv holds the ``supplywatch`` command."""
    script = Path(sys.executable).parent / "supplywatch"
    if not script.exists():
        pytest.skip("the project is not installed in this venv (make installs it)")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, cwd="/", timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: supplywatch [-h] COMMAND ...")
