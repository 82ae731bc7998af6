"""Complementary suppression over linked tables: every published margin of one table of counts at once.

A public page does not show one table: it shows many views of the same counts (unsplit, split by region, filtered
to one site, ...), and each view's cells add up to cells of another view. A small cell hidden in one view can be
recovered by subtracting shown cells of other views from a shown total. This module takes the finest counts
("atoms", one row per combination of the dimensions) and the list of margins the public can see, and hides cells
until no additive relation between published margins has exactly one hidden member:

- a *relation* is a parent cell of margin A and its child cells in a finer margin B (A's dimensions a subset of
  B's): parent = sum of children;
- primary: a count from 1 to k-1 is hidden (SMALL);
- wherever a relation has exactly one hidden member, the smallest shown non-zero child is hidden too
  (COMPLEMENTARY), a zero child when no non-zero one is left, and the parent when no child is left;
- repeated until stable (hiding only ever grows, so it ends).

Statuses are decided once on the shared margins, so every view that shows a cell shows it the same way. Works on
the aggregated counts (a few thousand rows at 1M samples), never on samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from . import safe_blocks
from .suppression import COMPLEMENTARY, SHOWN, SMALL

_CODES = {0: SHOWN, 1: SMALL, 2: COMPLEMENTARY}


@dataclass
class Protected:
    """Each published margin's columns (dimensions, counts and ``<value>_status``) as plain arrays, and the
    dimensions' dependencies."""

    arrays: dict[frozenset, dict[str, np.ndarray]]
    depends: dict[str, frozenset] = field(default_factory=dict)
    atoms: dict[str, np.ndarray] = field(default_factory=dict)  # with blocks: the atoms' dimensions and counts
    blocks: dict[str, np.ndarray] = field(default_factory=dict)  # with blocks: each count's block per atom
    k: int = 0

    def union(self, selection: np.ndarray, value: str) -> tuple[int, str]:
        """A count over any set of atoms (``selection``, one bool per atom) and its status, when protected by
        blocks (:func:`supplywatch.safe_blocks.union_status`)."""
        total, code = safe_blocks.union_status(self.blocks[value], self.atoms[value], selection, self.k)
        return total, _CODES[code]

    def closure(self, dims: Iterable[str]) -> frozenset:
        """``dims`` plus every dimension they determine (a site in one region determines the region)."""
        out = set(dims)
        while True:
            more = set().union(*(self.depends.get(d, frozenset()) for d in out)) - out
            if not more:
                return frozenset(out)
            out |= more

    def columns(self, dims: Iterable[str]) -> dict[str, np.ndarray]:
        """The margin over ``dims`` (closed) as arrays, one per column; KeyError when it was not protected."""
        return self.arrays[self.closure(dims)]

    def table(self, dims: Iterable[str]) -> pd.DataFrame:
        """The same margin as a frame."""
        return pd.DataFrame(self.columns(dims))


def _factorize(atoms: pd.DataFrame, dims: Sequence[str]) -> dict[str, np.ndarray]:
    return {d: pd.factorize(atoms[d], sort=False)[0].astype(np.int64) for d in dims}


def _combine(codes: dict[str, np.ndarray], cols: Sequence[str], size: int) -> np.ndarray:
    """One integer per atom for its cell of the margin over ``cols``, numbered 0.. in sorted key order."""
    if not cols:
        return np.zeros(size, dtype=np.int64)
    key = np.zeros(size, dtype=np.int64)
    room = 1
    for c in cols:
        width = int(codes[c].max(initial=0)) + 1
        if room * width >= 2**62:  # renumber before the mixed-radix key could overflow
            key, room = np.unique(key, return_inverse=True)[1].astype(np.int64), int(key.max(initial=0)) + 1
        key, room = key * width + codes[c], room * width
    return np.unique(key, return_inverse=True)[1].astype(np.int64)


def dependencies(atoms: pd.DataFrame, dims: Sequence[str], codes: dict | None = None) -> dict[str, frozenset]:
    """For each dimension, the others it determines in these atoms (one value of b for every value of a)."""
    codes = codes or _factorize(atoms, dims)
    out = {}
    for a in dims:
        groups = len(np.unique(codes[a]))
        out[a] = frozenset(b for b in dims if b != a and len(atoms)
                           and len(np.unique(_combine(codes, (a, b), len(atoms)))) == groups)
    return out


