"""bench/public_hiding.py: its per-page counts on the differencing fixture, by hand, and its command line."""

from __future__ import annotations

import subprocess
import sys

from bench import public_hiding

K = 5


def test_emerging_rows_count_the_regions_and_substances(differencing_con):
    """First detections, no filter: 12 region x substance rows, 5 of them 1 to 4 samples (Coast bromazolam 2, Hills
    bromazolam 3, Valley methamphetamine 4, Hills methamphetamine 1, Valley xylazine 3); per region the same 12
    rows again. Exact before (10 of 24 hidden), a bound now (all 24 not exact, the same 10 under k)."""
    rows = {r.view: r for r in public_hiding.emerging(differencing_con, K)}
    exact = rows["first and last seen: samples, no filter and each region (exactly)"]
    bound = rows["first and last seen: samples, no filter and each region (as a bound)"]
    assert (exact.cells, exact.before, exact.after) == (24, 10, 24)
    assert (bound.cells, bound.before, bound.after) == (24, 10, 10)
    assert rows["names not in the dictionary: samples, no filter and each region (as a bound)"].cells == 0


def test_trends_rows_show_the_ladder_keeping_the_weekly_opioid_count(differencing_con):
    """Fentanyl tested among samples sold as an opioid, weekly: 3 weeks; the old ladder hid 01-19 and 02-02 (a
    small count of other samples joined an opioid block), the new one none."""
    rows = {r.view: r for r in public_hiding.trends(differencing_con, K)}
    row = rows["weekly, unsplit, sold as an opioid: fentanyl tested"]
    assert (row.cells, row.before, row.after) == (3, 2, 0)


def test_this_week_rows_unfiltered_keep_every_rate(differencing_con):
    """No filter: fentanyl and xylazine n and k in both weeks (8 non-zero counts, the other substances 0): before,
    each rate alone, none under 5; now, Trends' cells, all whole blocks (the ladder keeps the opioid side apart)."""
    rows = {r.view: r for r in public_hiding.this_week(differencing_con, K)}
    row = rows["rates' n and k, both weeks, no filter"]
    assert (row.cells, row.before, row.after) == (8, 0, 0)
    assert set(rows) == {f"rates' n and k, both weeks, {kind}" for kind in (
        "no filter", "each region", "each site", 'each "sold as"', "each sample type")}


def test_the_bench_has_help():
    out = subprocess.run([sys.executable, "-m", "bench", "public-hiding", "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "--warehouse" in out and "--no-docs" in out
