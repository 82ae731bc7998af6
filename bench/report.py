"""Shared bench plumbing: measure a child process (time, peak RSS) and rewrite one section of docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


@dataclass
class Measured:
    """One child process: wall seconds, its own peak resident memory, exit status and output."""

    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> Measured:
    """Run ``cmd`` and measure it alone: ``os.wait4`` gives this child's own ru_maxrss (KiB on Linux).
    ``env`` adds to (or overrides) this process's environment for the child only."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, text=True,
                                env={**os.environ, **env} if env else None)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(seconds, usage.ru_maxrss / 1024, proc.returncode, out.read(), err.read())


def machine() -> str:
    """One line naming the machine and versions, for a section's header."""
    import duckdb

    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kib / 1024 / 1024:.0f} GiB RAM, Linux {platform.release()}, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}")


HEADER = """# Benchmarks

Speed and memory figures measured by the scripts in `bench/` (`python -m bench` runs them all; `python -m bench
NAME --help` for one). They are measurements on a stated machine, not test assertions: re-run them on yours.
Each section is rewritten by its own script; add yours as a new `## ` section.

Machine of the first recorded run (`nproc`, `free -h`, /proc/cpuinfo, versions):
{machine}.
It is shared by several engineers' processes, so expect noise between runs; each section restates its machine.
"""


def update_section(title: str, body: str, doc: Path = DOC) -> None:
    """Replace the ``## title`` section of the benchmarks document (or append it), creating the file if needed."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else HEADER.format(machine=machine())
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def section_table_rows(title: str, doc: Path = DOC) -> list[str]:
    """The markdown table rows (not header or rule) already in a section, to keep earlier runs."""
    if not doc.exists():
        return []
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", doc.read_text(encoding="utf-8"), re.S | re.M)
    if not match:
        return []
    rows = [line for line in match.group(1).splitlines() if line.startswith("|")]
    return [r for r in rows[2:] if not set(r) <= set("|-: ")]


def record(title: str, lines: list[str], how: str, no_docs: bool, note: str = "", doc: Path = DOC) -> None:
    """Print a bench's result ``lines`` (the machine's load average appended) and, unless ``no_docs``, rewrite its
    section of the benchmarks document: ``how`` it was measured, the machine and time, one bullet per line, then
    ``note``."""
    lines = [*lines, f"1-minute load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
                     " (shared machine: upper bounds)"]
    print("\n".join(lines))
    if not no_docs:
        body = f"{how} Machine: {machine()}. Run {today()}.\n\n" + "\n".join(f"- {line}" for line in lines)
        update_section(title, body + (f"\n\n{note}" if note else ""), doc)


def count(text: str) -> int:
    """An argparse type for sample counts written with or without underscores: 200_000 or 200000."""
    return int(text.replace("_", ""))


def today() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def python() -> str:
    return sys.executable
