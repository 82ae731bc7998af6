"""Histogram bands as the reader sees them: every band from 0 up to the highest one with data, empty ones as 0,
so an empty band stays on the axis instead of closing the gap between its neighbours."""

from __future__ import annotations

import pandas as pd


def complete_bands(hist: pd.DataFrame, width: float) -> pd.DataFrame:
    """``hist`` (lower, n) with the missing bands [0, width, 2 width ... highest] added with n = 0."""
    if hist.empty:
        return hist.assign(n=hist["n"].astype("int64"))
    top = int(round(float(hist["lower"].max()) / width))
    lowers = pd.DataFrame({"lower": [i * float(width) for i in range(top + 1)]})
    found = hist.assign(lower=hist["lower"].astype(float))
    out = lowers.merge(found, on="lower", how="left")
    out["n"] = out["n"].fillna(0).astype("int64")
    return out
