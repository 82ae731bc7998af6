"""Substance normalisation benchmark: dictionary parse and install, and NAME_KEY_SQL + join over N raw names.

Loads key every component name in SQL, so the key expression must stay close to a bare
``lower()`` pass. Non-ASCII names go through a Python UDF (NFKC has no DuckDB equivalent);
the share of them is a parameter so its cost is visible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import duckdb

from etl import substances
from supplywatch import schema

from . import report

NAME = "substances"
SUMMARY = "dictionary install and SQL name keys + join over N raw names (default 3,000,000)"
TITLE = "Substance normalisation"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench substances", description=__doc__)
    p.add_argument("--names", type=report.count, default=3_000_000,
                   help="raw names to key and join (default 3,000,000: about 1M samples x 3 components)")
    p.add_argument("--non-ascii", type=float, default=0.01,
                   help="share of names with a non-ASCII character (default 0.01)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    d = substances.load_dictionary()
    parse_s = _timed(lambda: substances.parse_dictionary(d.path))
    raw = [n for e in d.substances.values() for n in (e.substance, *e.synonyms)]
    raw = [n.upper() if rng.random() < 0.3 else n for n in raw] + ["Unidentified analogue 7", "Heroin (Trace)"]
    accented = [n + " é" for n in raw[:50]] + ["Ｆentanyl HCl", "Kétamine HCl"]

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    for sql in schema.WAREHOUSE_MIGRATIONS:
        con.execute(sql)
    install_s = _timed(lambda: substances.install_dictionary(con))
    n = args.names
    n_accented = int(n * args.non_ascii)
    pool = [rng.choice(raw) for _ in range(5000)]
    con.execute("CREATE TABLE names AS SELECT (?::VARCHAR[])[1 + (i % 5000)::INTEGER] AS item FROM range(?) t(i)",
                [pool, n - n_accented])
    if n_accented:
        con.execute("INSERT INTO names SELECT (?::VARCHAR[])[1 + (i % ?)::INTEGER] FROM range(?) t(i)",
                    [accented, len(accented), n_accented])
    bare_s = _timed(lambda: con.execute("CREATE OR REPLACE TABLE bare AS SELECT lower(item) AS k FROM names"))
    key = substances.NAME_KEY_SQL.format(col="item")
    key_s = _timed(lambda: con.execute(f"CREATE OR REPLACE TABLE keyed AS SELECT {key} AS k FROM names"))
    join_s = _timed(lambda: con.execute(f"""
        CREATE OR REPLACE TABLE joined AS
        SELECT x.item, s.substance, coalesce(s.class, 'unclassified') AS class
        FROM names x LEFT JOIN substance_names n ON n.name_key = {key}
        LEFT JOIN substances s ON s.substance = n.substance
        WHERE NOT coalesce(n.is_placeholder, false)"""))
    unknown = con.execute("SELECT count(*) FROM joined WHERE class = 'unclassified'").fetchone()[0]
    con.close()

    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = f"""`python -m bench substances [--names N] [--non-ascii SHARE]` (bench/substances.py), in one process.
Machine: {report.machine()}.

- parse and validate data/substances.csv ({len(d.substances)} entries, {len(d.keys)} name keys): {parse_s * 1000:.0f} ms
- `install_dictionary` into an empty warehouse (two INSERTs): {install_s * 1000:.0f} ms
- {n:,} raw names ({args.non_ascii:.0%} non-ASCII, which go through the Python UDF):

| step | seconds | vs bare lower() |
|---|---|---|
| bare `lower(item)` into a table | {bare_s:.2f} | 1.0x |
| `NAME_KEY_SQL` into a table | {key_s:.2f} | {key_s / bare_s:.1f}x |
| key + join to substance_names and substances | {join_s:.2f} | {join_s / bare_s:.1f}x |

Unclassified rows in the join: {unknown:,} (the made-up name and the accented variants). Run {when}.
"""
    print(body)
    if not args.no_docs:
        report.update_section(TITLE, body)
    return 0
