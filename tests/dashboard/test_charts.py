"""The figures say what the pages promise: rates as percentages with their intervals, low n drawn hollow, every
matrix cell written out, suppressed overdose counts labelled rather than drawn as zero counts."""

import pandas as pd
import pytest

from supplywatch import charts


def _(text: str) -> str:
    return text


RATES = pd.DataFrame({
    "period": pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-05"]),
    "grp": ["North", "North", "South"],
    "share": [0.5, 0.25, None],
    "lo": [0.1, 0.1, None],
    "hi": [0.9, 0.6, None],
    "low_n": [True, False, True],
    "k_text": ["1", "2", "<5"],
    "n_text": ["2", "8", "<5"],
    "label": ["Down (low n)", "Fentanyl", "Heroin"],
})


def test_rate_lines_draw_low_n_hollow_with_asymmetric_intervals_as_one_band_per_series():
    fig = charts.rate_lines(RATES, "grp", str, _, "Share of tested samples")
    north_band, south_band, north, south = fig.data  # bands first: every line is drawn over every band
    assert list(north.marker.symbol) == ["circle-open", "circle"]
    # one closed path per series (hi left to right, then lo right to left), not an error bar per point
    assert list(north_band.x) == list(pd.to_datetime(["2026-01-05", "2026-01-12", "2026-01-12", "2026-01-05"]))
    assert list(north_band.y) == pytest.approx([0.9, 0.6, 0.1, 0.1])
    assert (north_band.fill, north_band.hoverinfo, north_band.showlegend) == ("toself", "skip", False)
    assert north_band.line.color == north.line.color and north_band.legendgroup == north.legendgroup == "North"
    assert north.error_y.array is None
    # the hover of a point still gives the interval with k and n
    assert [list(c) for c in north.customdata] == [["1", "2", "low n", 0.1, 0.9], ["2", "8", "", 0.1, 0.6]]
    assert north.hovertemplate == ("%{x|%Y-%m-%d}: %{y:.0%} (95% CI %{customdata[3]:.0%}–%{customdata[4]:.0%}; "
                                   "%{customdata[0]}/%{customdata[1]}) %{customdata[2]}<extra>North</extra>")
    assert len(south.x) == len(south_band.x) == 0  # a suppressed rate is not drawn at all
    assert (fig.layout.yaxis.tickformat, tuple(fig.layout.yaxis.range)) == (".0%", (0, 1.02))
    assert fig.layout.yaxis.title.text == "Share of tested samples"
    assert north.line.dash != south.line.dash  # series differ by more than colour


def test_rate_bars_write_k_of_n_above_each_shown_bar():
    fig = charts.rate_bars(RATES, "label", _, "Share where the expected substance was found")
    (bar,) = fig.data
    assert list(bar.y) == ["Down (low n)", "Fentanyl"]
    assert [a.text for a in fig.layout.annotations] == ["Down (low n) · 1/2", "Fentanyl · 2/8"]
    assert fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.yaxis.autorange == "reversed"  # first row on top, as in the table


def test_matrix_writes_every_cell_and_puts_the_found_axis_on_top():
    values = pd.DataFrame([[7, 0], [3, 12]], index=["Down", "Fentanyl"], columns=["fentanyl", "xylazine"])
    text = pd.DataFrame([["7", "0"], ["<5", "12"]], index=values.index, columns=values.columns)
    fig = charts.matrix(values, text, "Found (class)", "Expected")
    (heat,) = fig.data
    assert heat.text.tolist() == [["7", "0"], ["<5", "12"]]
    assert heat.texttemplate == "%{text}"
    assert (fig.layout.xaxis.title.text, fig.layout.xaxis.side) == ("Found (class)", "top")
    assert fig.layout.plot_bgcolor == "#FFFFFF"

