"""Expected vs found as the public sees it, protected against subtraction across every view by safe blocks.

The public page shows, for all regions or one, over every date, the match table (tested, matched, something else
active per expected substance), the expected class x found class matrix and the co-occurrence pairs. Site,
"sold as" and sample type are for signed-in staff, and so are date ranges: the same counts over each range of
whole months could only be shown by hiding most of them (measured: docs/benchmarks.md). Every count is counted
once per atom (public month x region x expected substance x expected class) and split into blocks of at least k
(supplywatch.safe_blocks), months first, so a count over every date keeps whole blocks; a count is shown only
when it is whole blocks. Counts that are also Trends counts (the tested count per expected substance is Trends'
tested count of a target only FTIR and the lab detect, split by expected substance, over every month) are read
from Trends' blocks instead (supplywatch.public_trends), so the two pages give one count one status and
nothing can be subtracted across them; where Trends does not give the same count, it is hidden. See
docs/methods.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Callable

import duckdb
import numpy as np
import pandas as pd

from . import findings, metrics, public_trends, public_week, safe_blocks
from .expected_found import finding_cells
from .filters import Filters
from .linked_suppression import Protected
from .rates import wilson
from .suppression import COMPLEMENTARY, SHOWN, SMALL

_CODES = {0: SHOWN, 1: SMALL, 2: COMPLEMENTARY}
GAP = public_trends.NO_VALUE
DIMS = ("month", "region", "expected", "expected_class")
# How each kind of count is merged into blocks, finest first: across months, then regions, then everything.
LADDERS = {"match": (("region", "expected"), ("expected",)),
           "class": (("region", "expected_class"), ("expected_class",)),
           "pair": (("region",),)}


@cache
def linked_targets() -> tuple[str, ...]:
    """The Trends targets that only FTIR and the lab detect and whose denominator is every FTIR- or lab-tested
    sample (other opioids, stimulants, cuts): Trends' tested count of any of them, split by expected substance, is
    this page's tested count, and its found count is this page's count of samples with that class found."""
    methods = set(findings.FINDING_METHODS)
    return tuple(t for t in metrics.TREND_TARGETS
                 if metrics.is_class(t) and metrics.capable_methods(t) == metrics.sensitive_methods(t) == methods)


def trends_of(con: duckdb.DuckDBPyConnection, k: int) -> Callable[[str], Protected]:
    """The public Trends margins of a target, each computed once, when first asked for: for callers without the
    dashboard's cache (tests, the benches); the pages pass Trends' cached margins instead. A caller reads only the
    targets its counts need (cuts, say, only for a row of samples expected to be a cut)."""
    got: dict[str, Protected] = {}

    def read(target: str) -> Protected:
        if target not in got:
            got[target] = public_trends.protected(con, Filters(), target, k)
        return got[target]
    return read


def via_trends(prot: Protected, measure: str, value: int, selection: np.ndarray, k: int) -> str:
    """The status of a count of this page that Trends also shows: Trends' status for the same atoms
    (``selection`` of its atoms, ``measure`` 'n' or 'k'), or hidden when Trends' count there is not the same."""
    total, status = prot.union(selection, measure)
    if not value or (total == value and status == SHOWN):
        return SHOWN
    return SMALL if value < k else COMPLEMENTARY


def _trends_atoms(prot: Protected, f: Filters, **equal) -> np.ndarray:
    """Trends' atoms of the public months and region ``f`` reads (as :meth:`PublicCounts.selection`) whose
    dimensions have the values ``equal``."""
    keep = public_trends.atoms_of(prot, f, "all", "month", *public_trends.period_bounds(f, "month"))
    for dim, value in equal.items():
        keep &= prot.atoms[dim] == value
    return keep


def public_filters(f: Filters) -> Filters:
    """What the public may vary on this page: the region (every date, whatever the range)."""
    return Filters(region=f.region)


