"""Chart date axes name months in the reader's language: French readers see 'avr. 2025', never plotly's 'Apr 2025'."""

import datetime as dt

import pandas as pd
import pytest

from supplywatch import charts, overdose_chart


def weekly(first: str, weeks: int) -> pd.DataFrame:
    return pd.DataFrame({"period": pd.date_range(first, periods=weeks, freq="W-MON"), "grp": "a", "share": 0.5,
                         "lo": 0.4, "hi": 0.6, "low_n": False, "k_text": "5", "n_text": "10"})


@pytest.mark.parametrize(("first", "weeks", "labels"), [
    # 2025-03-03 .. 2025-06-16: four months, one tick each
    ("2025-03-03", 16, ["mars 2025", "avr. 2025", "mai 2025", "juin 2025"]),
    # 2025-03-03 .. 2026-04-20: 14 months, every second month
    ("2025-03-03", 60, ["mars 2025", "mai 2025", "juill. 2025", "sept. 2025", "nov. 2025", "janv. 2026",
                        "mars 2026"]),
    # 2024-01-01 .. 2026-02-09: 26 months; quarters would be 9 ticks, so half-years from January
    ("2024-01-01", 111, ["janv. 2024", "juill. 2024", "janv. 2025", "juill. 2025", "janv. 2026"]),
])
def test_french_month_ticks(first, weeks, labels):
    fig = charts.in_language(charts.rate_lines(weekly(first, weeks), "grp", str, str, "y"), "fr")
    assert list(fig.layout.xaxis.ticktext) == labels
    assert [pd.Timestamp(v).day for v in fig.layout.xaxis.tickvals] == [1] * len(labels)


@pytest.mark.parametrize(("last", "count"), [("2025-01-31", 1), ("2025-08-31", 8), ("2025-09-30", 5),
                                             ("2026-12-31", 8), ("2030-12-31", 6)])
def test_never_more_than_eight_ticks_on_a_phone_width(last, count):
    assert len(charts._month_ticks(pd.Timestamp("2025-01-06"), pd.Timestamp(last))) == count


def test_english_keeps_plotly_ticks_and_the_overdose_chart_is_covered():
    fig = charts.rate_lines(weekly("2025-03-03", 16), "grp", str, str, "y")
    assert charts.in_language(fig, "en").layout.xaxis.ticktext is None
    series = pd.DataFrame({"line": ["EMS"], "region": ["Coast"], "period_start": [pd.Timestamp("2025-04-07")],
                           "period_end": [pd.Timestamp("2025-04-13")], "value": [3.0], "suppressed": [False],
                           "value_label": [None]})
    od = charts.in_language(overdose_chart.overdoses(series, None, [dt.date(2025, 4, 8)], None, str, "x"), "fr")
    assert list(od.layout.xaxis.ticktext) == ["avr. 2025"]
