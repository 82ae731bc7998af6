"""Differencing attack on the public Concentration and Expected vs found pages: every view, every subtraction.

The attacker enumerates every public view of the two pages on the messy differencing fixture (every region and
none, each date range of test_differencing.RANGES read as whole public months, each chart and table) and writes
each shown count as a set of atoms: what the public can tell samples apart by on these pages (public month,
region, and the band or the expected substance and class). Both attacks of test_differencing (every subtraction,
every chain of sums and differences) must recover nothing; the same attacks on the rule used before (each table
suppressed on its own, every filter, ranges to the day) recover hidden counts.
"""

from __future__ import annotations

import datetime as dt
from itertools import product

import duckdb
import pandas as pd
import pytest

from supplywatch import db, metrics, public_concentration, public_expected_found, public_trends, suppression
from supplywatch.filters import Filters
from tests.security.conftest import built
from tests.security.test_differencing import RANGES, period_of, recovered, subtractions

K = 5
# A messy spread of fentanyl % over the fixture's samples with fentanyl found by FTIR (one value per sample, in
# sample order): most bands small, some crossing a month end.
PERCENTS = (2.5, 7.0, 12.0, 3.0, 18.0, 41.0, 4.5, 9.0, 63.0, 1.0, 6.0, 14.5, 22.0, 3.5, 8.0)
SHOWN = suppression.SHOWN


@pytest.fixture(scope="module")
def conc_samples(differencing_samples) -> list[dict]:
    """The differencing fixture with a fentanyl % on each sample FTIR found fentanyl in."""
    out, i = [], 0
    for s in differencing_samples:
        pct = None
        if s["ftir"] and "fentanyl" in s["found"]:
            pct, i = PERCENTS[i % len(PERCENTS)], i + 1
        out.append({**s, "pct": pct})
    return out


def with_percents(tmp_path_factory, name: str, samples: list[dict]):
    """A read-only connection to a warehouse of ``samples`` with their fentanyl % written."""
    path = built(tmp_path_factory, name, samples)
    with duckdb.connect(str(path)) as con:
        con.executemany("UPDATE samples SET fentanyl_pct = ? WHERE sample_id = ?",
                        [[s["pct"], s["sample_id"]] for s in samples if s["pct"] is not None])
        # values changed in place leave the row counts the summaries' stamp checks as they were: rebuild them, as
        # an operator's script that edits stored samples must (docs/data-dictionary.md, "Kept summaries")
        metrics.keep_summaries(con)
    return db.connect_readonly(path)


def fold(con, samples: list[dict]) -> list[dict]:
    """Each sample with what the load folded from its findings (the matching rule is tested elsewhere)."""
    rows = con.execute("SELECT sample_id, found_expected, found_unexpected, found_classes, found_substances"
                       " FROM samples").fetchall()
    by_id = {r[0]: r[1:] for r in rows}
    return [{**s, "matched": by_id[s["sample_id"]][0], "unexpected": by_id[s["sample_id"]][1],
             "classes": by_id[s["sample_id"]][2], "substances": set(by_id[s["sample_id"]][3])} for s in samples]


@pytest.fixture(scope="module")
def conc_con(tmp_path_factory, conc_samples):
    con = with_percents(tmp_path_factory, "differencing_conc", conc_samples)
    yield con
    con.close()


@pytest.fixture(scope="module")
def folded(conc_con, conc_samples) -> list[dict]:
    return fold(conc_con, conc_samples)


def band(s: dict) -> float:
    return min(s["pct"], 99.999) // 5 * 5


def cell(system, members: list[dict], key, value: int, status: str, where: str) -> dict:
    return {"system": system, "atoms": frozenset(key(s) for s in members), "ids": frozenset(s["sample_id"] for s in
            members), "value": value, "status": status, "where": where}


def regions(samples) -> list:
    return [None, *sorted({s["region"] for s in samples})]


def in_months(s: dict, f: Filters) -> bool:
    first, last = public_concentration.public_filters(f).start, public_concentration.public_filters(f).end
    return (f.region is None or s["region"] == f.region) and (first is None or s["date"] >= first) and (
        last is None or s["date"] <= last)


