"""The loader reports its phases to the display the command line hands it; it draws nothing itself."""

from __future__ import annotations

import contextlib

import pytest

from etl import progress
from etl.load import load_paths

PHASES = ["checking the file", "updating the substance dictionary", "reading rows", "looking for person-level data",
          "checking values", "writing"]


def test_each_file_gets_its_own_display_with_every_phase_in_order(data_dir, tmp_path):
    seen: list[tuple[str, str]] = []

    @contextlib.contextmanager
    def display(name):
        seen.append((name, "opened"))
        yield lambda text: seen.append((name, text))
        seen.append((name, "closed"))

    results = load_paths([data_dir / "samples_jan.csv", data_dir / "alerts.csv"], db=tmp_path / "w.duckdb",
                         progress=display)
    assert [r.status for r in results] == ["loaded", "loaded"]
    assert seen == [(name, step) for name in ("samples_jan.csv", "alerts.csv")
                    for step in ["opened", *PHASES, "closed"]]


@pytest.mark.parametrize("off", [None, False])
def test_no_display_when_none_is_given(data_dir, tmp_path, off):
    [result] = load_paths([data_dir / "samples_jan.csv"], db=tmp_path / "w.duckdb", progress=off)
    assert result.status == "loaded"


def test_the_command_line_display_stays_silent_off_a_terminal(capsys):
    with progress.display("big.csv") as phase:   # pytest's stdout is not a terminal
        phase("reading rows")
    assert capsys.readouterr() == ("", "")
