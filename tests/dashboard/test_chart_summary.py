"""The sentence a screen reader hears for a chart: the newest value of each line with its n, bars' values, a grid's
size, in the reader's language."""

import datetime as dt

import pandas as pd
import pytest

from supplywatch import chart_summary, i18n
from supplywatch.web import chart_frame

TREND = pd.DataFrame({
    "period": [dt.date(2025, 1, 6), dt.date(2025, 1, 13), dt.date(2025, 1, 20), dt.date(2025, 1, 6),
               dt.date(2025, 1, 13), dt.date(2025, 1, 20)],
    "grp": ["North", "North", "North", "Capital", "Capital", "Capital"],
    # Capital's newest week is suppressed (no share): its last drawn point is the week before
    "share": [0.5, 0.25, 0.34, 0.1, 0.2, None],
    "n_text": ["10", "12", "52", "20", "15", "<5"],
})


def percent_n(lang):
    return lambda r: f"{i18n.format_percent(r['share'], lang)} (n={r['n_text']})"


@pytest.mark.parametrize("lang, expected", [
    ("en", "Weekly share, Jan 6, 2025 to Jan 20, 2025: last 34% (n=52) (Jan 20, 2025)."),
    ("fr", "Part hebdomadaire, 6 janv. 2025 – 20 janv. 2025 : dernière valeur 34 % (n=52) (20 janv. 2025)."),
])
def test_one_line_says_its_span_and_newest_value_with_n(lang, expected):
    _ = i18n.translator(lang)
    north = TREND[TREND["grp"] == "North"]
    title = "Weekly share" if lang == "en" else "Part hebdomadaire"
    text = chart_summary.over_time(_, title, north, lambda d: i18n.format_date(d, lang), percent_n(lang))
    assert text.replace("\u202f", " ").replace("\xa0", " ") == expected


def test_each_line_gets_its_newest_drawn_point_in_the_chart_order():
    text = chart_summary.over_time(lambda s: s, "Share", TREND, str, percent_n("en"), "grp")
    assert text == ("Share, 2025-01-06 to 2025-01-20: Capital: last 20% (n=15) (2025-01-13); "
                    "North: last 34% (n=52) (2025-01-20).")


def test_more_than_six_lines_are_counted_not_read_out():
    many = pd.DataFrame({"period": [1] * 8, "grp": list("ABCDEFGH"), "share": [0.1] * 8, "n_text": ["9"] * 8})
    text = chart_summary.over_time(lambda s: s, "S", many, str, lambda r: r["n_text"], "grp")
    assert text == ("S, 1 to 1: A: last 9 (1); B: last 9 (1); C: last 9 (1); D: last 9 (1); E: last 9 (1); "
                    "F: last 9 (1); 2 more lines in the table.")


@pytest.mark.parametrize("lang, expected", [
    ("en", "Share: nothing to draw under these filters."),
    ("fr", "Share : rien à tracer avec ces filtres."),
])
def test_nothing_drawn_is_said(lang, expected):
    empty = TREND.assign(share=None)
    assert chart_summary.over_time(i18n.translator(lang), "Share", empty, str, str) == expected


def test_bars_read_their_values_suppressed_ones_as_shown():
    labels = [f"{a}–{a + 5} %" for a in range(0, 40, 5)]
    values = ["12", "<5", "0", "7", "suppressed", "3", "9", "1"]
    assert chart_summary.bars(lambda s: s, "Samples by band", labels, values) == (
        "Samples by band: 0–5 % 12; 5–10 % <5; 10–15 % 0; 15–20 % 7; 20–25 % suppressed; 25–30 % 3; "
        "2 more in the table.")


@pytest.mark.parametrize("lang, expected", [
    ("en", "What people got instead: 6 rows by 8 columns of counts; every count is in the table."),
    ("fr", "Ce que les gens ont reçu à la place : 6 lignes sur 8 colonnes de nombres ; chaque nombre est dans le "
           "tableau."),
])
def test_a_grid_says_its_size_and_where_the_counts_are(lang, expected):
    _ = i18n.translator(lang)
    assert chart_summary.grid(_, _("What people got instead"), 6, 8) == expected


def test_the_caption_names_the_chart_once():
    assert chart_frame.caption("Share", "Share, Jan to Feb: last 3%.") == "Share, Jan to Feb: last 3%."
    assert chart_frame.caption("Median", "Median: nothing to draw.") == "Median: nothing to draw."
    assert chart_frame.caption("Grid", "6 rows") == "Grid: 6 rows"