# ------------------------------------------------------------------ Concentration

def conc_atom(s: dict) -> tuple:
    return (period_of(s["date"], "month"), s["region"], band(s))


def concentration_cells(con, samples: list[dict]) -> list[dict]:
    """Monthly n under every range and region, the histogram of every region, and (never shown, so hidden) each
    month's small band counts, which must stay unknown too."""
    prot = public_concentration.protected(con, K)
    quantified = [s for s in samples if s["pct"] is not None]
    cells = []
    for (start, end), region in product(RANGES, regions(samples)):
        f = Filters(start=start, end=end, region=region)
        for r in public_concentration.monthly(prot, f).to_dict("records"):
            inside = [s for s in quantified if in_months(s, f) and period_of(s["date"], "month") == r["period"]]
            cells.append(cell("conc", inside, conc_atom, int(r["n"]), r["n_status"], f"month {r['period']} {f}"))
    for region in regions(samples):
        for r in public_concentration.histogram(prot, region).to_dict("records"):
            inside = [s for s in quantified if (region is None or s["region"] == region) and band(s) == r["lower"]]
            cells.append(cell("conc", inside, conc_atom, int(r["n"]), r["n_status"], f"band {r['lower']} {region}"))
    for region in regions(samples):
        for month, b in {(period_of(s["date"], "month"), band(s)) for s in quantified}:
            inside = [s for s in quantified if (region is None or s["region"] == region)
                      and period_of(s["date"], "month") == month and band(s) == b]
            if 1 <= len(inside) < K:
                cells.append(cell("conc", inside, conc_atom, len(inside), suppression.SMALL,
                                  f"unshown {month} band {b} {region}"))
    return cells


def test_concentration_histogram_of_all_regions_by_hand(conc_con):
    """Fentanyl found by FTIR in 91 samples of the fixture, PERCENTS given in turn: of every 15, band 0 gets 5
    (2.5, 3.0, 4.5, 1.0, 3.5), band 5 gets 4 (7, 9, 6, 8), band 10 gets 2 (12, 14.5), bands 15, 20, 40 and 60
    one each. 91 = 6 x 15 + 1, the last one 2.5: band 0 has 31, band 5 24, band 10 12, the others 6."""
    hist = public_concentration.histogram(public_concentration.protected(conc_con, K), None)
    assert [(int(r["lower"]), int(r["n"]), r["n_status"]) for r in hist.to_dict("records")] == [
        (0, 31, SHOWN), (5, 24, SHOWN), (10, 12, SHOWN), (15, 6, SHOWN), (20, 6, SHOWN), (40, 6, SHOWN),
        (60, 6, SHOWN)]


# ------------------------------------------------------------------ Expected vs found

def ef_atom(s: dict) -> tuple:
    return (period_of(s["date"], "month"), s["region"], s["expected_substance"] or s["expected_class"],
            s["expected_class"])


def expected_found_cells(con, samples: list[dict]) -> list[dict]:
    """The match table (tested, matched, something else active), the class matrix and the pairs under every range
    (the public page covers every date whatever the range) and region; each measure is its own system (which
    samples matched is not public)."""
    pub = public_expected_found.protected(con, K)
    trends = public_expected_found.trends_of(con, K)
    tested = [s for s in samples if s["ftir"]]
    slugs = public_expected_found.findings.class_slugs()
    cells = []
    for (start, end), region in product(RANGES, regions(samples)):
        f = public_expected_found.public_filters(Filters(start=start, end=end, region=region))
        here = [s for s in tested if in_months(s, f)]
        for r in public_expected_found.match(pub, f, trends).to_dict("records"):
            rows = [s for s in here if (s["expected_substance"] or s["expected_class"]) == r["expected"]]
            for measure, status in (("n", "n_status"), ("matched", "k_status"), ("unexpected", "u_status")):
                inside = [s for s in rows if measure == "n" or s[measure]]
                cells.append(cell(measure, inside, ef_atom, int(r[measure]), r[status],
                                  f"{measure} {r['expected']} {f}"))
        for r in public_expected_found.matrix(pub, f, trends).to_dict("records"):
            bit = slugs.index(r["found_class"])
            inside = [s for s in here if s["expected_class"] == r["expected_class"] and s["classes"] >> bit & 1]
            cells.append(cell(f"class:{r['found_class']}", inside, ef_atom, int(r["n"]), r["status"],
                              f"{r['expected_class']} found {r['found_class']} {f}"))
        for r in public_expected_found.pairs(pub, f).to_dict("records"):
            inside = [s for s in here if {r["a"], r["b"]} <= s["substances"]]
            cells.append(cell(f"pair:{min(r['a'], r['b'])}|{max(r['a'], r['b'])}", inside, ef_atom, int(r["n"]),
                              r["status"], f"pair {r['a']} {r['b']} {f}"))
    return cells


