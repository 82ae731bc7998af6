"""Plotly figures for the supply pages: Okabe-Ito colours, and marker shapes and dashes so meaning is never colour-only.

Every function takes already-aggregated (and, for the public, already-suppressed) frames plus the page's
translator ``_``; captions and table alternatives are written by the pages.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import i18n

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies. Orange,
# sky blue and yellow are darkened (same hue) so every series is at least 3:1 against the white background (WCAG
# 2.2, 1.4.11): orange #E69F00 -> #B27A00 (3.7:1), sky blue #56B4E9 -> #348ABF (3.8:1), yellow #F0E442 -> #8C7E00
# olive (4.1:1); the others already pass. Series also differ by marker shape and dash, never by colour alone.
OKABE_ITO = ("#0072B2", "#B27A00", "#009E73", "#CC79A7", "#D55E00", "#348ABF", "#8C7E00", "#000000")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
PATTERNS = ("", "/", "\\", "x", ".", "+", "-", "|")
# A white background with light grid lines, set directly: building plotly's "plotly_white" template object
# costs about a quarter of a second per figure.
# Text (ticks, titles, legend) in #444444, 9.7:1 on white (WCAG 1.4.3 asks 4.5:1).
PLAIN = {"plot_bgcolor": "#FFFFFF", "paper_bgcolor": "#FFFFFF", "font": {"color": "#444444"}, "template": {}}


def style(i: int) -> dict:
    """Colour, marker symbol, line dash and bar pattern for series number ``i``."""
    j = i % len(OKABE_ITO)
    return {"color": OKABE_ITO[j], "symbol": SYMBOLS[j], "dash": DASHES[j], "pattern": PATTERNS[j]}


def _layout(y_title: str, percent: bool = False, height: int = 420, xaxis: dict | None = None,
            yaxis: dict | None = None) -> dict:
    """The shared layout, handed to ``go.Figure`` whole: each update_layout/update_yaxes call re-validates the
    figure (about a tenth of a second on a page with three charts)."""
    y = {"title": {"text": y_title}, "rangemode": "tozero"}
    if percent:
        y.update(tickformat=".0%", range=[0, 1.02])
    y.update(yaxis or {})
    return {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hovermode": "closest",
        "xaxis": xaxis or {},
        "yaxis": y,
        **PLAIN,
    }


def band(x: list, lo: list, hi: list, colour: str, group: str) -> go.Scatter:
    """A 95% interval as one filled band around a line: one SVG path per series where an error bar per point drew
    three (a weekly Trends chart over two years took the browser about 2 s to draw). The edge is a thin line in the
    series' own colour (3:1 on white); the fill is that colour, faint. Not in the legend and not hoverable: the
    line's hover gives the interval."""
    return go.Scatter(
        x=[*x, *x[::-1]], y=[*hi, *lo[::-1]], mode="lines", fill="toself", fillcolor=_faint(colour),
        line={"color": colour, "width": 0.5}, hoverinfo="skip", showlegend=False, legendgroup=group,
    )


