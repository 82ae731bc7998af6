"""Small-cell suppression for public views: counts 1..k-1 hidden, plus complementary cells so totals reveal nothing.

Rule (docs/methods.md, "Small-cell suppression"): a count from 1 to k-1 is shown as ``<k``; a rate is hidden when its
numerator or denominator is hidden; and wherever a total of some cells is shown, a lone hidden cell is joined by
the next smallest cell (shown as "suppressed"), so the hidden cell cannot be recovered by subtraction.
Signed-in staff see exact counts; this module is only applied for the public.
"""

from __future__ import annotations

import os
from typing import Sequence

import pandas as pd

SHOWN, SMALL, COMPLEMENTARY = "shown", "small", "complementary"
DEFAULT_K = 5


def k_from_env(default: int = DEFAULT_K) -> int:
    """The threshold k from ``SUPPLYWATCH_SUPPRESS_K`` (an integer >= 2), else ``default``."""
    text = os.environ.get("SUPPLYWATCH_SUPPRESS_K", "").strip()
    if text.isdigit() and int(text) >= 2:
        return int(text)
    return default


def primary(values: Sequence[int | None], k: int) -> list[str]:
    """Each count's status: SMALL when 1 <= value < k, else SHOWN (zero and missing are shown)."""
    return [SMALL if v is not None and 1 <= int(v) < k else SHOWN for v in values]


def complementary(values: Sequence[int | None], status: Sequence[str]) -> list[str]:
    """Given the cells of one shown total, hide one more cell when exactly one is hidden.

    The extra cell is the smallest shown non-zero cell (a zero only if nothing else is left), so the
    hidden cell's value cannot be found as total minus the shown cells.
    """
    status = list(status)
    hidden = [i for i, s in enumerate(status) if s != SHOWN]
    if len(hidden) != 1:
        return status
    candidates = [i for i, s in enumerate(status) if s == SHOWN and values[i] is not None]
    if not candidates:
        return status
    nonzero = [i for i in candidates if int(values[i]) > 0]
    pool = nonzero or candidates
    pick = min(pool, key=lambda i: (int(values[i]), i))
    status[pick] = COMPLEMENTARY
    return status


def suppress_1d(values: Sequence[int | None], k: int, total_shown: bool = True) -> list[str]:
    """Primary suppression of a list of counts, plus complementary when their total is shown."""
    status = primary(values, k)
    return complementary(values, status) if total_shown else status


def suppress_matrix(table: pd.DataFrame, k: int) -> pd.DataFrame:
    """Statuses for a count matrix whose row and column totals are shown (repeated until stable)."""
    values = table.fillna(0).astype("int64").values.tolist()  # plain lists: pandas cell writes cost ~50 ms a page
    status = [primary(row, k) for row in values]
    width = len(table.columns)
    for _ in range(len(values) + width + 1):
        before = [row[:] for row in status]
        status = [complementary(row, st) for row, st in zip(values, status)]
        for c in range(width):
            column = complementary([row[c] for row in values], [st[c] for st in status])
            for r, value in enumerate(column):
                status[r][c] = value
        if status == before:
            break
    return pd.DataFrame(status, index=table.index, columns=table.columns)


def total_status(values: Sequence[int | None], k: int) -> str:
    """A total is itself a count: SMALL when 1 <= total < k."""
    total = sum(int(v) for v in values if v is not None)
    return SMALL if 1 <= total < k else SHOWN


def label(value: int | None, status: str, k: int, suppressed_word: str, fmt=str) -> str:
    """Text for one count cell: the number, '<k', or the word for a complementary cell."""
    if value is None:
        return ""
    if status == SMALL:
        return f"<{k}"
    if status == COMPLEMENTARY:
        return suppressed_word
    return fmt(value)


def suppress_rates(df: pd.DataFrame, k: int, n: str = "n", num: str = "k", group_by: Sequence[str] = ()) -> pd.DataFrame:
    """Mark numerator and denominator statuses of a rate table and blank rates where either is hidden.

    Denominators within each ``group_by`` group are treated as cells of a shown total (complementary
    suppression); numerators get primary suppression and inherit a hidden denominator.
    Adds ``n_status`` and ``k_status``; sets share/lo/hi to None on hidden rows.
    """
    out = df.copy().reset_index(drop=True)
    ns, ks = [int(v) for v in out[n]], [int(v) for v in out[num]]
    n_status, k_status = [SHOWN] * len(out), [SHOWN] * len(out)
    if group_by:
        keys = list(group_by)
        groups = out.groupby(keys[0] if len(keys) == 1 else keys, dropna=False).indices.values()
    else:
        groups = [range(len(out))]
    for idx in groups:
        idx = list(idx)
        for i, status in zip(idx, suppress_1d([ns[i] for i in idx], k)):
            n_status[i] = status
        for i, status in zip(idx, suppress_1d([ks[i] for i in idx], k)):
            k_status[i] = status
    for i in range(len(out)):
        if n_status[i] != SHOWN and k_status[i] == SHOWN and ks[i] > 0:
            k_status[i] = COMPLEMENTARY
    out["n_status"] = n_status
    out["k_status"] = k_status
    hidden = [a != SHOWN or b != SHOWN for a, b in zip(n_status, k_status)]
    for col in ("share", "lo", "hi"):
        if col in out:
            out[col] = pd.Series([None if h else v for v, h in zip(out[col].tolist(), hidden)], dtype="object")
    return out
