"""Rates with their uncertainty: the Wilson interval and the columns every rate table carries (docs/methods.md).

Pure Python over counts; the dashboard, the public trends and the signals read rates the same way.
"""

from __future__ import annotations

import math

import pandas as pd

Z95 = 1.959963984540054  # two-sided 95% normal quantile
LOW_N = 10  # rates over fewer tested samples are marked "low n" on charts


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """95% Wilson score interval for k successes out of n; (None, None) when n is 0."""
    if not n:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return lo, hi


def add_rates(df: pd.DataFrame, k: str = "k", n: str = "n") -> pd.DataFrame:
    """Add share, lo, hi (Wilson) and low_n columns for count columns ``k`` of ``n``."""
    out = df.copy()
    bounds = [wilson(int(a), int(b)) for a, b in zip(out[k], out[n])]
    out["share"] = [(int(a) / int(b)) if int(b) else None for a, b in zip(out[k], out[n])]
    out["lo"] = [b[0] for b in bounds]
    out["hi"] = [b[1] for b in bounds]
    out["low_n"] = out[n] < LOW_N
    return out