def _faint(colour: str, alpha: float = 0.15) -> str:
    """'#0072B2' as 'rgba(0,114,178,0.15)'."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def rate_lines(
    df: pd.DataFrame, series: str, label: Callable[[str], str], _: Callable[[str], str], y_title: str
) -> go.Figure:
    """Rates over time, one line per ``series`` value, each with its Wilson 95% interval as a shaded band under it
    (drawn first, so every line stays on top); low-n points drawn hollow."""
    bands, lines = [], []
    ci = _("95% CI")
    for i, (key, part) in enumerate(df.groupby(series, sort=True, dropna=False)):
        s = style(i)
        part = part.sort_values("period")
        shown = part[part["share"].notna()]
        share = shown["share"].astype(float).tolist()
        lo, hi = shown["lo"].astype(float).tolist(), shown["hi"].astype(float).tolist()
        x = list(shown["period"])
        name = label(key)
        bands.append(band(x, lo, hi, s["color"], name))
        symbols = [s["symbol"] + ("-open" if low else "") for low in shown["low_n"]]
        lines.append(
            go.Scatter(
                x=x,
                y=share,
                mode="lines+markers",
                name=name,
                legendgroup=name,
                line={"color": s["color"], "dash": s["dash"]},
                marker={"symbol": symbols, "size": 9, "color": s["color"]},
                customdata=list(zip(shown["k_text"], shown["n_text"], shown["low_n"].map(lambda v: _("low n") if v else ""),
                                    lo, hi)),
                hovertemplate="%{x|%Y-%m-%d}: %{y:.0%} (" + ci + " %{customdata[3]:.0%}–%{customdata[4]:.0%}; "
                "%{customdata[0]}/%{customdata[1]}) %{customdata[2]}<extra>" + name + "</extra>",
            )
        )
    return go.Figure(data=bands + lines, layout=_layout(y_title, percent=True))


def concentration(df: pd.DataFrame, _: Callable[[str], str]) -> go.Figure:
    """Monthly median fentanyl % with the interquartile range as error bars; low-n months hollow."""
    s = style(0)
    shown = df[df["median"].notna()]
    return go.Figure(
        go.Scatter(
            x=shown["period"],
            y=shown["median"],
            mode="lines+markers",
            name=_("Median"),
            line={"color": s["color"]},
            marker={"symbol": ["circle-open" if low else "circle" for low in shown["low_n"]], "size": 9},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": shown["q3"] - shown["median"],
                "arrayminus": shown["median"] - shown["q1"],
            },
            customdata=list(zip(shown["n_text"], shown["q1"], shown["q3"])),
            hovertemplate="%{x|%Y-%m}: %{y:.1f}% (IQR %{customdata[1]:.1f}-%{customdata[2]:.1f}, n=%{customdata[0]})<extra></extra>",
        ),
        layout=_layout(_("Fentanyl % by weight")),
    )


def bars(
    x: list, y: list, text: list, _: Callable[[str], str], y_title: str, x_title: str = "", horizontal: bool = False,
    hidden: list | None = None,
) -> go.Figure:
    """A single-series bar chart with the values written above the bars in dark text (white text on a hatched
    bar could not be read), every ``x`` kept on the axis, empty ones included. ``hidden``: for each bar the text
    of a suppressed count ('<5') or None; a suppressed bar has no height and its text stands at the base."""
    s = style(0)
    hidden = hidden or [None] * len(x)
    text = ["" if h else t for t, h in zip(text, hidden)]
    kwargs = {"y": x, "x": y, "orientation": "h"} if horizontal else {"x": x, "y": y}
    category = {"type": "category", "categoryorder": "array", "categoryarray": list(x)}
    notes = [{"x": 0, "y": c, "xanchor": "left", "text": h, "showarrow": False} if horizontal else
             {"x": c, "y": 0, "yanchor": "bottom", "text": h, "showarrow": False}
             for c, h in zip(x, hidden) if h]
    layout = _layout(x_title if horizontal else y_title,
                     xaxis={"title": {"text": y_title if horizontal else x_title}, **({} if horizontal else category)},
                     yaxis=category if horizontal else None)
    return go.Figure(
        go.Bar(**kwargs, text=text, textposition="outside", cliponaxis=False, textfont={"color": "#000000"},
               marker={"color": s["color"]}),
        layout={**layout, "annotations": notes},
    )


def rate_bars(df: pd.DataFrame, label_col: str, _: Callable[[str], str], x_title: str) -> go.Figure:
    """Horizontal bars of a share with Wilson error bars; each bar's name and 'k/n' written above it, left-aligned,
    where no whisker covers it and a phone's width does not clip it (no tick labels eating the plot's width)."""
    shown = df[df["share"].notna()]
    share = shown["share"].astype(float)
    s = style(0)
    rows = list(shown[label_col])
    # a row may say what its bar is instead of 'k/n' (the public's rounded share: no exact counts, no interval)
    said = [f"{k}/{n}" if not isinstance(note, str) else note for k, n, note in
            zip(shown["k_text"], shown["n_text"], shown.get("note", pd.Series([None] * len(shown), index=shown.index)))]
    notes = [{"x": 0, "y": label, "xref": "x", "yref": "y", "xanchor": "left", "yanchor": "bottom", "yshift": 10,
              "showarrow": False, "align": "left", "text": html.escape(f"{label} · {text}")}
             for label, text in zip(rows, said)]
    return go.Figure(
        go.Bar(
            y=rows,
            x=share,
            orientation="h",
            width=0.4,
            marker={"color": s["color"]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": shown["hi"].astype(float) - share,
                "arrayminus": share - shown["lo"].astype(float),
                "color": "#000000",
            },
            customdata=said,
            hovertemplate="%{y}: %{x:.0%} (%{customdata})<extra></extra>",
        ),
        layout={**_layout("", height=max(260, 64 * len(shown) + 80),
                          yaxis={"autorange": "reversed", "showticklabels": False, "rangemode": "normal"},
                          xaxis={"tickformat": ".0%", "range": [0, 1], "tickvals": [0, 0.2, 0.4, 0.6, 0.8, 1.0],
                                 "title": {"text": x_title}}),
                "annotations": notes},
    )


def matrix(values: pd.DataFrame, text: pd.DataFrame, x_title: str, y_title: str) -> go.Figure:
    """A count matrix as a heatmap (cividis, colour-blind safe) with every cell's number written in it."""
    return go.Figure(
        go.Heatmap(
            z=values.to_numpy(dtype=float),
            x=list(values.columns),
            y=list(values.index),
            text=text.to_numpy(),
            texttemplate="%{text}",
            colorscale="Cividis",
            showscale=False,
            hovertemplate="%{y} / %{x}: %{text}<extra></extra>",
        ),
        layout=_layout(y_title, height=max(320, 34 * len(values) + 120),
                       xaxis={"title": {"text": x_title}, "side": "top"},
                       yaxis={"autorange": "reversed", "rangemode": "normal"}),
    )