def protect(atoms: pd.DataFrame, dims: Sequence[str], margins: Iterable[Iterable[str]], values: Sequence[str],
            k: int, hide_with: dict[str, str] | None = None, audit: bool = False,
            blocks: Sequence[Sequence[str]] | None = None, private: Iterable[Iterable[str]] = ()) -> Protected:
    """Statuses of every cell of every margin in ``margins`` for each count column in ``values``.

    ``hide_with={"k": "n"}`` hides a non-zero ``k`` wherever ``n`` is hidden (a numerator beside a hidden
    denominator) before ``k`` is protected in turn; values are processed in the order given.
    ``audit=True`` then also hides cells until no hidden cell is any sum and difference of shown ones
    (:func:`_audit`; dense linear algebra over cells x atoms, for tables of a few thousand atoms at most).
    ``blocks`` (groupings of the dimensions, finest first) replaces both with :mod:`supplywatch.safe_blocks`: a
    cell is shown only when it is a sum of whole blocks of at least ``k``, safe against any chain by construction.
    ``hide_with`` is then ignored: each count stands on its own blocks (a numerator hidden only because its
    denominator is would be a sum of whole blocks, computable from the shown ones); a rate still needs both.
    ``private`` margins (with ``audit``) are never shown, yet their cells from 1 to k-1 must not be computable
    either (a finer split the page does not offer, such as one month's histogram).
    """
    hide_with = hide_with or {}
    atoms = atoms.reset_index(drop=True)
    size = len(atoms)
    dim_codes = _factorize(atoms, dims)
    result = Protected({}, dependencies(atoms, dims, dim_codes))
    hidden_only = {result.closure(m) for m in private}
    closed = sorted({result.closure(m) for m in margins} | hidden_only, key=lambda m: (len(m), sorted(m)))
    codes, first = {}, {}
    raw = {v: atoms[v].to_numpy(dtype=np.int64) for v in values}
    plain = {d: atoms[d].to_numpy() for d in dims}
    for m in closed:
        codes[m] = _combine(dim_codes, sorted(m), size)
        first[m] = np.unique(codes[m], return_index=True)[1] if size else np.zeros(0, dtype=np.int64)
    relations = [(a, b, codes[a][first[b]]) for a, b in combinations(closed, 2)
                 if a < b and size and not {a, b} & hidden_only]
    status: dict[str, dict[frozenset, np.ndarray]] = {}
    nums_of: dict[str, dict] = {}
    for v in values:
        nums = {m: np.bincount(codes[m], weights=raw[v], minlength=len(first[m])).astype(np.int64)
                if size else np.zeros(1 if not m else 0, dtype=np.int64) for m in closed}
        if blocks is not None:
            block = safe_blocks.partition(raw[v], [_combine(dim_codes, sorted(g), size) for g in blocks], k)
            st = {m: safe_blocks.statuses(block, codes[m], nums[m], k) for m in closed}
        else:
            st = {m: np.where((nums[m] >= 1) & (nums[m] < k), 1, 2 if m in hidden_only else 0).astype(np.int8)
                  for m in closed}
        if v in hide_with and blocks is None:  # with blocks, such a cell would be hidden yet computable
            for m in closed:
                st[m][(status[hide_with[v]][m] > 0) & (st[m] == 0) & (nums[m] > 0)] = 2
        if blocks is None:
            _stabilise(st, nums, relations)
        if audit and size:
            _audit(st, nums, codes, closed, size, relations, k, hidden_only)
        status[v], nums_of[v] = st, nums
        if blocks is not None:
            result.blocks[v] = block
            result.atoms[v] = raw[v]
    if blocks is not None:
        result.atoms.update(plain)
        result.k = k
    labels = np.array([_CODES[c] for c in sorted(_CODES)], dtype=object)
    for m in closed:
        table = {c: plain[c][first[m]] for c in sorted(m)}
        for v in values:
            table[v] = nums_of[v][m]
            table[f"{v}_status"] = labels[status[v][m]]
        result.arrays[m] = table
    return result


