"""The load_runs record seen from a load: the earlier run of the same bytes, and the names a run left unknown."""

from __future__ import annotations

from pathlib import Path

from supplywatch import db as sw_db

from .mapping import q
from .result import LoadResult


def already_loaded(path: Path, content_hash: str, profile_name: str | None, db) -> LoadResult | None:
    """The earlier run that loaded these exact bytes (with this profile, when one was named) as 'unchanged'."""
    wh = sw_db.warehouse_path(db)
    if not wh.exists():
        return None
    con = sw_db.connect_readonly(wh)
    try:
        # literals, not parameters: DuckDB imports pandas (about 1 s) to bind Python parameters
        profile_sql = "" if profile_name is None else f" AND profile = {q(profile_name)}"
        row = con.execute(
            f"SELECT run_id, rows_read, profile, kind FROM load_runs WHERE content_hash = {q(content_hash)}"
            f" AND status = 'loaded'{profile_sql} ORDER BY run_id LIMIT 1").fetchone()
    finally:
        con.close()
    if row is None:
        return None
    return LoadResult(file=path.name, status="unchanged", run_id=row[0], profile=row[2], kind=row[3],
                      rows_read=row[1],
                      message=f"{path.name}: unchanged, nothing added (same content as load run {row[0]})")


def run_unknown_names(con, run_id: int, limit: int = 10) -> list[tuple[str, int]]:
    """Raw substance names this run loaded that the dictionary does not know, with counts."""
    return [tuple(r) for r in con.execute(
        "SELECT name, sum(n)::BIGINT AS n FROM ("
        " SELECT d.substance_raw AS name, count(*) AS n FROM detections d JOIN samples s USING (sample_id)"
        f" WHERE s.load_run_id = {int(run_id)} AND d.class = 'unclassified' GROUP BY 1"
        f" UNION ALL SELECT expected_raw, count(*) FROM samples WHERE load_run_id = {int(run_id)}"
        " AND expected_class = 'unclassified' GROUP BY 1)"
        f" GROUP BY name ORDER BY n DESC, name LIMIT {int(limit)}").fetchall()]
