"""Which methods are sensitive enough that their negative result means "absent", per class or substance.

A method can be *able* to report a substance (:func:`supplywatch.dictionary.capable_methods`) and still miss it at
the amounts usually sold: FTIR identifies components above roughly 5 % by weight, while benzodiazepines,
nitazenes, carfentanil and medetomidine are usually well below that. For those targets an FTIR negative means
"not detectable", not "negative", so the default positivity denominator counts only samples tested by a
sensitive method (a strip built for the target, or the lab), and FTIR finds outside it are shown as a count.

The verdicts live in ``data/method_sensitivity.csv`` (target, method, verdict, source), reviewed like code and
explained with its published sources in docs/methods.md. A row for a canonical substance overrides its class's
row. The file must give a verdict for every method able to detect each substance class, so no class falls back
to an assumption silently; a name outside the dictionary keeps its methods' ordinary capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import classes, csv_table, dictionary

TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "method_sensitivity.csv"
COLUMNS = ("target", "method", "verdict", "source")
VERDICTS = ("detects", "not_reliable")


class SensitivityError(ValueError):
    """The sensitivity table cannot be used; the message names the file, line and column."""


@dataclass(frozen=True)
class Verdict:
    """One row: whether ``method`` reliably detects ``target`` at the amounts usually found, and why."""

    target: str
    method: str
    sensitive: bool
    source: str
    line: int


def _err(path: Path, line: int, column: str | None, msg: str) -> SensitivityError:
    return csv_table.cell_error(SensitivityError, path, line, column, msg)


def parse(path: Path) -> dict[tuple[str, str], Verdict]:
    """Read and check a sensitivity table; raise SensitivityError naming the line of the first problem."""
    table: dict[tuple[str, str], Verdict] = {}
    for line, cells in csv_table.rows(path, COLUMNS, COLUMNS, "method sensitivity table", SensitivityError,
                                      "quote a source with commas"):
        target, method, verdict, source = (cells[c].strip() for c in COLUMNS)
        if not target or target != target.lower():
            raise _err(path, line, "target", f"{target!r} is not a class slug or canonical (lower-case) substance")
        if target in classes.CLASSES and target not in classes.SUBSTANCE_CLASSES:
            raise _err(path, line, "target", f"{target!r} is not a class of real substances")
        if method not in classes.METHODS:
            known = ", ".join(classes.METHODS)
            raise _err(path, line, "method", f"unknown method {method!r} (expected one of {known})")
        if target in classes.CLASSES and method not in dictionary.capable_methods(target):
            raise _err(path, line, "method", f"{method} cannot detect {target} at all; list only methods able to")
        if verdict not in VERDICTS:
            raise _err(path, line, "verdict", f"{verdict!r} is not one of {', '.join(VERDICTS)}")
        if not source:
            raise _err(path, line, "source", "empty source: say where the verdict comes from")
        if (target, method) in table:
            first = table[(target, method)].line
            raise _err(path, line, "target", f"{target} x {method} is listed twice (first on line {first})")
        table[(target, method)] = Verdict(target, method, verdict == "detects", source, line)
    gaps = [f"{c} x {m}" for c in classes.SUBSTANCE_CLASSES for m in sorted(dictionary.capable_methods(c))
            if (c, m) not in table]
    if gaps:
        raise SensitivityError(f"{path.name}: no verdict for {', '.join(gaps)}; every substance class needs one "
                               "for each method able to detect it")
    return table


def load(path: str | Path | None = None) -> dict[tuple[str, str], Verdict]:
    """The checked table (``data/method_sensitivity.csv`` by default), re-read when the file changes."""
    return csv_table.load(path, TABLE_PATH, parse, SensitivityError, "method sensitivity table")


def verdict(target: str, method: str, path: str | Path | None = None) -> Verdict | None:
    """The row deciding ``method`` for ``target``: the target's own, else its class's; None for neither."""
    table = load(path)
    row = table.get((target, method))
    if row is None and target not in classes.CLASSES:
        cls = dictionary.class_of(target)
        row = table.get((cls, method)) if cls else None
    return row


def sensitive_methods(target: str, methods, path: str | Path | None = None) -> frozenset[str]:
    """Those of ``methods`` (the ones able to detect ``target``) whose negative result means "not there".

    A method with no row (only possible for a name outside the dictionary or a class-level expectation)
    keeps its ordinary capability.
    """
    out = set()
    for m in methods:
        row = verdict(target, m, path)
        if row is None or row.sensitive:
            out.add(m)
    return frozenset(out)
