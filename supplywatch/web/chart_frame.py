"""A chart with an accessible name and a text summary (WCAG 1.1.1), for pages to draw every plotly chart with.

The chart sits in a container keyed ``sw-chart-<key>`` (Streamlit gives it the class ``st-key-sw-chart-<key>``)
followed by a small caption, "<name>: <summary>" (:mod:`supplywatch.chart_summary`), that everyone can read.
Streamlit cannot put attributes on its chart element, so ``/shell/page.js`` does: the chart becomes a
``role="figure"`` named by that caption (``aria-labelledby``), and a screen reader announces the sentence instead
of a pile of tick labels. ``role="figure"`` rather than ``img``: the chart's own buttons stay reachable.
"""

from __future__ import annotations

import streamlit as st

from ..alerts.text import escape_markdown

PREFIX = "sw-chart-"


def caption(name: str, summary: str) -> str:
    """The sentence shown under the chart and read as its name: '<name>: <summary>' (summary already names it
    when it starts with the name)."""
    return summary if summary.startswith(name) else f"{name}: {summary}"


def show(fig, name: str, summary: str, key: str, **kwargs) -> None:
    """Draw ``fig`` (``st.plotly_chart`` with ``kwargs``, full width by default) with its name and summary."""
    with st.container(key=PREFIX + key):
        st.plotly_chart(fig, key=key, **{"width": "stretch", **kwargs})
        st.caption(escape_markdown(caption(name, summary)))
