"""``python -m supplywatch.signals`` (and ``supplywatch signals``): run every rule now, for cron or after a load.

Errors are one line on stderr, prefixed with the command as the user typed it; no traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

DESCRIPTION = ("Run every signal rule on the current warehouse and store the new suggestions for staff review "
               "(nothing is published). Settings: data/signals.toml or SUPPLYWATCH_SIGNALS.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of a signals run, on a parser of its own or on the ``signals`` subcommand of ``supplywatch``."""
    p.add_argument("--db", help="warehouse file (default: SUPPLYWATCH_DB or data/supplywatch.duckdb)")
    p.add_argument("--at", help="check as of this UTC time, e.g. 2026-10-31T12:00 "
                   "(default: now, or the end of the newest data day when the data end before today)")
    p.add_argument("--dry-run", action="store_true", help="print what would be suggested; store nothing")
    p.set_defaults(run=run, signals_prog=p.prog)


def main(argv: list[str] | None = None) -> int:
    """``python -m supplywatch.signals [--db FILE] [--at ISO-TIME] [--dry-run]``: run every rule (after a load, cron)."""
    p = argparse.ArgumentParser(prog="python -m supplywatch.signals", description=DESCRIPTION)
    add_arguments(p)
    return run(p.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run the rules as ``args`` say; the exit status (0 done, 1 failed, 2 bad --at)."""
    from .rules import run_all  # here, not at the top: parsing options needs neither pandas nor the warehouse
    from .settings import load_settings
    from .workflow import as_of, as_of_note, run_as_of

    prog = args.signals_prog
    now = dt.datetime.now(dt.timezone.utc)
    try:
        at = dt.datetime.fromisoformat(args.at) if args.at else None
    except ValueError:
        print(f"{prog}: --at {args.at!r} is not an ISO date and time", file=sys.stderr)
        return 2
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    try:
        settings = load_settings()
        if args.dry_run:
            from .. import db as dbmod

            con = dbmod.connect_readonly(args.db)
            try:
                at = at or as_of(con, now)
                found = run_all(con, at, settings)
            finally:
                con.close()
        else:
            at, found = run_as_of(at or now, settings, args.db, at)
    except Exception as exc:  # one line for cron mail, no traceback
        print(f"{prog}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 1
    verb = "found" if args.dry_run else "new"
    print(f"Checked as of {at.isoformat(timespec='minutes')} (--at)." if args.at else as_of_note(at, now))
    print(f"{len(found)} {verb} suggestion(s)")
    for s in found:
        print(f"  [{s.severity}] {s.title}  ({s.key})")
    return 0
