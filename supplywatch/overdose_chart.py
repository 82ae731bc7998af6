"""The overdoses figure as small multiples: one panel per region, the supply signal in its own panel, alerts in
their own lane on top, suppressed periods as shaded bands (never points at 0), the x-axis bounded by the data.

One figure with its axes laid out by hand (make_subplots costs about a second per figure): every panel shares the
one x axis, so dates line up down the page and a phone reads it as one scrolling column.
"""

from __future__ import annotations

import html
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from .charts import OKABE_ITO, PLAIN, style

SUPPLY_COLOUR = OKABE_ITO[-1]  # black: never one of the overdose lines' colours
SUPPRESSED_FILL = "#8C8C8C"
SUPPRESSED_BAND = "rgba(140, 140, 140, 0.3)"  # SUPPRESSED_FILL, faint
LAG_FILL = "#999999"
PANEL_PX, SUPPLY_PX, LANE_PX, MARGIN_PX = 150, 130, 46, 60
GAP_PX = 34  # room for each panel's title
# A line with more points than this is drawn without markers: past about 60 points a panel leaves a marker under
# 20 px on a laptop (a few on a phone), so they merge into a thick line, and the demo's 3,700 markers cost a new
# tab 0.7 s of drawing (docs/benchmarks.md). Colour and dash still tell the lines apart.
MARKERS_UP_TO = 60
BAND_HEADROOM = 1.08  # a panel with bands runs from 0 to this times its highest count, the bands to its top


def _alert_rows(dates: list[pd.Timestamp], span: pd.Timedelta, rows: int = 3) -> list[int]:
    """A row in the alert lane for each (sorted) date, so that markers closer than a twelfth of the span sit on
    different rows instead of on top of each other."""
    gap = span / 12
    last: list[pd.Timestamp | None] = [None] * rows
    out = []
    for d in dates:
        row = next((r for r in range(rows) if last[r] is None or d - last[r] >= gap), len(out) % rows)
        last[row] = d
        out.append(row)
    return out


def _merged(hidden: pd.DataFrame, least: pd.Timedelta) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The suppressed periods of one panel as bands: periods that touch or overlap (next day or sooner, any line)
    become one band, so a panel reads as shaded runs rather than stacked slivers. A period drawn at one date (a
    rolling window at its end) is given a width of ``least``."""
    spans = sorted((min(pd.Timestamp(a), pd.Timestamp(b) - least), pd.Timestamp(b))
                   for a, b in zip(hidden["period_start"], hidden["period_end"]))
    out: list[list[pd.Timestamp]] = []
    for x0, x1 in spans:
        if out and x0 <= out[-1][1] + pd.Timedelta(days=1):
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def _isolated(values: pd.Series) -> pd.Series:
    """True for each shown value with no shown neighbour (before and after it are suppressed or nothing): drawn
    as lines only, such a count would not show at all."""
    shown = values.notna()
    return shown & ~shown.shift(1, fill_value=False) & ~shown.shift(-1, fill_value=False)


def _bands(runs: list[tuple[pd.Timestamp, pd.Timestamp]], top: float, ref: str, name: str) -> go.Scatter:
    """A panel's suppressed runs as one filled trace, a rectangle from 0 to ``top`` per run (gaps between them):
    the 81 layout shapes they were took a new tab about 0.9 s to draw (docs/benchmarks.md). Not hoverable, not in
    the legend: the panel's note says what the shading means."""
    x, y = [], []
    for x0, x1 in runs:
        x += [x0, x0, x1, x1, x0, None]
        y += [0, top, top, 0, 0, None]
    return go.Scatter(x=x[:-1], y=y[:-1], mode="lines", fill="toself", fillcolor=SUPPRESSED_BAND, name=name,
                      line={"width": 0, "color": SUPPRESSED_FILL}, hoverinfo="skip", showlegend=False, yaxis=ref)


