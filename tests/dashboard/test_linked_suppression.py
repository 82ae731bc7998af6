"""Complementary suppression across linked margins, on hand-made counts."""

import pandas as pd
import pytest

from supplywatch import linked_suppression as ls
from supplywatch.suppression import COMPLEMENTARY as C, SHOWN as S, SMALL as X

WEEK_BY_REGION = pd.DataFrame({"week": ["w1"] * 3 + ["w2"] * 3, "region": ["Coast", "Hills", "Valley"] * 2,
                               "n": [6, 11, 2, 9, 7, 8]})


def statuses(prot: ls.Protected, dims, key: str = "n") -> dict:
    table = prot.table(dims)
    cols = sorted(prot.closure(dims))
    return {tuple(r[c] for c in cols): (r[key], r[f"{key}_status"]) for r in table.to_dict("records")}


def test_the_smallest_other_region_of_the_same_week_is_hidden_with_a_small_one():
    prot = ls.protect(WEEK_BY_REGION, ("week", "region"), [(), ("week",), ("region",), ("week", "region")], ("n",), 5)
    assert statuses(prot, ("week", "region")) == {
        # the grand total (43) over the six cells: the smallest other cell, Coast in week 1 (6), goes
        ("Coast", "w1"): (6, C), ("Hills", "w1"): (11, S), ("Valley", "w1"): (2, X),
        # Coast's and Valley's totals over both weeks (15, 10) are shown: their other week goes too
        ("Coast", "w2"): (9, C), ("Hills", "w2"): (7, S), ("Valley", "w2"): (8, C),
    }
    assert statuses(prot, ("week",)) == {("w1",): (19, S), ("w2",): (24, S)}
    assert statuses(prot, ("region",)) == {("Coast",): (15, S), ("Hills",): (18, S), ("Valley",): (10, S)}
    assert statuses(prot, ()) == {(): (43, S)}


def test_a_cell_alone_under_its_total_hides_the_total():
    atoms = pd.DataFrame({"region": ["North", "South"], "site": ["A", "B"], "n": [3, 40]})
    prot = ls.protect(atoms, ("region", "site"), [(), ("region",), ("site",)], ("n",), 5)
    # one site per region: the site determines the region, so the region margin and the site margin are one
    assert prot.depends["site"] == frozenset({"region"}) and prot.depends["region"] == frozenset({"site"})
    assert statuses(prot, ("site",)) == {("North", "A"): (3, X), ("South", "B"): (40, C)}
    assert statuses(prot, ()) == {(): (43, S)}


def test_a_site_in_two_regions_does_not_determine_the_region():
    atoms = pd.DataFrame({"region": ["North", "South", "South"], "site": ["Van", "Van", "Hub"], "n": [7, 2, 9]})
    prot = ls.protect(atoms, ("region", "site"), [(), ("region",), ("site",), ("region", "site")], ("n",), 5)
    assert prot.depends["site"] == frozenset()
    assert statuses(prot, ("region", "site")) == {("North", "Van"): (7, C), ("South", "Hub"): (9, C),
                                                  ("South", "Van"): (2, X)}
    # the Van's total (9) and South's (11) would each give the 2 away with one more shown cell: both hidden
    assert statuses(prot, ("site",)) == {("Hub",): (9, C), ("Van",): (9, C)}
    assert statuses(prot, ("region",)) == {("North",): (7, C), ("South",): (11, C)}


@pytest.mark.parametrize("k_values, expected", [
    # n: c (2) is small and a (20) its partner. k: a's 4 is small anyway, c's 9 goes with its hidden n
    ([4, 9, 9], [X, S, C]),
    # a's 6 goes with its hidden n; then the shown total 15 - 9 - 0 would give it away, so b's 9 goes too
    ([6, 9, 0], [C, C, S]),
])
def test_a_numerator_is_hidden_with_its_denominator(k_values, expected):
    atoms = pd.DataFrame({"region": ["a", "b", "c"], "n": [20, 30, 2], "k": k_values})
    prot = ls.protect(atoms, ("region",), [(), ("region",)], ("n", "k"), 5, hide_with={"k": "n"})
    rows = prot.table(("region",)).sort_values("region")
    assert list(rows["k_status"]) == expected
