"""Reading generated demo CSVs back with the csv module, independently of the ETL."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from etl import demo_data


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every data row of a generated CSV as a dict keyed by header."""
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def days_before_end(row: dict[str, str], end: dt.date = demo_data.DEFAULT_END) -> int:
    """How many days before the end date a row's date (or period) is."""
    return (end - dt.date.fromisoformat(row.get("date") or row["period"])).days


def components(cell: str) -> list[str]:
    """The names in a ';'-joined component cell, trace marker removed ('none' and '' give [])."""
    if cell in ("", "none"):
        return []
    return [part.removesuffix(" (Trace)") for part in cell.split(";")]
