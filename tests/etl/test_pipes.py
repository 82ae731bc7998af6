"""`python -m etl runs | head` stops quietly when the reader closes the pipe (before: 'error: [Errno 32] Broken pipe')."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("args", [["runs"], ["substances", "--unknown"], ["rejects", "1"]])
def test_a_closed_pipe_ends_the_command_without_an_error(cli, data_dir, args):
    assert cli("load", data_dir / "samples_bom_crlf.csv", "--no-signals")[0] == 0
    # the reader has gone before the command writes anything, as `| head -1` is once it has its line
    proc = subprocess.Popen([sys.executable, "-m", "etl", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""
