"""``python -m supplywatch migrate-app --to postgresql://...``: copy the app file's state into PostgreSQL.

Every app table (accounts, sessions, alert versions and authors, audit, suggestions, subscribers, deliveries,
webhooks) is copied in one PostgreSQL transaction, row by row keyed on its primary key: a row already there is
overwritten with the file's, so an interrupted or repeated copy of the same file ends in the same state (re-runnable).
Before committing, each table is counted on both sides; any difference (PostgreSQL holding rows the file does not,
because servers already wrote there) rolls the whole copy back. The id sequences (audit, deliveries) are set past the
highest copied id so new rows never reuse one. Both ends are migrated to the current schema first.
"""

from __future__ import annotations

from pathlib import Path

from . import app_postgres, db


class CopyRefused(RuntimeError):
    """The copy was rolled back; the message says why in one line."""


def _tables(pg) -> list[str]:
    rows = pg.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE' AND table_name <> 'meta' ORDER BY table_name", []).fetchall()
    return [r[0] for r in rows]


def _columns(con, table: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                       " AND table_schema = current_schema() ORDER BY ordinal_position", [table]).fetchall()
    return [r[0] for r in rows]


def _primary_key(pg, table: str) -> list[str]:
    rows = pg.execute(
        "SELECT k.column_name FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k"
        " ON k.constraint_name = c.constraint_name AND k.constraint_schema = c.constraint_schema"
        " WHERE c.table_name = ? AND c.table_schema = current_schema() AND c.constraint_type = 'PRIMARY KEY'"
        " ORDER BY k.ordinal_position", [table]).fetchall()
    return [r[0] for r in rows]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_table(src, pg, table: str) -> None:
    cols = _columns(pg, table)
    if _columns(src, table) != cols:
        raise CopyRefused(f"{table}: the app file's columns differ from PostgreSQL's; nothing copied")
    key = _primary_key(pg, table)
    names = ", ".join(_quoted(c) for c in cols)
    updates = ", ".join(f"{_quoted(c)} = excluded.{_quoted(c)}" for c in cols if c not in key)
    on_conflict = f" ON CONFLICT ({', '.join(_quoted(c) for c in key)}) DO " + (
        f"UPDATE SET {updates}" if updates else "NOTHING")
    rows = src.execute(f"SELECT {names} FROM {_quoted(table)}").fetchall()
    if rows:
        pg.executemany(f"INSERT INTO {_quoted(table)} ({names}) VALUES ({', '.join(['?'] * len(cols))})"
                       + on_conflict, rows)


def _advance_sequences(pg) -> None:
    """Each id sequence past the highest id any column drawing from it holds (never backwards)."""
    rows = pg.execute(
        "SELECT table_name, column_name, column_default FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'", []).fetchall()
    users: dict[str, list[str]] = {}
    for table, column, default in rows:
        sequence = default.split("'")[1]
        users.setdefault(sequence, []).append(f"(SELECT max({_quoted(column)}) FROM {_quoted(table)})")
    for sequence, maxima in sorted(users.items()):
        pg.execute(f"SELECT setval('{sequence}', greatest((SELECT last_value FROM {_quoted(sequence)}), "
                   f"{', '.join(maxima)}), true)", [])


def copy(source: Path, url: str, out=print) -> dict[str, tuple[int, int]]:
    """Copy the app file ``source`` into the PostgreSQL database at ``url``; print and return per-table counts
    (app file, PostgreSQL). CopyRefused (after a rollback) when the counts differ."""
    if not source.exists():
        raise CopyRefused(f"{source}: no such app file")
    counts: dict[str, tuple[int, int]] = {}
    with db.app_store(source) as src, db.app_store(url) as pg:
        pg.execute("BEGIN TRANSACTION")
        try:
            for table in _tables(pg):
                _copy_table(src, pg, table)
                counts[table] = (src.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0],
                                 pg.execute(f"SELECT count(*) FROM {_quoted(table)}").fetchone()[0])
            _advance_sequences(pg)
            out(f"app file {source} -> PostgreSQL {app_postgres.where(url)}")
            width = max(len(t) for t in counts)
            out(f"{'table'.ljust(width)}  app file  PostgreSQL")
            for table, (a, b) in counts.items():
                out(f"{table.ljust(width)}  {a:8d}  {b:10d}" + ("" if a == b else "  DIFFERENT"))
            differ = [t for t, (a, b) in counts.items() if a != b]
            if differ:
                raise CopyRefused(f"counts differ in {', '.join(differ)}: PostgreSQL holds rows the app file does not"
                                  " (servers already wrote to it?); rolled back, nothing copied")
            pg.execute("COMMIT")
        except BaseException:
            pg.execute("ROLLBACK")
            raise
    out("copied; the counts match")
    return counts


def default_source() -> Path:
    """The app file the configuration names (the one beside the warehouse when SUPPLYWATCH_APP_DB is a URL)."""
    return db.app_db_path()


def main_args(to: str, source: str | None) -> int:
    if not app_postgres.is_url(to):
        raise ValueError(f"--to must be a postgresql:// URL, got {to.split('://')[0]!r}")
    copy(Path(source) if source else default_source(), to)
    return 0

