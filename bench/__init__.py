"""Benchmarks: speed and memory measured by scripts, recorded in docs/benchmarks.md, never asserted in tests.

A benchmark is any module in this package with ``NAME`` (the short name for
``python -m bench NAME``), ``SUMMARY`` (one line) and ``main(argv: list[str]) -> int``.
``python -m bench`` runs them all with their defaults; add a module and it is found.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def registry() -> dict[str, ModuleType]:
    """Benchmark name -> module, for every module here that defines NAME and main()."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "main", None)) and getattr(module, "NAME", None):
            found[module.NAME] = module
    return found
