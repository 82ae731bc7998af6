"""One-sentence text summaries of what a chart shows, for people who cannot see it (WCAG 1.1.1).

A screen reader meets a plotly chart as a pile of tick labels; :mod:`supplywatch.web.chart_frame` names each chart
and reads it this sentence instead: the newest value of each line with its n, the bars' values, a grid's size.
Built from the same rows the page plots (never from the figure, whose construction changes for speed), in the
reader's language through the page's translator and formatters. Every sentence ends with where the full numbers
are: the table under the chart.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

MOST = 6  # more lines or bars than this are not read out one by one: the table has them all


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def over_time(_: Callable[[str], str], title: str, df: pd.DataFrame, when: Callable, value: Callable[[dict], str],
              series: str | None = None, label: Callable = str, x: str = "period", y: str = "share") -> str:
    """'Weekly share with fentanyl, Jan 6, 2025 to Nov 10, 2026: last 34% (n=52).' One 'last' per line (up to
    :data:`MOST`, in the chart's order); ``value`` writes a row's value with its n."""
    drawn = df[[not _missing(v) for v in df[y]]] if y in df else df.iloc[0:0]
    if drawn.empty:
        return _("{title}: nothing to draw under these filters.").format(title=title)
    groups = [(None, drawn)] if series is None else list(drawn.groupby(series, sort=True, dropna=False))
    lasts = []
    for key, part in groups[:MOST]:
        row = part.sort_values(x).iloc[-1].to_dict()
        text = _("last {value} ({when})").format(value=value(row), when=when(row[x]))
        lasts.append(text if key is None else f"{label(key)}: {text}")
    more = _("{n} more lines in the table").format(n=len(groups) - MOST) if len(groups) > MOST else ""
    return _("{title}, {first} to {last}: {values}.").format(
        title=title, first=when(drawn[x].min()), last=when(drawn[x].max()), values="; ".join(lasts + [more][:bool(more)]))


def bars(_: Callable[[str], str], title: str, labels: list[str], values: list[str]) -> str:
    """'Samples by band: 0–5 % 12; 5–10 % <5; ...' (up to :data:`MOST` bars, then how many more)."""
    if not labels:
        return _("{title}: nothing to draw under these filters.").format(title=title)
    said = [f"{a} {b}" for a, b in zip(labels[:MOST], values[:MOST])]
    if len(labels) > MOST:
        said.append(_("{n} more in the table").format(n=len(labels) - MOST))
    return _("{title}: {values}.").format(title=title, values="; ".join(said))


def grid(_: Callable[[str], str], title: str, rows: int, columns: int) -> str:
    """'What people got instead: 6 rows by 8 columns of counts; every count is in the table.'"""
    return _("{title}: {rows} rows by {columns} columns of counts; every count is in the table.").format(
        title=title, rows=rows, columns=columns)