def test_expected_found_pressie_row_by_hand(conc_con):
    """The 2 Pressie samples (Coast, 2026-02-07, a benzodiazepine expected, bromazolam found) are under k alone;
    over every date they join Coast's other February blocks, so their row shows <5 and gives nothing away."""
    pub = public_expected_found.protected(conc_con, K)
    rows = public_expected_found.match(pub, Filters(), public_expected_found.trends_of(conc_con, K))
    rows = rows.set_index("expected")
    assert (int(rows.loc["benzodiazepine", "n"]), rows.loc["benzodiazepine", "n_status"]) == (2, suppression.SMALL)
    assert rows.loc["benzodiazepine", "share"] is None


# ------------------------------------------------------------------ the attacks

@pytest.fixture(scope="module")
def page_cells(conc_con, conc_samples, folded) -> dict[str, list[dict]]:
    return {"concentration": concentration_cells(conc_con, conc_samples),
            "expected_found": expected_found_cells(conc_con, folded)}


@pytest.mark.parametrize("page", ["concentration", "expected_found"])
def test_public_counts_are_true_and_some_are_hidden(page_cells, page):
    """The attacker's equations are right, and the fixture has shown counts to protect."""
    cells = page_cells[page]
    assert [c["where"] for c in cells if c["status"] == SHOWN and c["value"] != len(c["ids"])] == []
    assert any(c["status"] != SHOWN and c["value"] and not c["where"].startswith("unshown") for c in cells)


@pytest.mark.parametrize("page", ["concentration", "expected_found"])
def test_no_subtraction_across_public_views_recovers_a_count(page_cells, page):
    """A shown total minus shown cells of any views (regions against all, a range against another) that exactly
    cover the rest of it."""
    assert subtractions(page_cells[page]) == []


@pytest.mark.parametrize("page", ["concentration", "expected_found"])
def test_no_chain_across_public_views_recovers_a_count(page_cells, page):
    """Any sum and difference of shown counts of one measure (for Concentration, monthly n against the
    histogram's total too; one month's small bands, never shown, stay unknown as well)."""
    assert recovered(page_cells[page]) == []


# ------------------------------------------------------------------ the rule used before

OLD_FILTERS = ("region", "site", "expected", "sample_type")
FIELD = {"region": "region", "site": "site", "expected": "sold_as", "sample_type": "sample_type"}


def old_views(samples) -> list[Filters]:
    """The old public views: every date range (to the day), and no filter or any one of the four."""
    out = []
    for start, end in RANGES:
        out.append(Filters(start=start, end=end))
        for name in OLD_FILTERS:
            for value in sorted({s[FIELD[name]] for s in samples}):
                out.append(Filters(start=start, end=end, **{name: value}))
    return out


def old_member(s: dict, f: Filters) -> bool:
    return all(getattr(f, n) is None or s[FIELD[n]] == getattr(f, n) for n in OLD_FILTERS) and (
        f.start is None or s["date"] >= f.start) and (f.end is None or s["date"] <= f.end)


def old_atom(s: dict) -> tuple:
    return (s["date"], s["region"], s["site"], s["sold_as"], s["sample_type"], s["pct"] and band(s))


