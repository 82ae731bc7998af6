"""`python -m etl migrate-warehouse --from FILE --to ducklake:postgres:<dsn> --data-path DIR`: copy a warehouse file
into a lake and check the row counts of every table on both sides.

Re-runnable by replacing: each run makes the lake's tables equal to the file's, in one lake transaction under the
writer lock, so a second run adds nothing and a run killed part-way leaves the lake as it was. It refuses when
the lake holds load runs the file does not (loads made on the lake since: replacing would lose them).
"""

from __future__ import annotations

import os
from pathlib import Path

from supplywatch import db
from supplywatch.sql_text import sql_text


class MigrationRefused(RuntimeError):
    """The copy would lose data or could not be checked; the message is one line."""


def _q(text: str) -> str:
    return sql_text(str(text))


def copy_file_to_lake(source: str | os.PathLike, target: str) -> list[tuple[str, int, int]]:
    """Copy every table of the warehouse file ``source`` into the lake ``target``; return (table, rows in the
    file, rows in the lake) per table, counted after the copy inside the same transaction."""
    source = Path(source)
    if not source.is_file():
        raise MigrationRefused(f"{source}: no such warehouse file")
    if not str(target).startswith("ducklake:"):
        raise MigrationRefused(f"--to must be a lake (ducklake:postgres:<dsn>), got {str(target)[:40]!r}")
    db.ensure_warehouse(source)  # the file at this version's schema, as the lake is
    with db.writing_snapshot(target, wait=True) as con:
        con.execute(f"ATTACH {_q(source)} AS src (READ_ONLY)")
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src'"
            " AND table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        newer = con.execute("SELECT count(*) FROM warehouse.load_runs WHERE run_id NOT IN"
                            " (SELECT run_id FROM src.load_runs)").fetchone()[0]
        if newer:
            raise MigrationRefused(f"the lake holds {newer} load run(s) the file does not; copying would replace"
                                   " them (nothing was changed)")
        counts = []
        for table in tables:
            keep = " WHERE key <> 'schema_version'" if table == "meta" else ""
            con.execute(f"DELETE FROM warehouse.{table}{keep}")
            con.execute(f"INSERT INTO warehouse.{table} BY NAME SELECT * FROM src.{table}{keep}")
            n_src = con.execute(f"SELECT count(*) FROM src.{table}").fetchone()[0]
            n_lake = con.execute(f"SELECT count(*) FROM warehouse.{table}").fetchone()[0]
            counts.append((table, n_src, n_lake))
        bad = [c for c in counts if c[1] != c[2]]
        if bad:
            raise MigrationRefused("row counts differ after the copy (nothing was changed): "
                                   + ", ".join(f"{t} file {a} lake {b}" for t, a, b in bad))
    return counts
