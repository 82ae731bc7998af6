"""``python -m etl``: load, runs, rejects, substances, export, demo. Exit 0 done, 1 refused, 2 usage.

Every error reaches the user as one line; no traceback.
"""

from __future__ import annotations

import argparse
import sys

from supplywatch import db as sw_db

from .progress import display

EPILOG = "Formats and mapping files: docs/data-formats.md. Tables: docs/data-dictionary.md."


def _rate(text: str) -> float:
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number between 0 and 1 (or a percentage like 2%)")
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1 (or 0% to 100%)")
    return value


def _day(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2018-05-01") from None


def build_parser(with_demo: bool = False) -> argparse.ArgumentParser:
    """The argument parser; ``with_demo`` imports etl.demo to describe its options (only when running it)."""
    parser = argparse.ArgumentParser(
        prog="python -m etl", description="Load drug-checking, overdose and alert CSVs into the Supply Watch"
        " warehouse, and inspect what was loaded.", epilog=EPILOG)
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND", required=True), with_demo)
    return parser


def add_commands(sub, with_demo: bool = False) -> None:
    """Add load, runs, rejects, substances, export and demo to ``sub`` (``python -m etl`` or ``supplywatch``);
    each runs through :func:`run`."""

    def db_opt(p):
        p.add_argument("--db", metavar="PATH",
                       help="warehouse file, or a lake as ducklake:postgres:DSN (default: $SUPPLYWATCH_WAREHOUSE,"
                       " else $SUPPLYWATCH_DB, else data/supplywatch.duckdb)")

    p = sub.add_parser("load", help="load CSV files", description="Load CSV files, each in one transaction: a"
                       " file loads completely or not at all. Rows with problems are rejected with line, column"
                       " and reason; loading the same file again adds nothing.", epilog=EPILOG)
    p.add_argument("paths", nargs="+", metavar="PATH", help="CSV file(s) to load")
    p.add_argument("--profile", metavar="NAME|FILE",
                   help="built-in profile name or a mapping file (.toml); default: detect from the header")
    db_opt(p)
    p.add_argument("--max-reject-rate", type=_rate, default=0.01, metavar="R",
                   help="refuse the file when more than this share of rows is rejected (default 0.01 = 1%%)")
    p.add_argument("--service-start", type=_day, metavar="YYYY-MM-DD",
                   help="reject samples dated before this day (default: the profile's service_start, else 1990-01-01)")
    p.add_argument("--wait", action="store_true", help="wait for another running load instead of exiting")
    p.add_argument("--source", metavar="NAME", help="service name stored with the rows (default: the profile's)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-signals", action="store_true",
                   help="do not run the alert signals after a load (they suggest draft alerts to staff)")

    p = sub.add_parser("runs", help="list load runs", description="List load runs, newest first.")
    db_opt(p)
    p.add_argument("--limit", type=int, default=20, help="how many runs to show (default 20)")

    p = sub.add_parser("rejects", help="show the rejected rows of a load run",
                       description="Show the rows a load run rejected: line, column, reason and the raw line.")
    p.add_argument("run_id", type=int, metavar="RUN_ID", help="run id from `python -m etl runs`")
    db_opt(p)
    p.add_argument("--limit", type=int, default=50, help="how many rejects to show (default 50)")

    p = sub.add_parser("substances", help="list substance names the dictionary does not know",
                       description="List raw substance names found in loaded data that the dictionary does not"
                       " map (they are kept as written and classed 'unclassified').")
    p.add_argument("--unknown", action="store_true", required=True, help="list unknown names with counts")
    db_opt(p)

    from .export import ALLOWED
    p = sub.add_parser("export", help="export a table to CSV or Parquet",
                       description="Export an allow-listed table (free-text notes are never exported). CSV text"
                       " cells starting with = + - @ tab or CR get a leading single quote so spreadsheets do not"
                       " run them as formulas.")
    p.add_argument("table", choices=list(ALLOWED), metavar="TABLE", help="one of: " + ", ".join(ALLOWED))
    p.add_argument("--format", choices=["csv", "parquet"], default="csv", help="csv (default) or parquet")
    p.add_argument("--output", metavar="FILE", help="output file (default: TABLE.csv or TABLE.parquet here)")
    db_opt(p)

    p = sub.add_parser("maintain", help="tidy the warehouse (a lake: merge files, expire snapshots)",
                       description="On a lake (SUPPLYWATCH_WAREHOUSE=ducklake:postgres:...): merge small Parquet"
                       " files, expire snapshots older than --older-than-days, delete files no snapshot reads and"
                       " files killed loads left. Waits for a running load. A warehouse file has nothing to tidy."
                       " Schedule: docs/scale-out.md.", epilog=EPILOG)
    db_opt(p)
    p.add_argument("--older-than-days", type=int, default=7, metavar="N",
                   help="expire snapshots (and give up time travel) older than N days (default 7)")

    p = sub.add_parser("migrate-warehouse", help="copy a warehouse file into a lake",
                       description="Copy every table of a warehouse file into a lake in one transaction, then"
                       " print the row counts of both sides, table by table. Re-running replaces the lake's"
                       " tables with the file's again (nothing is doubled); refused when the lake holds loads the"
                       " file does not.", epilog=EPILOG)
    p.add_argument("--from", dest="source", metavar="PATH",
                   help="warehouse file (default: $SUPPLYWATCH_DB or data/supplywatch.duckdb)")
    p.add_argument("--to", required=True, metavar="ducklake:postgres:DSN", help="the lake's catalog")
    p.add_argument("--data-path", metavar="DIR", help="the lake's data path (default: $SUPPLYWATCH_DATA_PATH)")

    p = sub.add_parser("demo", help="write and load synthetic demo data",
                       description="Write realistic synthetic demo data (labelled synthetic) and load it.",
                       add_help=True)
    if with_demo:
        from . import demo
        demo.add_arguments(p)
    for name in ("load", "runs", "rejects", "substances", "export", "demo"):
        sub.choices[name].set_defaults(run=run)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    is_demo = bool(argv) and argv[0] == "demo"
    try:
        parser = build_parser(with_demo=is_demo)
    except ImportError as exc:
        print(f"error: the demo generator is not available ({exc})", file=sys.stderr)
        return 1
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the parsed command; every error is one line on stderr (exit 1), never a traceback."""
    try:
        if args.command == "demo":
            from . import demo
            status = demo.run(args)
            return int(status or 0)
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
        return status
    except BrokenPipeError:
        _discard_stdout()
        return 0
    except sw_db.AnotherLoadRunning as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was changed by the unfinished load", file=sys.stderr)
        return 1
    except Exception as exc:  # the promise: one line, never a traceback
        text = " ".join(str(exc).split()) or exc.__class__.__name__
        print(f"error: {text}", file=sys.stderr)
        return 1


def _discard_stdout() -> None:
    """The reader closed the pipe (``| head``): what is left to print goes nowhere, quietly, as with other tools."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture stdout)
        pass


def cmd_load(args) -> int:
    from .load import load_paths

    ok, loaded_any = True, False
    for path in args.paths:  # one at a time, so each summary is out before a later file can fail
        [r] = load_paths([path], profile=args.profile, db=args.db, max_reject_rate=args.max_reject_rate,
                         progress=None if args.quiet else display, wait=args.wait, source=args.source,
                         service_start=args.service_start)
        print_summary(r)
        ok = ok and r.ok
        loaded_any = loaded_any or r.status == "loaded"
    if loaded_any and not args.no_signals:
        run_signals(args.db)
    return 0 if ok else 1


def run_signals(db: str | None) -> None:
    """Run the alert signals on the new snapshot (docs/signals.md, "When the rules run"); never undoes the load."""
    import datetime as dt

    from supplywatch import signals

    now = dt.datetime.now(dt.timezone.utc)
    try:
        at, found = signals.run_as_of(now, db=db)  # as of the newest data loaded, said when that is not today
    except Exception as exc:  # the data is loaded; say what went wrong in one line
        text = " ".join(str(exc).split()) or exc.__class__.__name__
        print(f"warning: loaded, but the alert signals did not run: {text}", file=sys.stderr)
        return
    if found:
        print(f"signals: {len(found)} new suggested alert(s) for staff review")
    if at.date() < now.date():
        print(f"signals: {signals.as_of_note(at, now)}")


def print_summary(r) -> None:
    """The end-of-load summary for one file."""
    if r.status == "refused" and r.run_id is None:
        print(r.message, file=sys.stderr)
        return
    out = sys.stdout if r.ok else sys.stderr
    print(r.message, file=out)
    if r.status == "unchanged":
        return
    conflicts = f", conflicts {r.rows_conflict}" if r.rows_conflict else ""
    print(f"  rows read {r.rows_read}, loaded {r.rows_loaded}, duplicates skipped {r.rows_duplicate}{conflicts},"
          f" rejected {r.rows_rejected}", file=out)
    if r.rows_skipped:
        print("  skipped without a result (skip_when): "
              + "; ".join(f"{reason} ({n})" for reason, n in r.skipped_reasons), file=out)
    if r.top_reasons:
        print("  top reject reasons: " + "; ".join(f"{reason} ({n})" for reason, n in r.top_reasons), file=out)
        print(f"  details: python -m etl rejects {r.run_id}", file=out)
    if r.dropped_columns:
        print("  person-level columns dropped, not stored: " + ", ".join(r.dropped_columns), file=out)
    print_person_values(r.person_found, out)
    if r.unused_columns:
        print("  columns not used by the profile: " + ", ".join(r.unused_columns), file=out)
    if r.unknown_substances:
        names = ", ".join(f"{name} ({n})" for name, n in r.unknown_substances[:5])
        print(f"  unknown substances (kept as 'unclassified'): {names}; see python -m etl substances --unknown",
              file=out)


def print_person_values(found, out) -> None:
    """Say, without the values, which columns held person-level data found by content and what was done."""
    from .person_data import describe

    if found.dropped:
        print("  found by content: " + "; ".join(f"{c} ({describe(k)})" for c, k in found.dropped.items()),
              file=out)
    for col, (n, kinds) in found.blanked.items():
        print(f"  {col}: {n} cell(s) held person-level data ({describe(kinds)}): blanked, not stored", file=out)
    for col, (n, kinds) in found.rejected.items():
        print(f"  {col}: {n} row(s) held person-level data ({describe(kinds)}): rejected, not stored", file=out)


def cmd_runs(args) -> int:
    con = sw_db.connect_readonly(args.db)
    try:
        rows = con.execute(
            "SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S'), status, profile, rows_read, rows_loaded,"
            " rows_duplicate, rows_conflict, rows_rejected, rows_skipped, file_name FROM load_runs"
            " ORDER BY run_id DESC LIMIT ?", [args.limit]).fetchall()
    finally:
        con.close()
    if not rows:
        print("no loads yet")
        return 0
    head = ("run", "started (UTC)", "status", "profile", "read", "loaded", "dupes", "conflicts", "rejected",
            "skipped", "file")
    _table(head, rows)
    return 0


def cmd_rejects(args) -> int:
    con = sw_db.connect_readonly(args.db)
    try:
        run = con.execute("SELECT file_name, status, rows_rejected + rows_conflict, rows_rejected, rows_conflict"
                          " FROM load_runs WHERE run_id = ?", [args.run_id]).fetchone()
        if run is None:
            print(f"error: no load run {args.run_id} (see python -m etl runs)", file=sys.stderr)
            return 1
        rows = con.execute(
            'SELECT line, "column", reason, raw_line FROM rejects WHERE run_id = ? ORDER BY line NULLS LAST'
            " LIMIT ?", [args.run_id, args.limit]).fetchall()
    finally:
        con.close()
    conflicts = f", {run[4]} conflicting rows (same key, other values)" if run[4] else ""
    print(f"run {args.run_id} ({run[0]}, {run[1]}): {run[3]} rows rejected{conflicts}")
    for line, col, reason, raw in rows:
        where = f"line {line}" if line is not None else "line ?"
        if col:
            where += f", column {printable(col)}"
        shown = "" if raw is None else "  | " + printable(raw if len(raw) <= 120 else raw[:117] + "...")
        print(f"  {where}: {printable(reason)}{shown}")
    if run[2] > len(rows):
        print(f"  ... {run[2] - len(rows)} more (--limit)")
    return 0


def cmd_substances(args) -> int:
    from . import substances

    con = sw_db.connect_readonly(args.db)
    try:
        rows = substances.unknown_names(con)
    finally:
        con.close()
    if not rows:
        print("no unknown substance names")
        return 0
    print(f"{len(rows)} substance names not in the dictionary (kept as written, class 'unclassified'):")
    for name, n in rows:
        print(f"  {n:>7}  {printable(name)}")
    return 0


def cmd_export(args) -> int:
    from .export import export_table

    output = args.output or f"{args.table}.{args.format}"
    n = export_table(args.table, args.format, output, db=args.db)
    print(f"wrote {n} rows of {args.table} to {output}")
    return 0


def printable(text: str) -> str:
    """File content made safe for a terminal: control characters (escape sequences, line breaks) shown as \\xNN."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))


def _table(head, rows) -> None:
    cells = [tuple("" if v is None else str(v) for v in row) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip())
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def cmd_maintain(args) -> int:
    import duckdb

    from . import load_memory

    # Under the load's memory cap (SUPPLYWATCH_LOAD_MEMORY): maintain runs on the same workers as loads.
    try:
        lines = sw_db.maintain_warehouse(args.db, older_than_days=args.older_than_days, prepare=load_memory.apply)
    except load_memory.BadMemorySetting as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except duckdb.OutOfMemoryException:
        print(f"error: maintain needed more memory than the cap ({load_memory.limit()}); set {load_memory.ENV} "
              "higher (e.g. 2GB) and run it again: the steps it finished are kept, the rest is as it was",
              file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


def cmd_migrate_warehouse(args) -> int:
    import os

    from .migrate_warehouse import copy_file_to_lake

    if args.data_path:
        os.environ["SUPPLYWATCH_DATA_PATH"] = args.data_path
    source = args.source or os.environ.get("SUPPLYWATCH_DB") or str(sw_db.DEFAULT_WAREHOUSE)
    counts = copy_file_to_lake(source, args.to)
    _table(("table", "file rows", "lake rows"), counts)
    print(f"copied {len(counts)} tables from {source}; row counts equal on both sides")
    return 0


COMMANDS = {"maintain": cmd_maintain, "migrate-warehouse": cmd_migrate_warehouse, "load": cmd_load, "runs": cmd_runs, "rejects": cmd_rejects, "substances": cmd_substances,
            "export": cmd_export}