@dataclass
class PublicCounts:
    """Every count per atom and its blocks: ``values``/``blocks`` keyed by measure ('n', 'matched', 'unexpected',
    'class:<slug>', 'pair:<a>|<b>'); ``chosen``: the substances of the co-occurrence matrix."""

    atoms: pd.DataFrame
    values: dict[str, np.ndarray]
    blocks: dict[str, np.ndarray]
    chosen: list[str]
    k: int

    def selection(self, f: Filters) -> np.ndarray:
        """The atoms of the whole public months ``f``'s range touches, in its region (all when None)."""
        keep = public_trends._in_range(self.atoms["month"].to_numpy(), *public_trends.period_bounds(f, "month"))
        if f.region is not None:
            keep &= (self.atoms["region"] == f.region).to_numpy()
        return keep

    def cell(self, measure: str, selection: np.ndarray) -> tuple[int, str]:
        """A count over the selected atoms and its status (shown only when whole blocks)."""
        if measure not in self.values:
            return 0, SHOWN
        total, code = safe_blocks.union_status(self.blocks[measure], self.values[measure], selection, self.k)
        return total, _CODES[code]


def _atom_cells(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """finding_cells over every date, with the public month and region of each."""
    week = metrics._period_sql("week", "s.collected_date")
    group = (f"strftime({public_trends.month_of_week(week)}, '%Y-%m-%d') || '|' || "
             f"coalesce(s.region, {metrics._lit(GAP)})")
    cells = finding_cells(con, Filters(), group, by_week=True)  # the month of a week: read by week
    parts = cells["grp"].str.split("|", n=1, expand=True) if len(cells) else pd.DataFrame({0: [], 1: []})
    return cells.assign(month=pd.to_datetime(parts[0]).dt.date, region=parts[1],
                        expected=cells["expected"].fillna(GAP), expected_class=cells["expected_class"].fillna("?"))


def _top(cells: pd.DataFrame, top: int) -> list[str]:
    """The ``top`` substances found in most samples over every date and region (ties by name)."""
    found: dict[str, int] = {}
    for names, n in zip(cells["found_substances"], cells["n"]):
        for name in names:
            found[name] = found.get(name, 0) + int(n)
    return sorted(sorted(found, key=lambda s: (-found[s], s))[:top])


def measures(cells: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """One row per expanded cell: its atom and, per measure, how many samples it adds."""
    rows = []
    slugs = findings.class_slugs()
    for r in cells.itertuples(index=False):
        n = int(r.n)
        row = {d: getattr(r, d) for d in DIMS}
        if r.expected != GAP:
            row.update({"n": n, "matched": n * bool(r.found_expected), "unexpected": n * bool(r.found_unexpected)})
        row.update({f"class:{s}": n for bit, s in enumerate(slugs) if int(r.found_classes) >> bit & 1})
        present = sorted(set(r.found_substances) & set(chosen))
        row.update({f"pair:{a}|{b}": n for i, a in enumerate(present) for b in present[i:]})
        rows.append(row)
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(DIMS))
    counts = [c for c in frame.columns if c not in DIMS]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    return frame.groupby(list(DIMS), as_index=False)[counts].sum()


def protected(con: duckdb.DuckDBPyConnection, k: int, top: int = 10) -> PublicCounts:
    """Every public count per atom with its blocks (shared by every public reader)."""
    cells = _atom_cells(con)
    chosen = _top(cells, top)
    return blocked(measures(cells, chosen), chosen, k)


def blocked(table: pd.DataFrame, chosen: list[str], k: int) -> PublicCounts:
    """The counts per atom of ``table`` (DIMS and one column per measure) split into blocks by LADDERS."""
    codes = {d: pd.factorize(table[d])[0].astype(np.int64) for d in DIMS}
    values, blocks = {}, {}
    for measure in table.columns.drop(list(DIMS)):
        kind = "match" if ":" not in measure else measure.split(":")[0]
        levels = [pd.factorize(pd.Series(list(zip(*(codes[d] for d in g)))))[0] for g in LADDERS[kind]]
        values[measure] = table[measure].to_numpy(dtype=np.int64)
        blocks[measure] = safe_blocks.partition(values[measure], levels, k)
    return PublicCounts(table[list(DIMS)], values, blocks, chosen, k)


def match(pub: PublicCounts, f: Filters, trends: Callable[[str], Protected]) -> pd.DataFrame:
    """Per expected substance: n tested, matched, something else active, each with its status, and the rates
    (None where either count is hidden). ``trends``: the public Trends margins of a target (:func:`trends_of`);
    n's status is Trends' for the same samples (the tested blocks of :func:`linked_targets` are all the same)."""
    pick = pub.selection(f)
    # no such target (a method sensitivity table where FTIR misses them all): no Trends count is this page's
    tested = trends(linked_targets()[0]) if linked_targets() else None
    usable = ~np.isin(tested.atoms["expected_class"], findings.NO_EXPECTATION) if tested else None
    records = []
    for e in sorted(set(pub.atoms["expected"][pick]) - {GAP}):
        here = pick & (pub.atoms["expected"] == e).to_numpy()
        (n, ns), (m, ms), (u, us) = (pub.cell(v, here) for v in ("n", "matched", "unexpected"))
        if not n:
            continue
        if tested:
            ns = via_trends(tested, "n", n, usable & _trends_atoms(tested, f, expected=e), pub.k)
        if e in linked_targets() and set(pub.atoms["expected_class"][here]) == {e}:
            # a bare class (sold as "an upper"): matched is Trends' found count of the class for the same samples
            found = trends(e)
            ms = via_trends(found, "k", m, _trends_atoms(found, f, expected=e, expected_class=e), pub.k)
        rec = {"expected": e, "n": n, "matched": m, "unexpected": u, "n_status": ns, "k_status": ms, "u_status": us,
               "low_n": ns != COMPLEMENTARY and n < metrics.LOW_N}  # no bound on a "suppressed" n
        for prefix, count, status in (("", m, ms), ("unexpected_", u, us)):
            lo, hi = wilson(count, n)
            hidden = ns != SHOWN or status != SHOWN
            rec.update({f"{prefix}share": None if hidden else count / n, f"{prefix}lo": None if hidden else lo,
                        f"{prefix}hi": None if hidden else hi})
        rec["rounded"] = rounded_share(m, ms, n, ns, pub.k)
        records.append(rec)
    out = pd.DataFrame(records)
    if out.empty:
        return out
    for col in ("share", "lo", "hi", "unexpected_share", "unexpected_lo", "unexpected_hi", "rounded"):
        out[col] = pd.Series([r[col] for r in records], dtype="object")  # None, not NaN, where hidden
    return out.sort_values(["n", "expected"], ascending=[False, True], kind="stable").reset_index(drop=True)


def rounded_share(matched: int, matched_status: str, n: int, n_status: str, k: int) -> float | None:
    """The matched share to the nearest 10 points, for a row whose exact share is hidden, or None.

    Given only where no count follows from it: n must be hidden (the page says "of 4k or more"), and the rounded
    share must stay the same when a hidden count is one more or one less (each that is possible: no more matched
    than tested), at least one of them possible. A hidden count can change by one sample without changing any
    shown count (supplywatch.safe_blocks); with the share unchanged too, the two tables look the same, so neither
    count can be worked out, even by a reader who knows the other one exactly.
    """
    if n_status == SHOWN or n < 4 * k:
        return None
    share = public_week.rounded_share(matched, n, 4 * k)
    moves = [((0, -1), (0, 1))] + ([((-1, 0), (1, 0))] if matched_status != SHOWN else [])  # n, then matched
    for pair in moves:
        near = [(matched + dm, n + dn) for dm, dn in pair if 0 <= matched + dm <= n + dn]
        if not near or any(public_week.rounded_share(m, t, 1) != share for m, t in near):
            return None
    return share


def matrix(pub: PublicCounts, f: Filters, trends: Callable[[str], Protected]) -> pd.DataFrame:
    """(expected_class, found_class, n, status): samples by expected class and each active class found. A class
    Trends counts over every FTIR- or lab-tested sample (:func:`linked_targets`) has Trends' found count of the same
    samples, and its status."""
    pick = pub.selection(f)
    rows = []
    for e in sorted(set(pub.atoms["expected_class"][pick])):
        here = pick & (pub.atoms["expected_class"] == e).to_numpy()
        for slug in findings.class_slugs():
            n, status = pub.cell(f"class:{slug}", here)
            if n and slug in linked_targets():
                found = trends(slug)
                status = via_trends(found, "k", n, _trends_atoms(found, f, expected_class=e), pub.k)
            if n:
                rows.append((e, slug, n, status))
    return pd.DataFrame(rows, columns=["expected_class", "found_class", "n", "status"])


def pairs(pub: PublicCounts, f: Filters) -> pd.DataFrame:
    """(a, b, n, status), both orders: samples containing both of two of the chosen substances (a == b: a)."""
    pick = pub.selection(f)
    rows = []
    for i, a in enumerate(pub.chosen):
        for b in pub.chosen[i:]:
            n, status = pub.cell(f"pair:{a}|{b}", pick)
            if n:
                rows += [(a, b, n, status)] + ([(b, a, n, status)] if a != b else [])
    return pd.DataFrame(rows, columns=["a", "b", "n", "status"])
