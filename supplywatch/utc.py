"""UTC in the two shapes the project uses (ground floor: imports nothing of the project).

The stores' TIMESTAMP columns hold naive values that are always UTC; code passes aware UTC values around.
A naive value handed in is taken to be UTC already.
"""

from __future__ import annotations

import datetime as dt


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as the naive UTC value a TIMESTAMP column holds."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def as_utc(value: dt.datetime) -> dt.datetime:
    """An aware UTC datetime; naive values are taken to be UTC already (DuckDB TIMESTAMP)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)
