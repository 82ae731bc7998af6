"""One differencing attack over every public page that shows counts, all at once.

The suites beside this one attack each page, or two pages, apart. Here the attacker reads This week (the rates'
n, k and finds outside n, and "Samples checked", under every filter), Trends (weekly and monthly, all samples and
sold as an opioid, every region and "sold as" filter, unsplit and split by region and expected substance, the
totals and the notes of finds outside n), Concentration (monthly n and the histogram, every region), Expected vs
found (every count of its three views, every region) and Emerging (bounds only: no count to write) on one messy
warehouse: the differencing fixture and the class fixture of test_differencing_link.py together. Every shown count
is a linear equation over the counts per atom of its measure; the measures two pages share are one system (Trends'
tested count of a target only FTIR and the lab detect and Expected vs found's tested count; Trends' found count of
other opioids or stimulants and Expected vs found's class columns and bare classes' matched counts). A hidden count
is recovered when it lies in the span of the shown ones: none is. The rule used before (Expected vs found on its
own blocks) is replayed: the same attack recovers counts.
"""

from __future__ import annotations

import pytest

from supplywatch import public_trends, suppression
from supplywatch.filters import Filters
from tests.security import test_differencing_link as link
from tests.security.conftest import FIXTURE, fixture_samples
from tests.security.test_differencing import (K, _view_cells, in_view, overview_cells, overview_filters, recovered,
                                               subtractions)
from tests.security.test_differencing_conc import (PERCENTS, concentration_cells, expected_found_cells, fold,
                                                    with_percents)
from tests.security.test_differencing_pages import trends_outside_cells, week_cells

SHOWN = suppression.SHOWN
TARGETS = ("fentanyl", "xylazine", "opioid_other", "stimulant")


@pytest.fixture(scope="module")
def samples() -> list[dict]:
    """Both fixtures, numbered anew, with a fentanyl % on each sample FTIR found fentanyl in."""
    out, i = [], 0
    for s in fixture_samples(FIXTURE) + fixture_samples(link.CLASS_FIXTURE):
        pct = None
        if s["ftir"] and "fentanyl" in s["found"]:
            pct, i = PERCENTS[i % len(PERCENTS)], i + 1
        out.append({**s, "sample_id": f"J{len(out) + 1:03d}", "pct": pct})
    return out


@pytest.fixture(scope="module")
def views(tmp_path_factory, samples) -> dict[str, list[dict]]:
    """Every page's counts on the joint warehouse (with the fentanyl % of each sample)."""
    con = with_percents(tmp_path_factory, "differencing_joint", samples)
    try:
        return every_page(con, samples, fold(con, samples))
    finally:
        con.close()


def trends_cells(con, samples: list[dict]) -> list[dict]:
    """Trends' views of TARGETS under each region and each "sold as" filter and none (crossed filters, sites and
    sample types are attacked in test_differencing.py), weekly and monthly, all and opioid samples, each split;
    tested counts of the targets only FTIR and the lab detect in the shared system."""
    cells = []
    filters = [Filters(), *(Filters(region=r) for r in sorted({s["region"] for s in samples})),
               *(Filters(expected=e) for e in sorted({s["sold_as"] for s in samples}))]
    for target in TARGETS:
        prot = public_trends.protected(con, Filters(), target, K)
        for f in filters:
            for population in ("all", "opioid"):
                members = [s for s in samples if in_view(s, f, population)]
                for period in ("week", "month"):
                    for group in (None, "region", "expected"):
                        cells += _view_cells(prot, f, target, period, group, population, members) if members else []
    for c in cells:
        if c["system"][0] in link.LINKED and c["system"][1] == "tested":
            c["system"] = link.TESTED
    return cells


def every_page(con, samples: list[dict], folded: list[dict]) -> dict[str, list[dict]]:
    """Every page's counts ("pages"), and Expected vs found's counts that Trends also shows as the page gives them
    ("linked") and on the page's own blocks, as before ("old"); each measure one system (a tuple)."""
    one = overview_filters(samples, 1)
    pages = (trends_cells(con, samples) + trends_outside_cells(con, samples, one) + week_cells(con, samples, one)
             + overview_cells(con, samples) + concentration_cells(con, samples) + expected_found_cells(con, folded))
    out = {"pages": pages,
           "linked": link.evf_tested_cells(con, samples) + link.evf_class_cells(con, samples),
           "old": link.evf_tested_cells(con, samples, old=True) + link.evf_class_cells(con, samples, old=True)}
    for c in (c for part in out.values() for c in part):
        c["system"] = c["system"] if isinstance(c["system"], tuple) else (c["system"],)
    return out


@pytest.fixture(scope="module")
def cells(views) -> list[dict]:
    return views["pages"] + views["linked"]


PAGES = {"Trends": lambda c: c["where"].split()[0] in TARGETS or c["where"].startswith("trends"),
         "This week": lambda c: c["where"].startswith(("this week", "checked")),
         "Concentration": lambda c: c["system"] == ("conc",),
         "Expected vs found": lambda c: c["where"].startswith("evf") or c["system"][0] in ("n", "matched", "unexpected")
         or c["system"][0].startswith(("class:", "pair:"))}


def test_every_shown_count_is_true(cells):
    assert [c["where"] for c in cells if c["status"] == SHOWN and c["value"] != len(c["ids"])] == []
    hidden = {page for page, on in PAGES.items() for c in cells if c["status"] != SHOWN and c["value"] and on(c)}
    assert hidden == set(PAGES)  # every page has hidden counts to protect


def test_no_chain_across_every_public_page_recovers_a_count(cells):
    """Every sum and difference of shown counts of every page, one linear system per measure."""
    assert recovered(cells) == []


def test_no_subtraction_across_every_public_page_recovers_a_count(cells):
    assert subtractions(cells) == []


def test_the_same_attack_recovers_counts_with_expected_found_on_its_own_blocks(views):
    """Expected vs found's tested, class and bare classes' matched counts on the page's own blocks, replayed:
    the attack has teeth."""
    found = recovered(views["pages"] + views["old"])
    assert "evf class opioid_other found opioid_other None = 15" in found  # the "Opioid" samples with one found
    assert len(found) == 59 and len([x for x in found if x.startswith("evf")]) == 5, found
