"""The overdoses figure a person can read on a phone: one panel per region, suppressed periods as shaded bands
(never markers at 0), alerts in their own lane, every line its own colour, the x-axis bounded by the data."""

from __future__ import annotations

import pandas as pd
import pytest

from supplywatch import overdose_chart


def _(text: str) -> str:
    return text


def weeks(region: str, line: str, values: list, first: str = "2026-01-05") -> pd.DataFrame:
    start = pd.date_range(first, periods=len(values), freq="7D")
    return pd.DataFrame({
        "region": region, "line": line, "period_start": start, "period_end": start + pd.Timedelta(days=6),
        "value": [None if v == "<5" else v for v in values], "suppressed": [v == "<5" for v in values],
        "value_label": ["<5" if v == "<5" else None for v in values],
    })


SERIES = pd.concat([
    weeks("North", "opioids", [12.0, "<5", "<5", 20.0]),
    weeks("North", "stimulants", [7.0, 8.0, 9.0, 10.0]),
    weeks("South", "opioids", [30.0, 31.0, "<5", 33.0]),
    weeks("West", "opioids", [5.0, 6.0, 7.0, 8.0]),
], ignore_index=True)
SUPPLY = pd.DataFrame({
    "period": pd.to_datetime(["2025-12-01", "2026-01-05", "2026-01-12", "2026-03-30"]),  # first, last: outside
    "share": [0.4, 0.5, 0.25, 0.3], "lo": [0.2, 0.1, 0.1, 0.1], "hi": [0.6, 0.9, 0.6, 0.5],
})
ALERTS = [pd.Timestamp("2026-01-08"), pd.Timestamp("2026-01-09"), pd.Timestamp("2026-01-20"),
          pd.Timestamp("2027-06-01"), pd.Timestamp("2025-01-01")]  # the last two: outside the data's dates


@pytest.fixture
def fig():
    return overdose_chart.overdoses(SERIES, SUPPLY, ALERTS, pd.Timestamp("2026-01-19"), _, "Fentanyl & analogues")


def counts(fig):
    """The count lines (not the supply line, the alert lane, the bands or a dense line's lone markers)."""
    return [t for t in fig.data if t.name not in ("Fentanyl & analogues", "Alerts") and t.fill != "toself"
            and t.mode != "markers"]


def bands(fig):
    """{panel's y axis: [(first day, last day) of each shaded run]} from the filled band traces."""
    out = {}
    for t in fig.data:
        if t.fill == "toself":
            xs = [pd.Timestamp(x).date().isoformat() for x in t.x if x is not None]
            out[t.yaxis] = [(xs[i], xs[i + 2]) for i in range(0, len(xs), 5)]
    return out


def test_one_panel_per_region_and_one_for_the_supply(fig):
    axes = {t.yaxis for t in counts(fig)}
    assert len(axes) == 3  # North, South, West: small multiples, not 3 regions x 2 lines in one plot
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:4] == ["<b>North</b>", "<b>South</b>", "<b>West</b>",
                          "<b>Share of checked samples with Fentanyl & analogues</b>"]
    (supply,) = [t for t in fig.data if t.name == "Fentanyl & analogues"]
    assert supply.yaxis not in axes and fig.layout[f"yaxis{supply.yaxis[1:]}"].tickformat == ".0%"
    # panels do not overlap
    domains = sorted(tuple(fig.layout["yaxis" + ax[1:]].domain) for ax in {t.yaxis for t in fig.data})
    assert all(a[1] <= b[0] for a, b in zip(domains, domains[1:])), domains


def test_suppressed_periods_are_bands_in_their_panel_not_markers_at_zero(fig):
    for t in (t for t in fig.data if t.fill != "toself"):  # a band is an area from 0, not a point
        assert not any(y == 0 for y in (t.y if t.y is not None else ()) if y is not None), t.name  # no point drawn at 0
    north_axis = next(t.yaxis for t in counts(fig) if t.legendgroup == "opioids" and t.y[0] == 12.0)
    south_axis = next(t.yaxis for t in counts(fig) if t.legendgroup == "opioids" and t.y[0] == 30.0)
    assert bands(fig) == {
        north_axis: [("2026-01-12", "2026-01-25")],  # two weeks in a row: one band
        south_axis: [("2026-01-19", "2026-01-25")]}
    for axis, highest in ((north_axis, 20.0), (south_axis, 33.0)):  # each band fills its panel's height
        (band,) = [t for t in fig.data if t.fill == "toself" and t.yaxis == axis]
        top = highest * overdose_chart.BAND_HEADROOM
        assert list(fig.layout["yaxis" + axis[1:]].range) == [0, top]
        assert [y for y in band.y if y is not None] == [0, top, top, 0, 0]
        assert band.hoverinfo == "skip" and band.showlegend is False
    assert not [s for s in fig.layout.shapes if s.type == "rect" and s.yref != "paper"]  # no per-panel shapes
    assert [a.text for a in fig.layout.annotations].count("shaded: suppressed <5, not zero") == 2


