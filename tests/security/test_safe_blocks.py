"""Safe blocks (supplywatch.safe_blocks): the merging ladder by hand, and the guarantee checked by brute force: on
random tables with every margin published, no hidden non-zero count is a sum and difference of shown counts."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from supplywatch import linked_suppression, safe_blocks
from supplywatch.suppression import SHOWN


def test_small_counts_join_their_site_then_the_smallest_block_of_their_region():
    """Atoms (region, site): A1 = 2 and A2 = 2 merge into 4, still under 5, so at the region level they join A3's
    6 (A's only block of 5 or more); B1 = 7 stays alone; B2 = 0 is in no block."""
    values = np.array([2, 2, 6, 7, 0])
    site = np.array([0, 0, 1, 2, 3])
    region = np.array([0, 0, 0, 1, 1])
    block = safe_blocks.partition(values, [site, region], 5)
    assert block.tolist() == [2, 2, 2, 3, -1]


def test_small_counts_that_reach_k_together_make_their_own_block():
    """2 + 3 = 5 in one region: a block of their own, the 9 beside them untouched."""
    block = safe_blocks.partition(np.array([2, 3, 9]), [np.array([0, 0, 0])], 5)
    assert block.tolist() == [0, 0, 2]


def test_a_total_under_k_is_one_block_and_every_nonzero_cell_is_hidden():
    block = safe_blocks.partition(np.array([1, 2, 0]), [np.array([0, 1, 2])], 5)
    assert block.tolist() == [0, 0, -1]
    status = safe_blocks.statuses(block, np.array([0, 0, 0]), np.array([3]), 5)
    assert status.tolist() == [1]


def test_a_cell_holding_part_of_a_block_is_hidden_a_cell_of_whole_blocks_is_shown():
    """Blocks {0, 1} (2 + 6) and {2} (7): by site, 6 is part of a block (hidden, 'complementary'), 2 is small; the
    region cells hold whole blocks."""
    block = np.array([0, 0, 2])
    by_site = safe_blocks.statuses(block, np.array([0, 1, 2]), np.array([2, 6, 7]), 5)
    assert by_site.tolist() == [1, 2, 0]
    by_region = safe_blocks.statuses(block, np.array([0, 0, 1]), np.array([8, 7]), 5)
    assert by_region.tolist() == [0, 0]


def _in_span(target: np.ndarray, rows: list[np.ndarray]) -> bool:
    if not rows:
        return not target.any()
    basis = np.array(rows, dtype=float)
    coef, *_ = np.linalg.lstsq(basis.T, target.astype(float), rcond=None)
    return bool(np.abs(basis.T @ coef - target).max() < 1e-6)


@pytest.mark.parametrize("seed", range(12))
def test_no_hidden_count_is_a_sum_and_difference_of_shown_ones(seed):
    """Three crossed dimensions (week, region, "sold as"), a site nested in region, every margin published, counts
    mostly small: the attacker, knowing which atoms are empty, solves for every hidden non-zero count."""
    rng = np.random.default_rng(seed)
    rows = [(w, s // 2, s, e) for w in range(3) for s in range(4) for e in range(2)]
    atoms = pd.DataFrame(rows, columns=["week", "region", "site", "expected"])
    atoms["n"] = rng.choice([0, 1, 2, 3, 4, 6, 9], size=len(atoms))
    dims = ("week", "region", "site", "expected")
    margins = [frozenset(c) for r in range(len(dims) + 1) for c in combinations(dims, r)]
    ladder = (("week", "region", "site"), ("week", "region"), ("week",))
    prot = linked_suppression.protect(atoms, dims, margins, ("n",), 5, blocks=ladder)
    live = atoms["n"].to_numpy() > 0
    shown, hidden = [], []
    for m in {prot.closure(m) for m in margins}:
        table = prot.table(m)
        for cell in table.to_dict("records"):
            members = np.ones(len(atoms), dtype=bool)
            for d in m:
                members &= atoms[d].to_numpy() == cell[d]
            vector = (members & live).astype(int)
            if cell["n_status"] == SHOWN:
                assert cell["n"] == 0 or cell["n"] >= 5
                shown.append(vector)
            elif cell["n"]:
                hidden.append((sorted(m), cell, vector))
    assert hidden  # the draw has something to protect
    assert [(m, c) for m, c, v in hidden if _in_span(v, shown)] == []
