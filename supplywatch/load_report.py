"""What the loads did, for the data page: data status, load history and rejected rows (no Streamlit here)."""

from __future__ import annotations

import duckdb
import pandas as pd


def data_status(con: duckdb.DuckDBPyConnection) -> dict:
    """Latest sample date, last successful load time (UTC) and whether the data is synthetic."""
    latest = con.execute("SELECT max(collected_date), count(*) FROM samples").fetchone()
    loaded = con.execute("SELECT max(finished_at) FROM load_runs WHERE status = 'loaded'").fetchone()[0]
    row = con.execute("SELECT value FROM meta WHERE key = 'synthetic'").fetchone()
    return {
        "latest_sample": latest[0],
        "samples": int(latest[1]),
        "loaded_at": loaded,
        "synthetic": bool(row and str(row[0]).lower() == "true"),
    }


def load_history(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Recent load runs, newest first."""
    return con.execute(
        """SELECT run_id, file_name, kind, profile, started_at, finished_at, rows_read, rows_loaded,
                  rows_duplicate, rows_rejected, status, message
           FROM load_runs ORDER BY started_at DESC, run_id DESC LIMIT ?""",
        [int(limit)],
    ).df()


def reject_reasons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rejected rows counted by file and reason."""
    return con.execute(
        """SELECT r.run_id, l.file_name, l.status, r.reason, count(*) AS n, min(r.line) AS first_line
           FROM rejects r LEFT JOIN load_runs l USING (run_id)
           GROUP BY ALL ORDER BY n DESC, r.run_id, r.reason""",
    ).df()


def reject_summary(con: duckdb.DuckDBPyConnection) -> dict:
    """Rows rejected by loads that were stored, and refused runs (which stored nothing) with their rows, apart.

    A refused file loaded again later is two runs: adding both runs' rejects would count its bad rows twice."""
    loaded, runs, rows = con.execute(
        """SELECT coalesce(sum(rows_rejected) FILTER (WHERE status = 'loaded'), 0),
                  count(*) FILTER (WHERE status = 'refused'),
                  coalesce(sum(rows_rejected + rows_conflict) FILTER (WHERE status = 'refused'), 0)
           FROM load_runs""").fetchone()
    return {"rejected_in_loaded": int(loaded), "refused_runs": int(runs), "rows_in_refused": int(rows)}


def reject_rows(con: duckdb.DuckDBPyConnection, limit: int = 500) -> pd.DataFrame:
    """The first rejected rows with file, line, column and reason (raw line left out: it may hold notes)."""
    return con.execute(
        """SELECT r.run_id, l.status, l.file_name, r.line, r."column", r.reason
           FROM rejects r LEFT JOIN load_runs l USING (run_id)
           ORDER BY r.run_id DESC, r.line LIMIT ?""",
        [int(limit)],
    ).df()