def test_x_axis_is_bounded_by_the_data(fig):
    assert [pd.Timestamp(x) for x in fig.layout.xaxis.range] == [pd.Timestamp("2026-01-05"),
                                                                pd.Timestamp("2026-02-01")]
    assert fig.layout.xaxis.autorange is False


def test_alerts_sit_in_their_own_lane_on_separate_rows_when_close(fig):
    (lane,) = [t for t in fig.data if t.name == "Alerts"]
    assert [pd.Timestamp(x).date().isoformat() for x in lane.x] == ["2026-01-08", "2026-01-09", "2026-01-20"]
    assert list(lane.y) == [0.5, 1.5, 0.5]  # a day apart: two rows; eleven days later: back on the first
    assert lane.yaxis not in {t.yaxis for t in counts(fig)} and lane.mode == "markers"
    lane_axis = fig.layout["yaxis" + lane.yaxis[1:]]
    assert lane_axis.domain[1] == 1.0 and lane_axis.title.text == "Alerts"


def test_every_line_has_its_own_colour_and_the_supply_line_none_of_theirs(fig):
    colour = {}
    for t in counts(fig):
        colour.setdefault(t.legendgroup, set()).add(t.line.color)
    assert all(len(c) == 1 for c in colour.values())  # a substance keeps its colour in every panel
    colours = [c.pop() for c in colour.values()]
    (supply,) = [t for t in fig.data if t.name == "Fentanyl & analogues"]
    assert len(set(colours + [supply.line.color])) == len(colours) + 1
    assert [t.showlegend for t in counts(fig)].count(True) == 2  # one legend entry per substance


def test_a_region_name_is_text_not_markup():
    fig = overdose_chart.overdoses(weeks("<b>x</b><a href='https://e.example'>y</a>", "opioids", [6.0]),
                                   None, [], None, _, "fentanyl")
    assert "<a href" not in " ".join(a.text for a in fig.layout.annotations)
    assert "&lt;a href" in " ".join(a.text for a in fig.layout.annotations)


def test_bands_merge_touching_periods_and_give_a_point_in_time_a_width():
    d = pd.Timestamp
    hidden = pd.DataFrame({"period_start": [d("2026-01-01"), d("2026-01-08"), d("2026-03-31"), d("2026-01-03")],
                           "period_end": [d("2026-01-07"), d("2026-01-14"), d("2026-03-31"), d("2026-01-05")]})
    assert overdose_chart._merged(hidden, pd.Timedelta(days=2)) == [
        (d("2026-01-01"), d("2026-01-14")),  # the next day's period and one inside it: the same band
        (d("2026-03-29"), d("2026-03-31"))]  # a rolling window drawn at its end: two days wide


@pytest.mark.parametrize(("weeks_drawn", "mode"), [(1, "lines+markers"), (overdose_chart.MARKERS_UP_TO,
                                                   "lines+markers"), (overdose_chart.MARKERS_UP_TO + 1, "lines")])
def test_markers_only_where_a_line_is_sparse_enough_to_show_them(weeks_drawn, mode):
    fig = overdose_chart.overdoses(weeks("North", "opioids", [float(v % 9 + 5) for v in range(weeks_drawn)]),
                                   None, [], None, _, "fentanyl")
    assert [t.mode for t in counts(fig)] == [mode]


def test_a_panel_with_only_suppressed_counts_still_shows_its_band():
    fig = overdose_chart.overdoses(weeks("North", "opioids", ["<5", "<5"]), None, [], None, _, "fentanyl")
    (band,) = [t for t in fig.data if t.fill == "toself"]
    assert list(fig.layout["yaxis" + band.yaxis[1:]].range) == [0, 1.0] and max(y for y in band.y if y) == 1.0


def test_a_dense_line_still_marks_a_count_that_has_no_neighbour_to_join():
    values = [10.0] * overdose_chart.MARKERS_UP_TO + ["<5", 7.0, "<5", 8.0]  # weeks 62 and 64: no shown neighbour
    fig = overdose_chart.overdoses(weeks("North", "opioids", values), None, [], None, _, "fentanyl")
    (line,) = counts(fig)
    assert line.mode == "lines"
    (alone,) = [t for t in fig.data if t.mode == "markers"]
    assert (list(alone.y), [pd.Timestamp(x).date().isoformat() for x in alone.x]) == ([7.0, 8.0],
                                                                                     ["2027-03-08", "2027-03-22"])
    assert (alone.legendgroup, alone.showlegend, alone.line.color) == ("opioids", False, line.line.color)
