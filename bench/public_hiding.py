"""How much the public loses to suppression: the share of non-zero public counts hidden, before and after.

One function per page, each returning :class:`Row` s (a view, its non-zero counts, how many of them the public
does not see exactly before and after): Trends (the block ladder before and now), This week's positivity rates
(each rate suppressed on its own before; cells of the Trends margins now) and Emerging (exact counts from k up
before; a bound now). Another page adds one function and one line in PAGES.
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from supplywatch import db, metrics, public_headline, public_trends, public_week, suppression
from supplywatch.filters import Filters

from . import report

NAME = "public-hiding"
SUMMARY = "share of non-zero public counts hidden, before and after, for Trends, This week and Emerging"
TITLE = "Public hiding: what suppression costs the public"
# The Trends ladder before opioid and other samples were kept apart (supplywatch.public_trends.BLOCKS now).
OLD_LADDER = (("week", "region", "site", "expected_raw"), ("week", "region", "site", "expected"),
              ("week", "region", "site", "opioid"), ("week", "region", "opioid"), ("week", "region"), ("week",),
              ("month",))
TRENDS_TARGETS = ("fentanyl", "xylazine")


@dataclass
class Row:
    """One view of one page: its non-zero public counts and how many of them are hidden before and after."""

    page: str
    view: str
    cells: int
    before: int
    after: int


def _hidden(statuses) -> int:
    return int(sum(s != suppression.SHOWN for s in statuses))


def _margin_rows(prot, period: str, group: str | None, population: str, measure: str) -> tuple[int, int]:
    """(cells with at least one tested sample, those whose ``measure`` is hidden) of one Trends margin."""
    dims = {period} | ({group} if group else set()) | ({"opioid"} if population == "opioid" else set())
    table = prot.columns(dims)
    keep = table["n"] > 0
    if population == "opioid":
        keep &= table["opioid"].astype(bool)
    return int(keep.sum()), int((table[f"{measure}_status"][keep] != suppression.SHOWN).sum())


def trends(con: duckdb.DuckDBPyConnection, k: int) -> list[Row]:
    """Trends' weekly and monthly margins, unsplit, by region and by expected substance, all samples and sold as an
    opioid: fentanyl tested, fentanyl found and xylazine found, the previous ladder against the one in use (cells
    with at least one tested sample, as in docs/methods.md)."""
    prots = {}
    for target in TRENDS_TARGETS:
        atoms = public_trends.atoms(con, Filters(), target)
        prots[target] = [public_trends.protect_atoms(atoms, k, ladder) for ladder in (OLD_LADDER, public_trends.BLOCKS)]
    out = []
    for period in public_trends.PERIODS:
        for group in public_trends.SPLITS:
            for population in ("all", "opioid"):
                view = (f"{period}ly, {'by ' + group if group else 'unsplit'},"
                        f" {'sold as an opioid' if population == 'opioid' else 'all samples'}")
                for target, measure, word in (("fentanyl", "n", "fentanyl tested"), ("fentanyl", "k", "fentanyl found"),
                                              ("xylazine", "k", "xylazine found")):
                    before, after = (_margin_rows(p, period, group, population, measure) for p in prots[target])
                    out.append(Row("Trends", f"{view}: {word}", before[0], before[1], after[1]))
    return out


def filters_of(con: duckdb.DuckDBPyConnection) -> list[Filters]:
    """No filter, then each single region, site, "sold as" and sample type the sidebar offers."""
    out = [Filters()]
    for name, column in (("region", "region"), ("site", "site"), ("expected", "expected_raw"),
                         ("sample_type", "sample_type")):
        values = [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM samples WHERE {column} IS NOT NULL"
                                            " ORDER BY 1").fetchall()]
        out += [Filters(**{name: v}) for v in values]
    return out


def _kind(f: Filters) -> str:
    chosen = [name for name in ("region", "site", "expected", "sample_type") if getattr(f, name) is not None]
    return {"region": "each region", "site": "each site", "expected": 'each "sold as"',
            "sample_type": "each sample type"}[chosen[0]] if chosen else "no filter"


def this_week(con: duckdb.DuckDBPyConnection, k: int) -> list[Row]:
    """This week's rates (n and k of each headline substance, both weeks) under no filter and each single one:
    before, the 7 days to the newest sample with each rate suppressed on its own; now, Trends' cells."""
    newest = con.execute("SELECT max(collected_date) FROM samples").fetchone()[0]
    sunday = public_headline.window_end(con, Filters())
    shared = {t: public_trends.protected(con, Filters(), t, k) for t in metrics.HEADLINE_TARGETS}
    out: dict[str, Row] = {}
    for f in filters_of(con):
        h = metrics.headline(con, f, end=newest)
        old = [h[w]["positivity"][t] for w in public_week.WEEKS for t in metrics.HEADLINE_TARGETS]
        frame = pd.DataFrame(old).assign(_row=range(len(old)))
        old = suppression.suppress_rates(frame, k, group_by=("_row",)).to_dict("records")
        new = public_week.rates(shared, f, sunday)
        new = [new[w][t] for w in public_week.WEEKS for t in metrics.HEADLINE_TARGETS]
        view = f"rates' n and k, both weeks, {_kind(f)}"
        row = out.setdefault(view, Row("This week", view, 0, 0, 0))
        for count in ("n", "k"):
            row.cells += sum(1 for r in new if r[count] > 0)
            row.before += _hidden(r[f"{count}_status"] for r in old if r[count] > 0)
            row.after += _hidden(r[f"{count}_status"] for r in new if r[count] > 0)
    return list(out.values())