def overdoses(
    series: pd.DataFrame,
    supply: pd.DataFrame | None,
    alert_dates: list,
    lag_from,
    _: Callable[[str], str],
    supply_label: str,
    facet: str = "region",
    line: str = "line",
) -> go.Figure:
    """Counts per ``line`` (a substance, one colour each in every panel) in one panel per ``facet`` value.

    ``series`` has period_start, period_end, value, suppressed, value_label and the ``facet`` and ``line``
    columns; ``supply`` has period, share, lo, hi (or is None/empty). Alerts outside the data's dates are left
    out rather than widening the axis.
    """
    start = pd.Timestamp(series["period_start"].min()) if len(series) else None
    end = pd.Timestamp(series["period_end"].max()) if len(series) else None
    panels = sorted(series[facet].dropna().unique()) if len(series) else []
    has_supply = supply is not None and len(supply) > 0
    alerts = sorted({pd.Timestamp(d) for d in alert_dates
                     if start is not None and start <= pd.Timestamp(d) <= end})
    # Heights in pixels, top to bottom: alert lane, region panels, supply panel.
    heights = ([("lane", LANE_PX)] if alerts else []) + [(p, PANEL_PX) for p in panels] + (
        [("supply", SUPPLY_PX)] if has_supply else [])
    total = sum(h for _n, h in heights) + GAP_PX * len(heights)
    domains, top = {}, 1.0
    for name, h in heights:
        top -= GAP_PX / total if name != "lane" else 0
        domains[name] = (max(0.0, top - h / total), top)
        top -= h / total
    axis_of = {name: ("y" if i == 0 else f"y{i + 1}") for i, (name, _h) in enumerate(heights)}

    lines = sorted(series[line].dropna().unique()) if len(series) else []
    colour = {name: style(i % (len(OKABE_ITO) - 1)) for i, name in enumerate(lines)}  # black is the supply's
    traces, shapes, annotations = [], [], []
    layout: dict = {}
    for name, _h in heights:
        ref = axis_of[name]
        key = "yaxis" + ref[1:]
        layout[key] = {"domain": list(domains[name]), "anchor": "x", "rangemode": "tozero", "automargin": True}
        if name == "lane":
            continue
        title = (_("Share of checked samples with {what}").format(what=supply_label) if name == "supply"
                 else html.escape(name))
        annotations.append({"x": 0, "y": domains[name][1], "xref": "paper", "yref": "paper", "xanchor": "left",
                            "yanchor": "bottom", "showarrow": False, "font": {"size": 13}, "text": f"<b>{title}</b>"})

    seen_lines = set()
    for panel in panels:
        ref = axis_of[panel]
        rows = series[series[facet] == panel]
        for name, part in rows.groupby(line, sort=True):
            s = colour[name]
            part = part.sort_values("period_start")
            dense = len(part) > MARKERS_UP_TO
            look = {"name": html.escape(str(name)), "legendgroup": str(name), "yaxis": ref,
                    "line": {"color": s["color"], "dash": s["dash"]},
                    "marker": {"symbol": s["symbol"], "color": s["color"]},
                    "hovertemplate": "%{x|%Y-%m-%d}: %{y}<extra>" + html.escape(f"{panel} · {name}") + "</extra>"}
            traces.append(go.Scatter(x=part["period_start"], y=part["value"], mode="lines" if dense else
                                     "lines+markers", showlegend=name not in seen_lines, connectgaps=False, **look))
            alone = _isolated(part["value"])
            if dense and alone.any():  # a count between two suppressed ones has no line to be drawn on
                traces.append(go.Scatter(x=part["period_start"][alone], y=part["value"][alone], mode="markers",
                                         showlegend=False, **look))
            seen_lines.add(name)
        hidden = rows[rows["suppressed"].fillna(False).astype(bool)]
        runs = _merged(hidden, (end - start) / 100)  # one band per run of suppressed periods
        if runs:
            top = max(float(rows["value"].max()) * BAND_HEADROOM if rows["value"].notna().any() else 0.0, 1.0)
            layout["yaxis" + ref[1:]]["range"] = [0, top]
            traces.insert(0, _bands(runs, top, ref, _("suppressed")))  # first: under every line
        if len(hidden):
            label = next((v for v in hidden["value_label"] if isinstance(v, str) and v), "")
            annotations.append({"x": 1, "y": domains[panel][1], "xref": "paper", "yref": "paper", "xanchor": "right",
                                "yanchor": "bottom", "showarrow": False, "font": {"size": 11},
                                "text": _("shaded: suppressed {label}, not zero").format(label=label).replace(
                                    "  ", " ")})
        layout["yaxis" + ref[1:]]["title"] = {"text": _("Count")}

    if has_supply:
        share = supply["share"].astype(float)
        traces.append(go.Scatter(
            x=supply["period"], y=share, mode="lines+markers", name=supply_label, yaxis=axis_of["supply"],
            line={"color": SUPPLY_COLOUR, "dash": "dot"}, marker={"symbol": "hexagon", "color": SUPPLY_COLOUR},
            error_y={"type": "data", "symmetric": False, "array": supply["hi"].astype(float) - share,
                     "arrayminus": share - supply["lo"].astype(float), "color": SUPPLY_COLOUR},
        ))
        layout["yaxis" + axis_of["supply"][1:]].update(tickformat=".0%", range=[0, 1.02], title={"text": "%"})

    if alerts:
        rows = _alert_rows(alerts, end - start)
        ref = axis_of["lane"]
        traces.append(go.Scatter(
            x=alerts, y=[r + 0.5 for r in rows], mode="markers", name=_("Alerts"), yaxis=ref, showlegend=False,
            marker={"symbol": "triangle-down", "size": 11, "color": "#000000"},
            hovertemplate="%{x|%Y-%m-%d}<extra>" + _("alert") + "</extra>",
        ))
        layout["yaxis" + ref[1:]].update(range=[0, 3], showticklabels=False, showgrid=False, zeroline=False,
                                         rangemode="normal", title={"text": _("Alerts")}, fixedrange=True)
        lane_bottom = domains["lane"][0]
        shapes += [{"type": "line", "xref": "x", "yref": "paper", "x0": d, "x1": d, "y0": 0, "y1": lane_bottom,
                    "line": {"dash": "dot", "color": "#000000", "width": 1}} for d in alerts]
    if lag_from is not None and start is not None:
        lag = max(pd.Timestamp(lag_from), start)
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": lag, "x1": end, "y0": 0, "y1": 1,
                       "fillcolor": LAG_FILL, "opacity": 0.15, "line": {"width": 0}, "layer": "below"})
        annotations.append({"x": end, "y": 0, "xref": "x", "yref": "paper", "xanchor": "right", "yanchor": "top",
                            "yshift": -22, "text": _("may be incomplete (reporting lag)"), "showarrow": False,
                            "font": {"size": 10}})

    layout.update({
        "height": max(260, total + MARGIN_PX),
        "margin": {"l": 10, "r": 10, "t": 10, "b": 50},
        "legend": {"orientation": "h", "yanchor": "top", "y": -30 / max(260, total), "x": 0},
        "hovermode": "closest",
        "xaxis": {"range": [start, end] if start is not None else None, "anchor": axis_of[heights[-1][0]]
                  if heights else "y", "autorange": False if start is not None else True},
        "shapes": shapes,
        "annotations": annotations,
        **PLAIN,
    })
    return go.Figure(data=traces, layout=layout)