def _month_ticks(first: pd.Timestamp, last: pd.Timestamp, most: int = 8) -> list[pd.Timestamp]:
    """Month starts from ``first`` to ``last``, every 1, 2, 3, 6 or 12 months so at most ``most`` are drawn."""
    start = pd.Timestamp(first.year, first.month, 1)
    months = (last.year - start.year) * 12 + last.month - start.month + 1
    step = next((s for s in (1, 2, 3, 6, 12) if -(-months // s) <= most), 12 * (-(-months // (12 * most))))
    if step >= 3:  # quarters and half-years start in January, April, July, October
        start = pd.Timestamp(start.year, ((start.month - 1) // step) * step + 1, 1)
    ticks = []
    at = start
    while at <= last:
        if at >= pd.Timestamp(first.year, first.month, 1):
            ticks.append(at)
        at += pd.DateOffset(months=step)
    return ticks


def in_language(fig: go.Figure, lang: str) -> go.Figure:
    """The date axis labelled in the reader's language ('avr. 2025', not plotly's English 'Apr 2025').

    Plotly names months in English and Streamlit ships no plotly locale, so for French the month ticks are set
    here with babel (i18n.format_date). English keeps plotly's own ticks. Hover texts use numeric dates already.
    """
    if lang == "en":
        return fig
    stamps = [pd.Timestamp(x) for trace in fig.data if getattr(trace, "x", None) is not None
              for x in trace.x if isinstance(x, (pd.Timestamp, dt.date, np.datetime64))]
    stamps = [s for s in stamps if not pd.isna(s)]
    if not stamps:
        return fig
    ticks = _month_ticks(min(stamps), max(stamps))
    fig.update_xaxes(tickvals=ticks, ticktext=[i18n.format_date(t.date(), lang, "MMM y") for t in ticks])
    return fig
