"""Files a killed load leaves beside the warehouse, and which of them are safe to remove.

A load writes ``.<warehouse>.<pid>.tmp`` (its private copy), DuckDB's ``.tmp.wal`` beside it, spills to
``.<warehouse>.<pid>.spill/`` (``.tmp.tmp/`` before that folder was set explicitly) and converts a non-UTF-8
input to ``.<warehouse>.<pid>.<random>.csv`` (a copy that may hold person-level columns the load later drops). ``kill -9`` or a power cut
leaves them forever: four killed loads once left 350 MB beside a 6.8 MB warehouse. The next writer, holding the
writer lock, removes those whose process is gone. A process is treated as alive (its files kept) unless the
kernel says the pid is free, the process is a zombie, or the pid now belongs to a process that started after the
file was last written (a reused pid cannot have written it). When in doubt the files stay.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIXES = ("tmp", "tmp.wal", "tmp.tmp", "spill")
CLOCK_SLACK_S = 2.0  # boot time in /proc/stat is whole seconds


def copy_path(warehouse: Path, pid: int) -> Path:
    """The private copy a load by ``pid`` writes before swapping it in."""
    return warehouse.with_name(f".{warehouse.name}.{pid}.tmp")


def spill_path(warehouse: Path, pid: int) -> Path:
    """Where DuckDB spills for a load by ``pid``: beside the warehouse, on the same disk, never in /tmp."""
    return warehouse.with_name(f".{warehouse.name}.{pid}.spill")


def scratch_prefix(warehouse: Path, pid: int) -> Path:
    """Prefix for other scratch files of ``pid`` (``<prefix><random>.csv``: a converted copy of an input file)."""
    return warehouse.with_name(f".{warehouse.name}.{pid}.")


def _pattern(warehouse: Path) -> re.Pattern:
    ends = "|".join(re.escape(s) for s in SUFFIXES)
    return re.compile(rf"\.{re.escape(warehouse.name)}\.(\d+)\.(?:{ends}|[A-Za-z0-9_]+\.csv)")


def _boot_time() -> float | None:
    try:
        with open("/proc/stat") as fh:
            for line in fh:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def _proc_stat(pid: int) -> tuple[str, float] | None:
    """(state, start time as epoch seconds) from /proc, or None where /proc does not say."""
    boot = _boot_time()
    try:
        with open(f"/proc/{pid}/stat") as fh:
            text = fh.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name may hold spaces and parentheses
    if boot is None or len(fields) < 20:
        return None
    return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def process_gone(pid: int, last_written: float) -> bool:
    """True when no live process with ``pid`` can have written a file last modified at ``last_written``."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, someone else's: look at /proc below
    except OSError:
        return False
    stat = _proc_stat(pid)
    if stat is None:
        return False
    state, started = stat
    return state == "Z" or started > last_written + CLOCK_SLACK_S


def _newest_mtime(path: Path) -> float:
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in path.rglob("*"):
            try:
                newest = max(newest, child.lstat().st_mtime)
            except FileNotFoundError:
                pass
    return newest


def _size(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(c.lstat().st_size for c in path.rglob("*") if c.is_file())
    return path.lstat().st_size


def remove_stale(warehouse: Path) -> list[Path]:
    """Remove the leftovers of loads on ``warehouse`` whose process is gone; return what was removed.

    Call it only while holding the warehouse's writer lock. Files of a live process are never touched, nor any
    name this module did not make."""
    pattern = _pattern(warehouse)
    removed: list[Path] = []
    freed = 0
    try:
        entries = list(warehouse.parent.iterdir())
    except FileNotFoundError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if not match:
            continue
        try:
            if not process_gone(int(match.group(1)), _newest_mtime(entry)):
                continue
            size = _size(entry)
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # another user's file, a read-only disk: say so, never stop the load for it
            log.warning("could not remove %s: %s", entry, exc)
            continue
        freed += size
        removed.append(entry)
    if removed:
        log.warning("removed %d file(s) left by killed loads beside %s (%.1f MB)", len(removed), warehouse,
                    freed / 1e6)
    return removed
