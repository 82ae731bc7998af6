"""`python -m supplywatch users ...` and `publish`: each command, its output, its refusals."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

from supplywatch import auth, cli

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("app_backend")  # the users command on the app file and in PostgreSQL alike


def run(argv, capsys, stdin=""):
    sys.stdin = io.StringIO(stdin)
    try:
        code = cli.main(argv)
    finally:
        sys.stdin = sys.__stdin__
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cli_db(isolated_db, cheap_hashes):
    return isolated_db


def test_add_with_password_from_stdin_then_sign_in(cli_db, capsys):
    code, out, _ = run(["users", "add", "Rae", "--role", "reviewer", "--password-stdin"], capsys, "a long password 1\n")
    assert (code, out) == (0, "added rae (reviewer)\n")
    assert auth.authenticate("rae", "a long password 1", dt.datetime.now(dt.timezone.utc)).role == "reviewer"
    assert auth.account_audit("rae")[-1]["actor"].startswith("cli")


def test_add_without_terminal_generates_and_prints_password_once(cli_db, capsys):
    code, out, _ = run(["users", "add", "pat", "--role", "poster"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "added pat (poster)"
    assert lines[1].startswith("password for pat (shown once, pass it on safely): ")
    password = lines[1].rsplit(": ", 1)[1]
    assert len(password) >= 16
    assert auth.authenticate("pat", password, dt.datetime.now(dt.timezone.utc)).username == "pat"


def test_list_disable_enable_role_reset(cli_db, capsys):
    assert run(["users", "list"], capsys)[1].startswith("no staff accounts yet")
    run(["users", "add", "pat", "--role", "poster", "--password-stdin"], capsys, "a long password 1\n")
    run(["users", "add", "ada", "--role", "admin", "--password-stdin"], capsys, "a long password 2\n")
    assert run(["users", "disable", "pat"], capsys)[1] == "disabled pat\n"
    assert run(["users", "list"], capsys)[1] == "ada  admin     active\npat  poster    disabled\n"
    assert run(["users", "enable", "pat"], capsys)[1] == "enabled pat\n"
    assert run(["users", "role", "pat", "reviewer"], capsys)[1] == "pat is now reviewer\n"
    code, out, _ = run(["users", "reset", "pat", "--password-stdin"], capsys, "another password\n")
    assert (code, out) == (0, "new password set for pat; any lockout cleared\n")
    actions = [r["action"] for r in reversed(auth.account_audit("pat"))]
    assert actions == ["user_added", "user_disabled", "user_enabled", "role_changed", "password_reset"]


@pytest.mark.parametrize("argv, stdin, err", [
    (["users", "disable", "nobody"], "", "error: no such user 'nobody'\n"),
    (["users", "add", "pat", "--role", "poster", "--password-stdin"], "short\n", "error: password too short: at least 10 characters\n"),
    (["users", "add", "bad name", "--role", "poster", "--password-stdin"], "a long password 1\n",
     "error: invalid username 'bad name': use 2-32 characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit\n"),
])
def test_errors_are_one_line_exit_1(cli_db, capsys, argv, stdin, err):
    code, out, stderr = run(argv, capsys, stdin)
    assert (code, stderr) == (1, err)


def test_bad_role_is_refused_by_argparse(cli_db, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["users", "role", "pat", "boss"])
    assert exc.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err


def test_publish_expires_due_alerts_and_writes_files(cli_db, capsys, monkeypatch):
    import supplywatch.channels as channels

    calls = []
    monkeypatch.setattr(channels, "publish_all", lambda *a, **k: calls.append(a) or {"written": [1, 2], "unchanged": []})
    code, out, _ = run(["publish"], capsys)
    assert (code, out) == (0, "ok: 2 public files written\n")
    assert len(calls) == 1


def test_publish_rebuild_rewrites_every_versions_files(cli_db, capsys, monkeypatch):
    """Old alerts' SMS texts and posters keep the link they were made with until staff ask for a rebuild."""
    import supplywatch.channels as channels

    calls = []
    monkeypatch.setattr(channels, "publish_all", lambda *a, **k: calls.append(k) or {"written": [], "unchanged": []})
    assert run(["publish"], capsys)[0] == 0
    assert run(["publish", "--rebuild"], capsys)[0] == 0
    assert [k["rebuild"] for k in calls] == [False, True]


def test_publish_reports_channel_failure_with_exit_1(cli_db, capsys, monkeypatch):
    import supplywatch.channels as channels

    def broken(*a, **k):
        raise RuntimeError("no font")

    monkeypatch.setattr(channels, "publish_all", broken)
    assert run(["publish"], capsys)[:2] == (1, "error: public files not updated: RuntimeError: no font\n")


@pytest.mark.parametrize("argv, expected", [
    ([], "users"), (["users"], "add"), (["users", "add"], "--password-stdin"), (["publish"], "--now"),
])
def test_help_as_a_subprocess(cli_db, argv, expected):
    proc = subprocess.run([sys.executable, "-m", "supplywatch", *argv, "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    assert expected in proc.stdout and proc.stdout.startswith("usage: python -m supplywatch")


def test_users_add_as_a_subprocess(cli_db):
    proc = subprocess.run([sys.executable, "-m", "supplywatch", "users", "add", "ada", "--role", "admin",
                           "--password-stdin"], cwd=ROOT, input="a long secret password\n", capture_output=True,
                          text=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "added ada (admin)\n", "")
    assert auth.get_user("ada").role == "admin"
