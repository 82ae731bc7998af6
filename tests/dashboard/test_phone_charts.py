"""Charts a person can read on a phone: dark counts above the bars, suppressed bands labelled '<5', empty bands
kept on the axis; expected-vs-found labels beside the bars, not under the whiskers, in one casing."""

from __future__ import annotations

import pandas as pd

from supplywatch import charts, histogram


def _(text: str) -> str:
    return text


def test_complete_bands_keep_empty_bands_from_zero_to_the_highest():
    hist = pd.DataFrame({"lower": [5.0, 20.0], "n": [3, 12]})
    out = histogram.complete_bands(hist, 5.0)
    assert out.to_dict("list") == {"lower": [0.0, 5.0, 10.0, 15.0, 20.0], "n": [0, 3, 0, 0, 12]}
    assert histogram.complete_bands(hist.iloc[:0], 5.0).empty


def test_bars_write_dark_counts_outside_and_label_suppressed_bands():
    labels = ["0–5 %", "5–10 %", "10–15 %", "15–20 %"]
    fig = charts.bars(labels, [0, 0, 7, 12], ["0", "<5", "7", "12"], _, "Samples", "Fentanyl % by weight",
                      hidden=[None, "<5", None, None])
    (bar,) = fig.data
    assert list(bar.x) == labels and list(bar.y) == [0, 0, 7, 12]
    assert list(bar.text) == ["0", "", "7", "12"]  # the suppressed band's text is its annotation, not bar text
    assert (bar.textposition, bar.textfont.color) == ("outside", "#000000")  # never white text on the bar
    assert not (bar.marker.pattern and bar.marker.pattern.shape)
    assert [(a.x, a.y, a.text) for a in fig.layout.annotations] == [("5–10 %", 0, "<5")]
    # every band on the axis in order, the empty first one included
    assert (fig.layout.xaxis.type, list(fig.layout.xaxis.categoryarray)) == ("category", labels)