def _stabilise(st: dict, nums: dict, relations: list) -> None:
    """Hide cells until no relation has exactly one hidden member."""
    changed = True
    while changed:
        changed = False
        for a, b, pid in relations:
            hidden_b = st[b] > 0
            count = np.bincount(pid, weights=hidden_b, minlength=len(st[a])) + (st[a] > 0)
            bad = count == 1
            if not bad.any():
                continue
            changed = True
            cand = np.flatnonzero(bad[pid] & ~hidden_b)
            # smallest non-zero child first, then zeros, ties by position: one per parent
            order = cand[np.lexsort((cand, nums[b][cand], nums[b][cand] == 0, pid[cand]))]
            parents, pick = np.unique(pid[order], return_index=True)
            st[b][order[pick]] = 2
            lone = np.flatnonzero(bad)
            lone = lone[~np.isin(lone, parents)]
            st[a][lone[st[a][lone] == 0]] = 2


def _audit(st: dict, nums: dict, codes: dict, closed: list, size: int, relations: list, k: int = 1,
           hidden_only: frozenset | set = frozenset()) -> None:
    """Hide cells until no hidden non-zero cell lies in the span of the shown cells (as sets of atoms).

    A single relation between two nested margins is what :func:`_stabilise` checks; cells of margins that are not
    nested (a site filter and a "sold as" filter) can still add and subtract to a hidden cell. Each cell is the
    indicator vector of its atoms; a hidden cell whose vector is a combination of shown cells' vectors can be
    computed by the public. For each such cell the smallest shown non-zero cell sharing atoms with it is hidden,
    the margins are made consistent again, and the check repeats (hiding only grows, so it ends). Cells of
    ``hidden_only`` margins of k or more are never shown but need not stay unknown.
    """
    blocks, spans = [], []
    for m in closed:
        rows = np.zeros((len(st[m]), size), dtype=np.int64)
        rows[codes[m], np.arange(size)] = 1
        blocks.append(rows)
        spans.append(len(st[m]))
    cells = np.vstack(blocks)
    values = np.concatenate([nums[m] for m in closed])
    bounds = np.cumsum([0, *spans])
    exempt = np.concatenate([np.full(len(st[m]), m in hidden_only) for m in closed]) & (values >= k)
    while True:
        hidden = np.concatenate([st[m] > 0 for m in closed])
        suspects = np.flatnonzero(hidden & (values > 0) & ~exempt)
        found = suspects[~_reduce(cells[suspects], *_echelon(cells[~hidden])).any(axis=1)]
        if not len(found):
            return
        for h in found:
            pool = np.flatnonzero(~hidden & (values > 0) & ((cells * cells[h]).sum(axis=1) > 0))
            if not len(pool):  # an earlier pick of this round hid its last shown neighbour: checked again next round
                continue
            pick = pool[np.lexsort((pool, values[pool]))][0]
            m = int(np.searchsorted(bounds, pick, side="right")) - 1
            st[closed[m]][pick - bounds[m]] = 2
            hidden[pick] = True
        _stabilise(st, nums, relations)


# Exact linear algebra modulo a large prime, in plain vectorised integer steps: no floating-point tolerance, and
# no multithreaded BLAS call (which on a busy two-core server took a second for a 150 x 180 matrix).
_P = 2_147_483_647


def _echelon(rows: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """The reduced row echelon form (mod ``_P``) of integer ``rows``: its non-zero rows and their pivot columns."""
    basis = rows.astype(np.int64) % _P
    pivots: list[int] = []
    r = 0
    for c in range(basis.shape[1]):
        if r == len(basis):
            break
        nz = np.flatnonzero(basis[r:, c])
        if not len(nz):
            continue
        i = r + int(nz[0])
        basis[[r, i]] = basis[[i, r]]
        basis[r] = basis[r] * pow(int(basis[r, c]), _P - 2, _P) % _P
        others = np.flatnonzero(basis[:, c])
        others = others[others != r]
        basis[others] = (basis[others] - basis[others, c][:, None] * basis[r]) % _P
        pivots.append(c)
        r += 1
    return basis[:r], pivots


def _reduce(rows: np.ndarray, basis: np.ndarray, pivots: list[int]) -> np.ndarray:
    """``rows`` minus their part in the span of ``basis``: all zero exactly for rows inside the span."""
    out = rows.astype(np.int64) % _P
    for j, c in enumerate(pivots):
        out = (out - out[:, c:c + 1] * basis[j]) % _P
    return out
