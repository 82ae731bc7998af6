"""The one command line, ``supplywatch COMMAND``: every command of the three older entry points in one place.

It stands above both ``etl/`` and ``supplywatch/`` (the only module that imports both), so the domain
never imports the loader (docs/architecture.md). Each command is a thin wrapper: the options and the work
stay where they were, in ``etl.cli`` (load, runs, rejects, substances, export, demo), ``supplywatch.cli``
(users, publish, deliver, subscribers, webhooks) and ``supplywatch.signals.cli`` (signals), and each runs
with its own error handling: one line on stderr, never a traceback. ``python -m etl``, ``python -m
supplywatch`` and ``python -m supplywatch.signals`` keep working. docs/cli.md lists every command.
"""

from __future__ import annotations

import argparse
import sys

from etl import cli as etl_cli
from supplywatch import cli as staff_cli
from supplywatch.signals import cli as signals_cli

DESCRIPTION = ("Supply Watch: load drug-checking and overdose data, run the alert signals, manage staff "
               "accounts, publish the public alert files and deliver alerts to subscribers.")


def build_parser(with_demo: bool = False) -> argparse.ArgumentParser:
    """Every command under one parser; ``with_demo`` describes the demo's options (it imports the generator)."""
    parser = argparse.ArgumentParser(prog="supplywatch", description=DESCRIPTION,
                                     epilog="Every command, with examples: docs/cli.md.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    etl_cli.add_commands(sub, with_demo)
    signals_cli.add_arguments(sub.add_parser(
        "signals", help="run the alert signals now (suggestions for staff review)",
        description=signals_cli.DESCRIPTION))
    staff_cli.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status (0 done, 1 refused or failed, 2 usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(with_demo=argv[:1] == ["demo"])
    except ImportError as exc:
        print(f"error: the demo generator is not available ({exc})", file=sys.stderr)
        return 1
    args = parser.parse_args(argv)
    return args.run(args)
