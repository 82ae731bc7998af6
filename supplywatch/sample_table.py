"""The public samples table: allow-listed fields only (never notes), search, lookup and guarded exports."""

from __future__ import annotations

import io

import duckdb
import pandas as pd

from .filters import Filters
from .formula_guard import PREFIXES, guard_cell  # noqa: F401  (guard_cell: this module's API before)

# The only sample fields that ever leave the warehouse through the dashboard
# (docs/methods.md, "Small-cell suppression", last paragraph).
PUBLIC_FIELDS = (
    "sample_id", "collected_date", "region", "site", "expected_raw", "sample_type", "form", "colour",
    "fentanyl_strip", "benzo_strip", "xylazine_strip", "nitazene_strip", "medetomidine_strip",
    "ftir_tested", "lab_tested", "fentanyl_pct",
)
FOUND_COLUMNS = ("ftir_found", "lab_found")
FORMULA_PREFIXES = PREFIXES
EXPORT_LIMIT = 200_000


# What the public lookup leaves out: every dimension the public counts are protected on (when, where, "sold as"
# and sample type). Ids can be sequential, so looking up every id would otherwise rebuild those counts exactly;
# the person who brought the sample knows all of these already.
PLACE_AND_DATE = ("collected_date", "region", "site", "expected_raw", "sample_type")


def without_place_and_date(columns: dict[str, str]) -> dict[str, str]:
    """``columns`` without the date, region, site, "sold as" and sample type (for the public one-sample lookup)."""
    return {c: label for c, label in columns.items() if c not in PLACE_AND_DATE}


def _query(f: Filters, search: str | None, sample_id: str | None, limit: int) -> tuple[str, list]:
    where, params = f.where("s")
    if sample_id is not None:
        where, params = "s.sample_id = ?", [sample_id]
    elif search:
        like = f"%{search.strip()}%"
        where += (
            " AND (s.sample_id ILIKE ? OR s.expected_raw ILIKE ? OR s.sample_id IN ("
            "SELECT sample_id FROM detections WHERE coalesce(substance, substance_raw) ILIKE ?))"
        )
        params += [like, like, like]
    cols = ", ".join(f"s.{c}" for c in PUBLIC_FIELDS)
    sql = f"""
        WITH page AS (
            SELECT {cols} FROM samples s WHERE {where}
            ORDER BY s.collected_date DESC, s.sample_id LIMIT {int(limit)}
        ),
        found AS (
            SELECT d.sample_id,
                   string_agg(DISTINCT coalesce(d.substance, d.substance_raw), '; ' ORDER BY coalesce(d.substance, d.substance_raw))
                       FILTER (WHERE d.method = 'ftir') AS ftir_found,
                   string_agg(DISTINCT coalesce(d.substance, d.substance_raw), '; ' ORDER BY coalesce(d.substance, d.substance_raw))
                       FILTER (WHERE d.method = 'lab') AS lab_found
            FROM detections d WHERE d.sample_id IN (SELECT sample_id FROM page)
            GROUP BY d.sample_id
        )
        SELECT page.*, found.ftir_found, found.lab_found
        FROM page LEFT JOIN found USING (sample_id)
        ORDER BY page.collected_date DESC, page.sample_id
    """
    return sql, params


def samples(con: duckdb.DuckDBPyConnection, f: Filters, search: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Newest samples under the filters (optionally matching ``search`` in id, expected or found names)."""
    sql, params = _query(f, search, None, limit)
    return con.execute(sql, params).df()


def count(con: duckdb.DuckDBPyConnection, f: Filters) -> int:
    """How many samples the filters select."""
    where, params = f.where("s")
    return int(con.execute(f"SELECT count(*) FROM samples s WHERE {where}", params).fetchone()[0])


def sample(con: duckdb.DuckDBPyConnection, sample_id: str) -> pd.DataFrame:
    """One sample's public fields and findings by exact id (empty frame when unknown)."""
    sql, params = _query(Filters(), None, sample_id.strip(), 1)
    return con.execute(sql, params).df()


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM for spreadsheets) where no cell can start a formula."""
    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype).startswith("str"):
            safe[col] = safe[col].map(guard_cell)
    safe.columns = [guard_cell(str(c)) for c in safe.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def to_parquet(df: pd.DataFrame) -> bytes:
    """Parquet bytes of the same allow-listed table."""
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()