def emerging(con: duckdb.DuckDBPyConnection, k: int) -> list[Row]:
    """Emerging's samples per region and substance (no filter and each region): exact from k up before, a bound
    now; hidden here means not shown exactly."""
    out = []
    for name, fn in (("first and last seen", lambda f: metrics.first_detections(con, f)),
                     ("names not in the dictionary", lambda f: metrics.unknown_substances(con, f))):
        n = np.concatenate([fn(f)["n"].to_numpy() for f in filters_of(con) if f.region or f == Filters()])
        n = n[n > 0]
        out.append(Row("Emerging", f"{name}: samples, no filter and each region (exactly)", len(n),
                       int((n < k).sum()), len(n)))
        out.append(Row("Emerging", f"{name}: samples, no filter and each region (as a bound)", len(n),
                       int((n < k).sum()), int((n < k).sum())))
    return out


PAGES = (trends, this_week, emerging)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench public-hiding", description=__doc__)
    p.add_argument("--warehouse", type=Path, default=None, help="warehouse file (default: the dashboard's)")
    p.add_argument("--k", type=int, default=suppression.k_from_env(), help="suppression threshold (default 5)")
    p.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    return p.parse_args(argv)


def table(rows: list[Row]) -> str:
    lines = ["| page | view | counts | hidden before | hidden now |", "|---|---|---|---|---|"]
    for r in rows:
        share = (lambda x: f"{x / r.cells:.1%}") if r.cells else (lambda x: "–")
        lines.append(f"| {r.page} | {r.view} | {r.cells:,} | {share(r.before)} | {share(r.after)} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    path = args.warehouse or db.warehouse_path()
    con = db.connect_readonly(path)
    started = time.perf_counter()
    rows = [row for page in PAGES for row in page(con, args.k)]
    con.close()
    body = (f"`python -m bench public-hiding` (bench/public_hiding.py) on {Path(path).name}, k = {args.k}: the share"
            " of public counts the public does not see exactly ('<k', 'suppressed' or, on Emerging now, 'k or more')."
            " Counts: Trends, the cells with at least one tested sample (as in docs/methods.md); This week and"
            " Emerging, the non-zero counts. Before: Trends, the previous block ladder (sides merged within a region);"
            " This week, the 7 days to the newest sample with each rate suppressed on its own (not safe: see"
            " docs/methods.md); Emerging, exact counts from k up."
            f" Machine: {report.machine()}; {time.perf_counter() - started:.0f} s; 1-minute load average"
            f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. Run {report.today()}.\n\n{table(rows)}\n")
    print(body)
    if not args.no_docs:
        report.update_section(TITLE, body)
    return 0
