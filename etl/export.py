"""Export allow-listed warehouse tables to CSV (formula-guarded) or Parquet; free-text notes are never exported."""

from __future__ import annotations

import os
from pathlib import Path

from supplywatch import db as sw_db
from supplywatch.db import sql_literals
from supplywatch.formula_guard import PREFIXES, guard_cell  # noqa: F401  (guard_cell: this module's API before)

# table -> columns that may leave the warehouse (never notes, raw lines or file paths)
ALLOWED: dict[str, list[str]] = {
    "samples": ["sample_id", "source", "collected_date", "site", "region", "expected_raw", "expected_substance",
                "expected_class", "sample_type", "form", "colour", "fentanyl_strip", "benzo_strip",
                "xylazine_strip", "nitazene_strip", "medetomidine_strip", "ftir_tested", "lab_tested",
                "fentanyl_pct", "overdose_linked"],
    "detections": ["sample_id", "method", "substance_raw", "substance", "class", "is_trace", "is_primary"],
    "overdose_events": ["source", "region", "site", "period_start", "period_end", "period_label", "period_type",
                        "measure", "substance", "breakdown", "unit", "value", "suppressed", "value_label"],
    "alerts": ["alert_id", "source", "issued_date", "region", "alert_type", "title", "body", "link"],
    "substances": ["substance", "class", "high_risk"],
}
FORMULA_START = PREFIXES  # one list for every download (supplywatch/formula_guard.py)


class ExportError(Exception):
    """A refused export; ``str()`` is one line."""


def guard_sql(col: str) -> str:
    """SQL doing :func:`guard_cell` on a VARCHAR column."""
    firsts = ", ".join(f"chr({ord(ch)})" for ch in FORMULA_START)
    return f"CASE WHEN left({col}, 1) IN ({firsts}) THEN '''' || {col} ELSE {col} END"


def export_table(table: str, fmt: str, output: str | os.PathLike, db=None) -> int:
    """Write ``table``'s allowed columns to ``output`` as csv or parquet; return the number of rows."""
    if table not in ALLOWED:
        raise ExportError(f"{table}: not an exportable table (choose from {', '.join(ALLOWED)})")
    if fmt not in ("csv", "parquet"):
        raise ExportError(f"{fmt}: format must be csv or parquet")
    con = sw_db.connect_readonly(db)
    try:
        types = dict(con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?"
            " AND table_catalog = current_database()", [table]).fetchall())
        cols = []
        for c in ALLOWED[table]:
            ident = '"' + c + '"'
            if fmt == "csv" and types.get(c) == "VARCHAR":
                cols.append(f"{guard_sql(ident)} AS {ident}")
            else:
                cols.append(ident)
        order = {"samples": "collected_date, sample_id", "detections": "sample_id, method, substance_raw",
                 "overdose_events": "period_start, region, measure", "alerts": "issued_date, alert_id",
                 "substances": "substance"}[table]
        out = sql_literals([str(Path(output))])
        opts = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
        con.execute(f"COPY (SELECT {', '.join(cols)} FROM {table} ORDER BY {order}) TO {out} ({opts})")
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()
