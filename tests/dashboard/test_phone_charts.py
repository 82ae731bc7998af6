"""Charts a person can read on a phone: dark counts above the bars, suppressed bands labelled '<5', empty bands
kept on the axis; expected-vs-found labels beside the bars, not under the whiskers, in one casing."""

from __future__ import annotations

import pandas as pd
import pytest

from supplywatch import charts, display_names, histogram


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


@pytest.mark.parametrize("name, lang, shown", [
    ("mdma", "en", "MDMA"),
    ("heroin", "en", "Heroin"),
    ("heroin", "fr", "Héroïne"),
    ("medetomidine", "en", "Medetomidine"),
    ("medetomidine", "fr", "Médétomidine"),
    ("fentanyl", "en", "Fentanyl & analogues (page label)"),
    ("stimulant", "en", "Stimulants (page label)"),
    ("Mystery analogue 7", "en", "Mystery analogue 7"),  # not in the dictionary: as written
    ("", "en", ""),
])
def test_display_names_come_from_the_dictionary_in_sentence_case(name, lang, shown):
    labels = {"fentanyl": "Fentanyl & analogues (page label)", "stimulant": "Stimulants (page label)"}
    assert display_names.display_name(name, lambda t: labels.get(t, t), lang) == shown


def test_rate_bars_write_each_name_and_k_of_n_above_its_bar_not_under_the_whisker():
    df = pd.DataFrame({"label": ["MDMA", "Heroin <b>x</b>", "Hidden"], "share": [0.5, 0.95, None],
                       "lo": [0.2, 0.7, None], "hi": [0.8, 1.0, None], "k_text": ["6", "19", "<5"],
                       "n_text": ["12", "20", "<5"]})
    fig = charts.rate_bars(df, "label", _, "Share where the expected substance was found")
    (bar,) = fig.data
    assert list(bar.y) == ["MDMA", "Heroin <b>x</b>"] and not bar.text  # nothing written at the whisker's end
    assert [(a.x, a.y, a.xanchor, a.yanchor, a.text) for a in fig.layout.annotations] == [
        (0, "MDMA", "left", "bottom", "MDMA · 6/12"), (0, "Heroin <b>x</b>", "left", "bottom",
                                                      "Heroin &lt;b&gt;x&lt;/b&gt; · 19/20")]
    assert all(a.yshift > 0 for a in fig.layout.annotations)  # above the bar
    assert fig.layout.yaxis.showticklabels is False  # no tick labels taking half a phone's width
    assert tuple(fig.layout.xaxis.range) == (0, 1)  # no room kept for labels past 100%
