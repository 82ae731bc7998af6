"""The progress line the command line draws while a file loads, from the phases the loader reports.

The loader only calls a phase callback (``on_phase``); this display belongs to the commands that run loads
(``python -m etl load``, the demo build), so the loader itself never draws on a terminal.
"""

from __future__ import annotations

import sys
import threading


class Display:
    """A rich progress line for a file, shown only on a terminal and only once the load has taken a second."""

    def __init__(self, enabled: bool, name: str):
        self.enabled = enabled and sys.stdout.isatty()
        self.name = name
        self.text = "starting"
        self.progress = None
        self.task = None
        self.lock = threading.Lock()
        self.timer = threading.Timer(1.0, self._show) if self.enabled else None

    def __enter__(self):
        if self.timer:
            self.timer.daemon = True
            self.timer.start()
        return self.update

    def _show(self) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self.lock:
            if self.timer is None:
                return
            self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                     transient=True)
            self.progress.start()
            self.task = self.progress.add_task(f"{self.name}: {self.text}", total=None)

    def update(self, text: str) -> None:
        self.text = text
        with self.lock:
            if self.progress is not None:
                self.progress.update(self.task, description=f"{self.name}: {text}")

    def __exit__(self, *exc):
        with self.lock:
            if self.timer:
                self.timer.cancel()
                self.timer = None
            if self.progress is not None:
                self.progress.stop()
        return False


def display(name: str) -> Display:
    """The progress line for the file ``name`` (``load_paths(..., progress=display)``): a context manager that
    yields the phase callback, drawing only on a terminal."""
    return Display(True, name)