def test_the_rule_used_before_gave_concentration_counts_away(conc_con, conc_samples):
    """Each table suppressed on its own (monthly n primary, the histogram's bands complementary within it),
    under every filter and range to the day: the attack recovers hidden counts."""
    quantified = [s for s in conc_samples if s["pct"] is not None]
    cells = []
    for f in old_views(conc_samples):
        mine = [s for s in quantified if old_member(s, f)]
        months = metrics.concentration_by_month(conc_con, f)
        for p, n, st in zip(months["period"], months["n"], suppression.primary(list(months["n"]), K)):
            inside = [s for s in mine if s["date"].replace(day=1) == p.date().replace(day=1)]
            cells.append(cell("conc", inside, old_atom, int(n), st, f"month {p} {f}"))
        hist = metrics.concentration_histogram(conc_con, f)
        for lower, n, st in zip(hist["lower"], hist["n"], suppression.suppress_1d(list(hist["n"]), K)):
            cells.append(cell("conc", [s for s in mine if band(s) == lower], old_atom, int(n), st, f"band {lower} {f}"))
    assert [c["where"] for c in cells if c["value"] != len(c["ids"])] == []
    assert subtractions(cells) != [] and recovered(cells) != []


def test_the_rule_used_before_gave_expected_found_counts_away(conc_con, folded):
    """The match table's tested counts, suppressed per table (primary and complementary down the column)."""
    cells = []
    for f in old_views(folded):
        match = metrics.expected_found(conc_con, f, top=0)["match"]
        statuses = suppression.suppress_rates(match, K, num="matched")["n_status"]
        for e, n, st in zip(match["expected"], match["n"], statuses):
            inside = [s for s in folded if s["ftir"] and old_member(s, f)
                      and (s["expected_substance"] or s["expected_class"]) == e]
            cells.append(cell("n", inside, old_atom, int(n), st, f"n {e} {f}"))
    assert [c["where"] for c in cells if c["value"] != len(c["ids"])] == []
    assert recovered(cells) != []


def test_a_public_range_is_read_as_whole_public_months():
    """To Friday 2026-01-30: January's last week (Monday 01-26, Thursday 01-29) ends on Sunday 02-01."""
    f = public_concentration.public_filters(Filters(start=dt.date(2026, 1, 21), end=dt.date(2026, 1, 30),
                                                    site="Mobile Van", sample_type="drug"))
    assert f == Filters(start=dt.date(2025, 12, 29), end=dt.date(2026, 2, 1))


def test_a_suppressed_count_is_not_marked_low_n():
    """'Low n' (under 10) beside a 'suppressed' count would bound it to 5..9; beside <5 it says nothing more.

    Hills expected fentanyl 6, Valley 2, in one week: Valley's 2 joins Hills' block (6 + 2 = 8) in Trends' tested
    blocks, which the tested counts read, so Hills' 6 is not whole blocks ('suppressed'), Valley's is <5 and all
    regions' 8 is shown."""
    week, month = dt.date(2026, 1, 5), dt.date(2026, 1, 1)
    table = pd.DataFrame({"month": [month, month], "region": ["Hills", "Valley"],
                          "expected": ["fentanyl", "fentanyl"], "expected_class": ["fentanyl", "fentanyl"],
                          "n": [6, 2], "matched": [6, 2], "unexpected": [0, 0]})
    pub = public_expected_found.blocked(table, [], K)
    atoms = table[["month", "region", "expected", "expected_class", "n"]].assign(
        week=week, site=table["region"], expected_raw="Fentanyl", sample_type="drug", opioid=True, k=0, x=0)
    tested = public_trends.protect_atoms(atoms, K)
    trends = {t: tested for t in public_expected_found.linked_targets()}.get
    rows = {region: public_expected_found.match(pub, Filters(region=region), trends).iloc[0]
            for region in (None, "Hills", "Valley")}
    assert [(rows[r]["n"], rows[r]["n_status"], rows[r]["low_n"]) for r in (None, "Hills", "Valley")] == [
        (8, SHOWN, True), (6, suppression.COMPLEMENTARY, False), (2, suppression.SMALL, True)]
