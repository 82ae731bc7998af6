"""Every colour a chart draws with stands out from the white background (WCAG 2.2 1.4.11: 3:1 for graphics) and
chart text is readable (1.4.3: 4.5:1), whatever the number of series."""

import datetime as dt

import pandas as pd
import pytest

from supplywatch import charts, overdose_chart


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#RRGGBB'."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize(("a", "b", "ratio"), [("#000000", "#FFFFFF", 21.0), ("#767676", "#FFFFFF", 4.54),
                                               ("#E69F00", "#FFFFFF", 2.25), ("#F0E442", "#FFFFFF", 1.32)])
def test_contrast_matches_the_wcag_formula(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio, abs=0.005)


def _(text):
    return text


def eight_series() -> pd.DataFrame:
    rows = [{"period": pd.Timestamp("2026-01-05") + pd.Timedelta(weeks=w), "grp": f"s{i}", "share": 0.5,
             "lo": 0.4, "hi": 0.6, "low_n": False, "k_text": "5", "n_text": "10"} for i in range(8) for w in range(2)]
    return pd.DataFrame(rows)


def drawn_colours(fig) -> set[str]:
    out = set()
    for trace in fig.data:
        for part in ("line", "marker"):
            colour = getattr(getattr(trace, part, None), "color", None)
            if isinstance(colour, str):
                out.add(colour.upper())
    return out


def test_every_series_colour_is_at_least_3_to_1_on_white():
    low = {c: round(contrast(c, charts.PLAIN["plot_bgcolor"]), 2) for c in charts.OKABE_ITO
           if contrast(c, charts.PLAIN["plot_bgcolor"]) < 3}
    assert low == {}


def test_colours_drawn_in_an_eight_series_chart_and_the_overdose_chart_pass():
    lines = charts.rate_lines(eight_series(), "grp", str, _, "Share")
    assert len(drawn_colours(lines)) == 8
    series = pd.DataFrame({"line": [f"m{i}" for i in range(8)], "region": ["Coast"] * 8,
                           "period_start": [pd.Timestamp("2026-01-05")] * 8,
                           "period_end": [pd.Timestamp("2026-01-11")] * 8, "value": [3.0] * 8,
                           "suppressed": [False] * 8, "value_label": [None] * 8})
    od = overdose_chart.overdoses(series, eight_series().head(2), [dt.date(2026, 1, 8)], None, _, "fentanyl")
    for fig in (lines, od):
        assert {c: round(contrast(c, "#FFFFFF"), 2) for c in drawn_colours(fig) if contrast(c, "#FFFFFF") < 3} == {}


def test_chart_text_is_at_least_4_5_to_1():
    fig = charts.rate_lines(eight_series(), "grp", str, _, "Share")
    assert contrast(fig.layout.font.color, fig.layout.paper_bgcolor) >= 4.5
