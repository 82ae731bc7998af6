"""The pure statistics behind the rules, on small series the unit tests check by hand (docs/signals.md)."""

from __future__ import annotations

import math

from .settings import EARS_METHODS


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def two_proportion_test(k1: int, n1: int, k0: int, n0: int) -> tuple[float, float]:
    """Pooled two-proportion z-test of 'recent share > baseline share': (z, one-sided p)."""
    if not n1 or not n0:
        return 0.0, 1.0
    pooled = (k1 + k0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if se == 0:
        return 0.0, 1.0
    z = (k1 / n1 - k0 / n0) / se
    return z, normal_sf(z)


def mann_whitney_greater(recent: list[float], baseline: list[float]) -> tuple[float, float]:
    """Mann-Whitney U of 'recent tends to be larger', normal approximation with tie correction: (U, one-sided p)."""
    n1, n0 = len(recent), len(baseline)
    if not n1 or not n0:
        return 0.0, 1.0
    pooled = sorted([(v, 1) for v in recent] + [(v, 0) for v in baseline])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for r in range(i, j + 1):
            ranks[r] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    r1 = sum(rank for rank, (_, grp) in zip(ranks, pooled) if grp == 1)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n0
    var = n1 * n0 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return u, 1.0
    z = (u - n1 * n0 / 2 - 0.5) / math.sqrt(var)  # continuity correction
    return u, normal_sf(z)


def _mean_sd(values: list[float]) -> tuple[float, float]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def ears(values: list[float | None], method: str = "C2", min_sigma: float = 0.5,
         min_baseline: int = 5) -> list[float | None]:
    """EARS C1/C2/C3 statistic for every period of an evenly spaced count series (None = missing).

    C1: (x_t - mean) / sd over the 7 periods t-7..t-1. C2: the same over t-9..t-3 (a
    2-period lag). C3: the sum over t-2..t of max(0, C2 - 1). sd is the sample SD, floored
    at ``min_sigma``; a missing (suppressed) count is skipped, never read as 0; a period
    whose count or whose baseline (fewer than ``min_baseline`` counts) is missing gets None.
    """
    if method not in EARS_METHODS:
        raise ValueError(f"EARS method must be one of {', '.join(EARS_METHODS)}, got {method!r}")
    lag = 0 if method == "C1" else 2

    def c(t: int, lag: int) -> float | None:
        x = values[t]
        start = t - 7 - lag
        if x is None or start < 0:
            return None
        base = [v for v in values[start:t - lag] if v is not None]
        if len(base) < min_baseline:
            return None
        mean, sd = _mean_sd(base)
        return (x - mean) / max(sd, min_sigma)

    if method in ("C1", "C2"):
        return [c(t, lag) for t in range(len(values))]
    c2 = [c(t, 2) for t in range(len(values))]
    out: list[float | None] = []
    for t in range(len(values)):
        window = c2[t - 2:t + 1] if t >= 2 else []
        out.append(sum(max(0.0, v - 1) for v in window) if len(window) == 3 and None not in window else None)
    return out


def _median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
