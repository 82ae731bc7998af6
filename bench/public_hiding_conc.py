"""What protecting the public Concentration and Expected vs found pages costs: the share of non-zero public cells
hidden, with the rule used before (each table suppressed on its own) and with the protection across views
(supplywatch.public_concentration, supplywatch.public_expected_found), over the same views: every date and each
single month, all regions and each region. Prints a table and records it in docs/benchmarks.md unless --no-docs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import time
from pathlib import Path

from . import report

NAME = "public-hiding-conc"
SUMMARY = "share of non-zero public cells hidden on Concentration and Expected vs found, before and after"
TITLE = "Public hiding: Concentration and Expected vs found"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=f"python -m bench {NAME}", description=__doc__)
    p.add_argument("--warehouse", type=Path, default=report.ROOT / "data" / "supplywatch.duckdb",
                   help="the warehouse to measure (default: the demo, data/supplywatch.duckdb)")
    p.add_argument("-k", type=int, default=5, help="the suppression threshold (default 5)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def views(con, months: bool) -> list:
    """Every date (``months``: each calendar month of the data instead), with no region and each region."""
    from supplywatch.filters import Filters

    first, last, regions = con.execute("SELECT min(collected_date), max(collected_date), list(DISTINCT region)"
                                       " FROM samples").fetchone()
    ranges, day = [], first.replace(day=1)
    while months and day <= last:
        after = (day + dt.timedelta(days=32)).replace(day=1)
        ranges.append((day, after - dt.timedelta(days=1)))
        day = after
    return [Filters(start=a, end=b, region=r) for a, b in ranges or [(None, None)]
            for r in (None, *sorted(x for x in regions if x))]


def _tally(pairs) -> tuple[int, int]:
    """(shown, hidden) over (value, status) pairs, non-zero values only."""
    from supplywatch.suppression import SHOWN

    live = [(int(v), s) for v, s in pairs if int(v)]
    return sum(s == SHOWN for _, s in live), sum(s != SHOWN for _, s in live)


def concentration(con, k: int, months: bool = False) -> dict[str, tuple[int, int]]:
    """(shown, hidden) non-zero counts of the page's monthly n and histogram, before and after, over every date
    (``months``: over each single month instead)."""
    from supplywatch import metrics, public_concentration, suppression

    before, after = [], []
    prot = public_concentration.protected(con, k)
    for f in views(con, months):
        monthly = metrics.concentration_by_month(con, f)
        before += zip(monthly["n"], suppression.primary(list(monthly["n"]), k))
        hist = metrics.concentration_histogram(con, f)
        before += zip(hist["n"], suppression.suppress_1d(list(hist["n"]), k))
        monthly = public_concentration.monthly(prot, f)
        after += zip(monthly["n"], monthly["n_status"])
        if not months:  # the public histogram covers every date whatever the range
            hist = public_concentration.histogram(prot, f.region)
            after += zip(hist["n"], hist["n_status"])
    return {"before": _tally(before), "after": _tally(after)}


def expected_found(con, k: int, months: bool = False) -> dict[str, tuple[int, int]]:
    """(shown, hidden) non-zero counts of the match table, class matrix and pairs, over every date (``months``:
    each single month instead): before, after (the public page covers every date whatever the range), and
    "ranges": the same blocks read over whole public months, had the page kept the date range."""
    from supplywatch import metrics, public_concentration, public_expected_found, suppression

    before, after, ranges, tested = [], [], [], {"before": [], "after": []}
    pub = public_expected_found.protected(con, k)
    trends = public_expected_found.trends_of(con, k)
    for f in views(con, months):
        old = metrics.expected_found(con, f, top=10)
        if len(old["match"]):
            rates = suppression.suppress_rates(old["match"], k, num="matched")
            before += zip(rates["n"], rates["n_status"])
            tested["before"] += zip(rates["n"], rates["n_status"])
            before += zip(rates["matched"], rates["k_status"])
            unexpected = suppression.suppress_rates(old["match"], k, num="unexpected")
            before += zip(unexpected["unexpected"], unexpected["k_status"])
        if len(old["matrix"]):
            grid = old["matrix"].pivot(index="expected_class", columns="found_class", values="n").fillna(0)
            before += zip(grid.to_numpy().ravel(), suppression.suppress_matrix(grid, k).to_numpy().ravel())
        before += zip(old["pairs"]["n"], suppression.primary(list(old["pairs"]["n"]), k))
        for out, pf in ((after, public_expected_found.public_filters(f)),
                        (ranges, public_concentration.public_filters(f))):
            match = public_expected_found.match(pub, pf, trends)
            for count, status in (("n", "n_status"), ("matched", "k_status"), ("unexpected", "u_status")):
                out += zip(match.get(count, []), match.get(status, []))
            if out is after:
                tested["after"] += zip(match.get("n", []), match.get("n_status", []))
            for frame in (public_expected_found.matrix(pub, pf, trends), public_expected_found.pairs(pub, pf)):
                out += zip(frame["n"], frame["status"])
    return {"before": _tally(before), "after": _tally(after), "ranges": _tally(ranges),
            "tested before": _tally(tested["before"]), "tested after": _tally(tested["after"])}


def _share(shown: int, hidden: int) -> str:
    return f"{100 * hidden / (shown + hidden):.1f} % of {shown + hidden:,}" if shown + hidden else "no cells"


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    from supplywatch import db

    con = db.connect_readonly(args.warehouse)
    lines = []
    for months, views_of in ((False, "every date"), (True, "each single month")):
        got = concentration(con, args.k, months)
        lines.append(f"Concentration, {views_of}: hidden {_share(*got['before'])} non-zero cells before (each "
                     f"table on its own), {_share(*got['after'])} after")
    for months, views_of in ((False, "every date"), (True, "each single month")):
        got = expected_found(con, args.k, months)
        lines.append(f"Expected vs found, {views_of}: hidden {_share(*got['before'])} non-zero cells before, "
                     f"{_share(*got['after'])} after (every date shown); with whole-month ranges kept, "
                     f"{_share(*got['ranges'])}")
        lines.append(f"Expected vs found, {views_of}, tested counts alone: hidden {_share(*got['tested before'])} "
                     f"before, {_share(*got['tested after'])} after (Trends' tested blocks)")
    for name, module in (("Concentration", "public_concentration"), ("Expected vs found", "public_expected_found")):
        started = time.perf_counter()
        getattr(importlib.import_module(f"supplywatch.{module}"), "protected")(con, args.k)
        lines.append(f"{name}: the protection takes {time.perf_counter() - started:.1f} s, once per data version")
    from supplywatch import public_expected_found

    started, read = time.perf_counter(), public_expected_found.trends_of(con, args.k)
    for target in ("opioid_other", "stimulant"):  # what the demo's default view reads (a bare "cut" would add one)
        read(target)
    lines.append(f"Expected vs found: the Trends margins of other opioids and stimulants it reads take "
                 f"{time.perf_counter() - started:.1f} s (shared with the Trends page), once per data version")
    report.record(TITLE, lines, f"`python -m bench {NAME}` on `{args.warehouse.name}`, k = {args.k}; views: all "
                  "regions and each region, over every date or each calendar month (after: Concentration's monthly n "
                  "over the whole public month, its histogram and all of Expected vs found over every date); the "
                  "pairs matrix counts both halves.",
                  args.no_docs)
    return 0
