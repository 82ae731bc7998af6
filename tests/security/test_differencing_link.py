"""Differencing attack across Trends and Expected vs found: the counts both pages show, on one set of blocks.

For a target that only FTIR and the lab detect (other opioids, stimulants), Trends' tested count is every FTIR- or
lab-tested sample, so Trends' tested count split by expected substance, summed over every month, is Expected vs
found's tested count of that expected substance (all regions or one). The attacker of
tests/security/test_differencing.py writes both pages' counts over the same atoms (week, month, region, site,
"sold as", sample type) in one system. With each page on its own blocks (the rule used before, replayed here)
chains across the two pages recover tested counts; with Expected vs found reading Trends' blocks, none.
"""

from __future__ import annotations

import pytest

from supplywatch import public_expected_found, suppression
from supplywatch.filters import Filters
from tests.security.test_differencing import K, atom, public_cells, recovered, subtractions

SHOWN = suppression.SHOWN
TESTED = ("ftir or lab", "tested")  # one system: the same samples on both pages
LINKED = ("opioid_other", "stimulant")


def expected_of(s: dict) -> str | None:
    """What Expected vs found groups a sample by: its usable expectation (None: the sample names none)."""
    if (s["expected_class"] or "") in ("placeholder", "unclassified", "unknown"):
        return None
    return s["expected_substance"] or s["expected_class"] or None


def regions(samples) -> list:
    return [None, *sorted({s["region"] for s in samples})]


def _evf_cell(system, domain: list[dict], counted: list[dict], value: int, status: str, where: str) -> dict:
    """A count as the attacker writes it: the atoms of every sample it is counted over, and the samples counted."""
    return {"system": system, "atoms": frozenset(atom(s) for s in domain),
            "ids": frozenset(s["sample_id"] for s in counted), "value": value, "status": status, "where": where}


def evf_tested_cells(con, samples: list[dict], old: bool = False) -> list[dict]:
    """Expected vs found's tested count per expected substance, all regions and each (every date): read from
    Trends' tested blocks, or (``old``) on the page's own blocks, as before."""
    pub = public_expected_found.protected(con, K)
    trends = public_expected_found.trends_of(con, K)
    tested = [s for s in samples if s["ftir"]]
    cells = []
    for region in regions(samples):
        f = Filters(region=region)
        for r in public_expected_found.match(pub, f, trends).to_dict("records"):
            here = [s for s in tested if expected_of(s) == r["expected"] and region in (None, s["region"])]
            status = r["n_status"]
            if old:
                pick = pub.selection(f) & (pub.atoms["expected"] == r["expected"]).to_numpy()
                status = pub.cell("n", pick)[1]
            cells.append(_evf_cell(TESTED, here, here, int(r["n"]), status, f"evf tested {r['expected']} {region}"))
    return cells


def trends_tested_cells(con, samples: list[dict], targets=LINKED) -> list[dict]:
    """Every public Trends view of the targets only FTIR and the lab detect (weekly and monthly, every region, site
    and "sold as" filter, unsplit and split by region or expected substance), their tested counts in the shared
    system (found counts stay each target's own)."""
    cells = public_cells(con, samples, periods=("week", "month"), targets=targets)
    for c in cells:
        if c["system"][1] == "tested":
            c["system"] = TESTED
    return cells


@pytest.fixture(scope="module")
def link_cells(differencing_con, differencing_samples) -> dict[str, list[dict]]:
    trends = trends_tested_cells(differencing_con, differencing_samples)
    return {"new": trends + evf_tested_cells(differencing_con, differencing_samples),
            "old": trends + evf_tested_cells(differencing_con, differencing_samples, old=True)}


def test_the_tested_counts_are_the_same_samples_on_both_pages(link_cells):
    """Every shown count is true, and Expected vs found's tested count is Trends' tested count by expected
    substance over every month: Crystal (methamphetamine) 1 + 4 + 6 = 11 FTIR-tested samples, Hills 1."""
    cells = link_cells["new"]
    assert [c["where"] for c in cells if c["status"] == SHOWN and c["value"] != len(c["ids"])] == []
    evf = {c["where"]: c for c in cells if c["where"].startswith("evf")}
    assert (evf["evf tested methamphetamine None"]["value"], evf["evf tested methamphetamine Hills"]["value"]) == (11, 1)
    trends = [c for c in cells if c["system"] == TESTED and not c["where"].startswith("evf")]
    for c in evf.values():
        same = [t for t in trends if t["atoms"] == c["atoms"]]
        assert all(t["value"] == c["value"] for t in same)


def test_the_old_rule_gave_tested_counts_away_across_the_two_pages(link_cells):
    """Each page on its own blocks: sums and differences of Trends' monthly cells by expected substance and
    region against Expected vs found's every-date counts pin tested counts of both pages."""
    found = recovered(link_cells["old"])
    assert len(found) == 20, found


def test_no_chain_across_trends_and_expected_found_recovers_a_tested_count(link_cells):
    cells = link_cells["new"]
    assert any(c["status"] != SHOWN and c["value"] and c["where"].startswith("evf") for c in cells)
    assert recovered(cells) == []
    assert subtractions(cells) == []


def test_the_tested_counts_read_trends_blocks(differencing_con):
    """All regions: every tested count is Trends' tested count by expected substance over every date, with its
    status; Trends hides all of them on the fixture, so the page does too."""
    pub = public_expected_found.protected(differencing_con, K)
    trends = public_expected_found.trends_of(differencing_con, K)
    match = public_expected_found.match(pub, Filters(), trends).set_index("expected")
    totals = trends("stimulant").table({"expected"}).set_index("expected")
    for e, row in match.iterrows():
        assert (row["n"], row["n_status"]) == (totals.loc[e, "n"], totals.loc[e, "n_status"]), e
