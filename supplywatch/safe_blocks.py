"""Suppression by safe blocks: publish a count only when it is a sum of whole blocks of at least k.

The public sees the same counts in many views (weekly and monthly, split or filtered by region, site, "sold as",
sample type), so a hidden count can be a chain of sums and differences of shown ones. Hiding cells view by view
until no single subtraction works does not stop chains; checking the whole linear system exactly was too slow on a
real warehouse. This rule is safe by construction:

1. the finest counts ("atoms": one per week and month, region, site, "sold as" and sample type) are grouped into
   **blocks** of at least k, merging small ones with their neighbours up a fixed ladder of coarser groupings
   (:func:`partition`): across sample types, then "sold as", then sites, then regions within the same week and
   month, then weeks within the month, then everything;
2. a count is shown only when it is 0, or at least k and the sum of whole blocks (:func:`statuses`).

Why nothing hidden can be worked out: a hidden non-zero count either is small (then, since every block holds at
least k, it takes part of a block) or takes part of a block by rule 2. Move one sample from an atom of that block
inside the hidden cell to an atom of the same block outside it: every shown count holds the whole block or none
of it, so none changes, yet the hidden count does. No sum or difference of shown counts can tell the two tables
apart, so none equals the hidden count. This holds for any set of views that all read the same blocks, however
they are combined.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np


def partition(values: np.ndarray, levels: Sequence[np.ndarray], k: int) -> np.ndarray:
    """A block number per atom (-1 for an atom with no count): every block holds at least ``k`` unless everything
    together holds less.

    ``levels`` are group codes per atom, finest first, each grouping coarser than the one before. At each level,
    within each group, the blocks under ``k`` are merged together; when they still hold less than ``k`` they join
    the group's smallest block of ``k`` or more, if there is one, else wait for the next level.
    """
    values = np.asarray(values, dtype=np.int64)
    live = np.flatnonzero(values > 0)
    block = np.full(len(values), -1, dtype=np.int64)
    block[live] = live
    for codes in (*levels, np.zeros(len(values), dtype=np.int64)):
        size: dict[int, int] = defaultdict(int)
        group: dict[int, int] = {}
        for a in live:
            size[int(block[a])] += int(values[a])
            group[int(block[a])] = int(codes[a])
        members: dict[int, list[int]] = defaultdict(list)
        for b, g in group.items():
            members[g].append(b)
        into: dict[int, int] = {}
        for blocks in members.values():
            small = sorted(b for b in blocks if size[b] < k)
            if not small:
                continue
            big = [b for b in blocks if size[b] >= k]
            target = small[0]
            if sum(size[b] for b in small) < k and big:
                target = min(big, key=lambda b: (size[b], b))
            into.update({b: target for b in small if b != target})
        if into:
            block[live] = [into.get(int(b), int(b)) for b in block[live]]
    return block


def statuses(block: np.ndarray, cells: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Per cell of one margin (``cells``: the cell of each atom): 1 (small) for 1..k-1, 2 (complementary) for a
    cell holding part of a block, else 0 (shown)."""
    out = np.where((values >= 1) & (values < k), 1, 0).astype(np.int8)
    live = block >= 0
    if not live.any():
        return out
    pairs = np.unique(np.stack([block[live], cells[live]]), axis=1)
    blocks, spread = np.unique(pairs[0], return_counts=True)
    split = np.isin(pairs[0], blocks[spread > 1])
    cut = np.zeros(len(values), dtype=bool)
    cut[pairs[1][split]] = True
    out[(out == 0) & cut] = 2
    return out


def union_status(block: np.ndarray, values: np.ndarray, selection: np.ndarray, k: int) -> tuple[int, int]:
    """The count of the atoms in ``selection`` (any set of them, such as the weeks of a date range) and its status
    by the same rule: 1 (small) for 1..k-1, 2 when it holds part of a block, else 0."""
    total = int(values[selection].sum())
    if 1 <= total < k:
        return total, 1
    inside = np.unique(block[selection & (block >= 0)])
    return total, 2 if np.isin(block[~selection], inside).any() else 0
