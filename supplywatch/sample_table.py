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


def _page(con: duckdb.DuckDBPyConnection, f: Filters, search: str | None, sample_id: str | None,
          limit: int) -> pd.DataFrame:
    """The newest ``limit`` samples under the filters (or the one ``sample_id``): public fields and sample_no."""
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
    where, params = _from_cutoff(con, where, params, limit)
    return con.execute(f"""
        SELECT {cols}, s.sample_no FROM samples s WHERE {where}
        ORDER BY s.collected_date DESC, s.sample_id LIMIT {int(limit)}
    """, params).df()


def _from_cutoff(con: duckdb.DuckDBPyConnection, where: str, params: list, limit: int) -> tuple[str, list]:
    """``where`` narrowed to samples on or after the ``limit``-th newest date under it (every sample of the page
    is, so the page is the same). Found from the date column alone, the date as a constant lets DuckDB skip every
    block of older samples when it reads the page's sixteen columns, instead of sorting all of them (a load keeps
    a file's rows together, so dates cluster by block)."""
    cutoff = con.execute(f"SELECT s.collected_date FROM samples s WHERE {where} ORDER BY s.collected_date DESC"
                         f" LIMIT 1 OFFSET {max(int(limit) - 1, 0)}", params).fetchone()
    if cutoff is None:  # fewer samples than the page holds: all of them
        return where, params
    return f"{where} AND s.collected_date >= ?", [*params, cutoff[0]]


def _with_found(con: duckdb.DuckDBPyConnection, page: pd.DataFrame) -> pd.DataFrame:
    """``page`` with what FTIR and the lab found in each sample (names as stored, unknown ones as written).

    The detections are looked up by the page's sample numbers, first as the range they span: a range on a column
    detections carry in load order lets DuckDB skip every block outside it (zone maps), where a list of ids alone
    scanned all of them (22M rows at 10M samples). A range that spans everything costs what the list did."""
    numbers = [int(n) for n in page["sample_no"]]
    found = con.execute("""
        SELECT d.sample_no,
               string_agg(DISTINCT coalesce(d.substance, d.substance_raw), '; ' ORDER BY coalesce(d.substance, d.substance_raw))
                   FILTER (WHERE d.method = 'ftir') AS ftir_found,
               string_agg(DISTINCT coalesce(d.substance, d.substance_raw), '; ' ORDER BY coalesce(d.substance, d.substance_raw))
                   FILTER (WHERE d.method = 'lab') AS lab_found
        FROM detections d
        WHERE d.sample_no BETWEEN ? AND ? AND d.sample_no IN (SELECT unnest(?::BIGINT[]))
        GROUP BY d.sample_no
    """, [min(numbers, default=0), max(numbers, default=-1), numbers]).df()
    return page.merge(found, on="sample_no", how="left").drop(columns="sample_no")


def samples(con: duckdb.DuckDBPyConnection, f: Filters, search: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Newest samples under the filters (optionally matching ``search`` in id, expected or found names)."""
    return _with_found(con, _page(con, f, search, None, limit))


def count(con: duckdb.DuckDBPyConnection, f: Filters) -> int:
    """How many samples the filters select."""
    where, params = f.where("s")
    return int(con.execute(f"SELECT count(*) FROM samples s WHERE {where}", params).fetchone()[0])


def sample(con: duckdb.DuckDBPyConnection, sample_id: str) -> pd.DataFrame:
    """One sample's public fields and findings by exact id (empty frame when unknown)."""
    return _with_found(con, _page(con, Filters(), None, sample_id.strip(), 1))


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
