"""App state on PostgreSQL: what opening a connection per unit of work costs against reusing one.

Each public page run asks the app database for the alerts' version token at most once a second per process
(supplywatch/views.py) and a staff action is a handful of short transactions; each opens its own connection
(before supplywatch/app_pool.py: connect, migration check, the query, close). This measures, in one run on a
throwaway cluster (tests/postgres_cluster.py): that whole unit of work, the same query on one connection kept open,
the connect alone, and db.app_connection as it is now (kept connections, supplywatch/app_pool.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from . import report

NAME = "app-connections"
SUMMARY = "app state on PostgreSQL: a connection per unit of work vs one reused connection (default 200 rounds)"
TITLE = "App state on PostgreSQL: connection per unit of work vs reuse"
VERSION_SQL = "SELECT (SELECT count(*) FROM alert_audit), (SELECT count(*) FROM help_directory_loads)"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench app-connections", description=__doc__)
    p.add_argument("--rounds", type=int, default=200, help="rounds of each way (default 200)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def _ms(fn, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(report.ROOT))
    from supplywatch import app_postgres, db, schema
    from tests import postgres_cluster

    cluster = postgres_cluster.start_cluster()
    saved = os.environ.get("SUPPLYWATCH_APP_DB")
    try:
        url = cluster.url(cluster.create_database("bench_conn"))
        os.environ["SUPPLYWATCH_APP_DB"] = url
        with db.app_connection():
            pass  # migrated once, as a running server's database is

        def new_connection():  # what db.app_connection did before connections were kept (supplywatch/app_pool.py)
            con = app_postgres.connect(url)
            try:
                db.migrate(con, schema.APP_MIGRATIONS)
                con.execute(VERSION_SQL).fetchone()
            finally:
                con.close()

        def per_unit():  # what it does now
            with db.app_connection() as con:
                con.execute(VERSION_SQL).fetchone()

        kept = app_postgres.connect(url)
        try:
            rows = {
                "new connection per unit of work (connect, migration check, query, close)":
                    _ms(new_connection, args.rounds),
                "db.app_connection unit of work (a kept connection: ping, query)": _ms(per_unit, args.rounds),
                "connect and close only": _ms(lambda: app_postgres.connect(url).close(), args.rounds),
                "the query on one kept connection": _ms(lambda: kept.execute(VERSION_SQL).fetchone(), args.rounds),
            }
        finally:
            kept.close()
    finally:
        if saved is None:
            os.environ.pop("SUPPLYWATCH_APP_DB", None)
        else:
            os.environ["SUPPLYWATCH_APP_DB"] = saved
        cluster.remove()
    for name, (median, p95) in rows.items():
        print(f"{name:<72} median {median:6.2f} ms  p95 {p95:6.2f} ms")
    if not args.no_docs:
        table = "\n".join(f"| {name} | {m:.2f} ms | {p:.2f} ms |" for name, (m, p) in rows.items())
        report.update_section(TITLE, f"""
`python -m bench app-connections [--rounds N]` (bench/app_connections.py), {args.rounds} rounds each, local
PostgreSQL on loopback, {report.today()}, load average {os.getloadavg()[0]:.0f} at the end. Machine:
{report.machine()}.

| way | median | p95 |
|---|---|---|
{table}
""")
        print(f"recorded in {report.DOC}")
    return 0
