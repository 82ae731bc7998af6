"""A running Supply Watch for browser tests and benches: fixture warehouse, two staff accounts, streamlit server.

Plain functions (no pytest) so the test fixtures, the screenshot script and bench/browser_load.py share them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
# The two staff accounts every browser test may use (made through the real CLI).
POSTER = ("ana", "poster", "ana-poster-pass-2026")
REVIEWER = ("bo", "reviewer", "bo-reviewer-pass-2026")


@dataclass
class Stack:
    """Where the fixture app lives and the process serving it."""

    folder: Path
    env: dict
    port: int = 0
    proc: subprocess.Popen | None = None
    log: Path = field(default=None)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def warehouse(self) -> Path:
        return Path(self.env["SUPPLYWATCH_DB"])

    @property
    def public(self) -> Path:
        return Path(self.env["SUPPLYWATCH_PUBLIC_DIR"])

    def server_output(self) -> str:
        """The server's stdout+stderr so far (shown when something fails)."""
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _run(args: list[str], env: dict, stdin: str | None = None) -> str:
    """Run one project command; a failure raises with its output (never silently ignored)."""
    done = subprocess.run([PYTHON, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build(folder: Path, samples: int = 3000, seed: int = 42) -> Stack:
    """A synthetic warehouse (python -m etl demo) and an app file with the two staff users (python -m supplywatch)."""
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        SUPPLYWATCH_DB=str(folder / "warehouse.duckdb"),
        SUPPLYWATCH_APP_DB=str(folder / "app.duckdb"),
        SUPPLYWATCH_PUBLIC_DIR=str(folder / "public"),
        PYTHONUNBUFFERED="1",
    )
    for key in ("SUPPLYWATCH_ADMIN_USER", "SUPPLYWATCH_ADMIN_PASSWORD", "SUPPLYWATCH_SUPPRESS_K"):
        env.pop(key, None)
    _run(["-m", "etl", "demo", "--samples", str(samples), "--seed", str(seed),
          "--db", env["SUPPLYWATCH_DB"], "--out", str(folder / "demo")], env)
    for name, role, password in (POSTER, REVIEWER):
        _run(["-m", "supplywatch", "users", "add", name, "--role", role, "--password-stdin"], env, password + "\n")
    return Stack(folder=folder, env=env)


def start(stack: Stack, timeout: float = 90.0, port: int = 0, script: str = "app.py") -> Stack:
    """Start the app as `make run` does (`streamlit run app.py`: dashboard + /public/ files) on ``port`` (default: a
    free one); ``script``: another Streamlit file served the same way (the reader bench's bare baseline pages).

    Waits for /_stcore/health; raises with the server's output if it dies. Like `make run`, the public base URL
    (in feeds and CAP) defaults to the address it serves on.
    """
    stack.port = port or free_port()
    stack.log = stack.folder / f"streamlit-{stack.port}.log"
    stack.env.setdefault("SUPPLYWATCH_BASE_URL", stack.url)
    out = open(stack.log, "w")
    stack.proc = subprocess.Popen(
        [PYTHON, "-m", "streamlit", "run", script, "--server.port", str(stack.port),
         "--server.headless", "true", "--server.address", "localhost", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=stack.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {stack.proc.returncode} before answering:\n{stack.server_output()}")
        try:
            with urllib.request.urlopen(f"{stack.url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return stack
        except OSError:
            pass
        time.sleep(0.3)
    stop(stack)
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f}s:\n{stack.server_output()}")


def stop(stack: Stack) -> None:
    """Stop the server this stack started (its own process group only)."""
    proc = stack.proc
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def launch_browser(playwright):
    """Debian chromium through playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


_PLAYWRIGHT = None


def playwright():
    """The process's one Playwright driver. Its sync API refuses to start a second one while another runs (the
    browser tests' session browser and the attack suite's share a pytest run), so every user takes this one."""
    global _PLAYWRIGHT
    if _PLAYWRIGHT is None:
        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT = sync_playwright().start()
    return _PLAYWRIGHT


def stop_playwright() -> None:
    """Stop the shared driver (end of a test session); a later :func:`playwright` starts a new one."""
    global _PLAYWRIGHT
    if _PLAYWRIGHT is not None:
        _PLAYWRIGHT.stop()
        _PLAYWRIGHT = None


@contextlib.contextmanager
def chromium():
    """A running Debian chromium for as long as the block lasts (then closed)."""
    b = launch_browser(playwright())
    try:
        yield b
    finally:
        b.close()
