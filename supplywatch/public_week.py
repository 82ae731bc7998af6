"""This week's positivity rates as the public sees them: cells of the public Trends margins, not a table of their own.

The overview shows, per headline substance, the share of samples sold as an opioid in which it was found, this
week and the week before, under any region, site, "sold as" and sample type filter. Each of those counts is a cell
of Trends' weekly margin for samples sold as an opioid under the same filter (supplywatch.public_trends): read from
the same blocks, it has the same status on both pages, so This week adds no count an attacker could subtract from
Trends' (or from another filter's). The public week is a Trends week, Monday to Sunday
(supplywatch.public_headline.window_end). See docs/methods.md, "This week's rates, median and matched share".
"""

from __future__ import annotations

import datetime as dt

from . import metrics, public_trends
from .filters import Filters
from .linked_suppression import Protected
from .suppression import SHOWN

WEEKS = ("current", "previous")


def mondays(end: dt.date) -> dict[str, dt.date]:
    """The Monday of this week (the one ``end`` falls in) and of the week before."""
    monday = end - dt.timedelta(days=end.weekday())
    return {"current": monday, "previous": monday - dt.timedelta(days=7)}


def rate_of(prot: Protected, f: Filters, target: str, monday: dt.date) -> dict:
    """One week's rate of ``target`` among samples sold as an opioid under ``f``'s filters, as Trends shows that
    week's cell (the same margin, row and statuses as public_trends.view_of, read without building its frame): n, k
    and the finds outside n with their statuses, the rate and interval only when both counts are shown."""
    table, pick = public_trends.cells_of(prot, f, "opioid", set(), "week", monday, monday)
    row = {"target": target, "n": 0, "k": 0, "n_status": SHOWN, "k_status": SHOWN, "share": None, "lo": None,
           "hi": None}
    if len(pick):
        i = pick[0]
        row.update(n=int(table["n"][i]), k=int(table["k"][i]), n_status=table["n_status"][i],
                   k_status=table["k_status"][i])
    if row["n"] and row["n_status"] == row["k_status"] == SHOWN:
        row["share"] = row["k"] / row["n"]
        row["lo"], row["hi"] = metrics.wilson(row["k"], row["n"])
    chosen = public_trends.atoms_of(prot, f, "opioid", "week", monday, monday)
    row["outside"], row["outside_status"] = prot.union(chosen, "x")
    return row


def rates(shared: dict[str, Protected], f: Filters, end: dt.date) -> dict[str, dict[str, dict]]:
    """Per week ("current", "previous") and headline substance, :func:`rate_of` (``shared``: each substance's
    protected Trends margins)."""
    weeks = mondays(end)
    return {w: {t: rate_of(shared[t], f, t, weeks[w]) for t in metrics.HEADLINE_TARGETS} for w in WEEKS}


def rounded_share(k: int, n: int, least: int) -> float | None:
    """A share to the nearest 10 points, only when ``n`` is at least ``least`` (4k for the public): each step then
    holds at least two possible counts even for a reader who knows n exactly from another page, so no count can be
    worked out from it (None: not shown). For This week's "matched what people expected" (docs/methods.md)."""
    if n < max(least, 1):
        return None
    return int(k * 10 / n + 0.5) / 10
