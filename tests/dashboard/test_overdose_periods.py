"""One chart line holds one kind of period; the page picks the finest kind covering the view and lets the reader
switch; the reporting-lag note is measured from the newest period the source has, not from the filtered view."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import db, i18n, metrics, overdose_chart
from supplywatch import overdose_periods as op
from supplywatch.filters import Filters

DATA = Path(__file__).resolve().parent.parent / "data" / "dashboard"
PHAC = "phac-substance-harms/SubstanceHarmsData.csv"


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(source, type, start, end) rows as a series with kinds."""
    df = pd.DataFrame(rows, columns=["source", "period_type", "period_start", "period_end"])
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["period_end"] = pd.to_datetime(df["period_end"])
    return op.with_kind(df)


def quarters(source, first_year, last_year, last_q=4):
    return [(source, "quarter", f"{y}-{3 * q - 2:02d}-01", str((pd.Timestamp(f"{y}-{3 * q:02d}-01")
                                                                  + pd.offsets.MonthEnd(0)).date()))
            for y in range(first_year, last_year + 1) for q in range(1, 5) if (y, q) <= (last_year, last_q)]


def years(source, first, last):
    return [(source, "year", f"{y}-01-01", f"{y}-12-31") for y in range(first, last + 1)]


def test_kinds_finest_first_and_rolling_windows_keep_their_length():
    df = frame([("s", "year", "2024-01-01", "2024-12-31"), ("s", "rolling", "2023-04-01", "2024-03-31"),
                ("s", "rolling", "2024-01-01", "2024-03-31"), ("s", "year_to_date", "2025-01-01", "2025-09-30"),
                ("s", "quarter", "2024-01-01", "2024-03-31"), ("s", "month", "2024-03-01", "2024-03-31")])
    assert op.kinds(df) == ["month", "quarter", "year_to_date", "year", "rolling_3", "rolling_12"]


@pytest.mark.parametrize("start, end, expected", [
    (None, None, "quarter"),                        # quarters to 2025 Q3 cover the whole span; years end in 2024
    (dt.date(2016, 1, 1), dt.date(2024, 12, 31), "quarter"),
    (dt.date(2025, 1, 1), None, "quarter"),
])
def test_finest_kind_covering_the_view_phac_shape(start, end, expected):
    df = frame(quarters("p", 2016, 2025, 3) + years("p", 2016, 2024) + [("p", "year_to_date", "2025-01-01",
                                                                          "2025-09-30")])
    assert op.finest_covering(df, start, end) == expected


def test_a_finer_kind_that_stops_early_is_passed_over():
    df = frame([("s", "month", f"2024-{m:02d}-01", str((pd.Timestamp(f"2024-{m:02d}-01") + pd.offsets.MonthEnd(0))
                                                        .date())) for m in range(1, 13)] + years("s", 2016, 2024))
    assert op.finest_covering(df, None, None) == "year"                      # months cover 1 of 9 years
    assert op.finest_covering(df, dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == "month"
    assert op.finest_covering(df.iloc[:0], None, None) is None


@pytest.mark.parametrize("lang, kind, label", [
    ("en", "rolling_12", "Rolling 12 months (each point: the 12 months up to it)"),
    ("fr", "rolling_12", "Cumul mobile sur 12 mois (chaque point : les 12 mois jusqu'à lui)"),
    ("en", "year_to_date", "Year to date"), ("fr", "quarter", "Trimestres"), ("fr", "year", "Années"),
])
def test_kind_labels(lang, kind, label):
    assert op.kind_label(kind, i18n.translator(lang)) == label


def test_reporting_lag_counts_back_from_the_newest_period_the_source_has():
    newest = pd.DataFrame({"source": ["A", "B"], "newest": pd.to_datetime(["2025-09-30", "2024-12-31"])})
    # the view is cut at the end of 2020: nothing in it is recent for source A
    view = frame(quarters("A", 2020, 2020))
    assert not op.may_be_incomplete(view, newest).any()
    assert op.lag_start(view, newest) is None
    view = frame(quarters("A", 2025, 2025, 3) + quarters("B", 2024, 2024))
    assert list(op.may_be_incomplete(view, newest)) == [False, False, True, False, False, False, True]
    assert op.lag_start(view, newest) == pd.Timestamp("2024-12-03")


@pytest.fixture
def phac(real_data, isolated_db):
    from etl.load import load_file

    result = load_file(real_data / PHAC)
    assert result.status == "loaded", result.message
    con = db.connect_readonly(isolated_db)
    yield con, list(csv.DictReader(open(real_data / PHAC, encoding="utf-8")))
    con.close()


def test_phac_years_and_quarters_never_share_a_line(phac):
    con, src = phac
    series = op.with_kind(metrics.overdose_series(con, Filters(region="British Columbia")))
    part = series[(series["measure"] == "deaths") & (series["unit"] == "count") & (series["substance"] == "opioids")]
    assert op.kinds(part) == ["quarter", "year_to_date", "year"]
    assert op.finest_covering(part) == "quarter"

    def line(kind):
        one = part[part["kind"] == kind].assign(line=lambda d: d["substance"])
        fig = overdose_chart.overdoses(one, None, [], None, lambda s: s, "fentanyl")
        (trace,) = fig.data
        return dict(zip((pd.Timestamp(x).date().isoformat() for x in trace.x), trace.y))

    q = line("quarter")
    # hand-checked against the file: British Columbia, Opioids, Deaths, Overall numbers, Number
    assert len(q) == 39
    assert (q["2016-01-01"], q["2024-01-01"], q["2024-10-01"], q["2025-07-01"]) == (176, 644, 490, 477)
    assert 2344 not in q.values() and 1414 not in q.values()          # the 2024 year and the 2025 year to date
    y = line("year")
    assert y == {f"{yr}-01-01": v for yr, v in zip(range(2016, 2025), [807, 1300, 1392, 886, 1545, 1962, 2070,
                                                                       2236, 2344])}
    assert sum(v for k, v in q.items() if k.startswith("2024")) == 644 + 604 + 606 + 490 == 2344
    assert line("year_to_date") == {"2025-01-01": 1414}
    expected = sum(1 for r in src if r["Region"] == "British Columbia" and r["Source"] == "Deaths"
                   and r["Substance"] == "Opioids" and r["Specific_Measure"] == "Overall numbers"
                   and r["Unit"] == "Number")
    assert expected == len(q) + len(y) + 1


# ------------------------------------------------------------------ the page

@pytest.fixture
def page_db(isolated_db, monkeypatch):
    from etl.load import load_file

    assert load_file(DATA / "overdose_periods.csv").status == "loaded"
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    monkeypatch.delenv("SUPPLYWATCH_SUPPRESS_K", raising=False)
    return isolated_db


def run(params: dict) -> AppTest:
    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("app_pages/overdoses.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest) -> list[tuple]:
    df = next(d.value for d in at.dataframe if "Period" in d.value.columns)
    return [(r["Period"], r["Value"], r["Note"]) for r in df.to_dict("records")]


LATE = "may be incomplete (reporting lag)"


def test_page_shows_quarters_by_default_and_switches_to_years(page_db):
    at = run({})
    kind = at.selectbox(key="od_kind")
    assert kind.value == "quarter" and kind.options == ["Quarters", "Year to date", "Years"]
    assert table(at) == [("2023 Q1", "90", ""), ("2023 Q2", "100", ""), ("2023 Q3", "105", ""),
                         ("2023 Q4", "105", ""), ("2024 Q1", "110", ""), ("2024 Q2", "120", ""),
                         ("2024 Q3", "125", ""), ("2024 Q4", "125", ""), ("2025 Q1", "120", ""),
                         ("2025 Q2", "130", LATE)]
    kind.set_value("year").run()
    assert table(at) == [("2023", "400", ""), ("2024", "480", "")]
    at.selectbox(key="od_kind").set_value("year_to_date").run()
    assert table(at) == [("2025 (Jan to Jun)", "250", LATE)]


def test_a_view_ending_early_is_not_marked_as_late(page_db):
    at = run({"from": "2023-01-01", "to": "2024-12-31"})
    assert [n for _, _, n in table(at)] == [""] * 8          # was: 2024 Q4 'may be incomplete' (end of view - 28 d)


def test_page_period_choice_in_french(page_db):
    at = run({"lang": "fr"})
    kind = at.selectbox(key="od_kind")
    assert kind.label == "Périodes" and kind.options == ["Trimestres", "Depuis le début de l'année", "Années"]


def test_a_rolling_window_is_named_and_drawn_where_it_ends(page_db):
    from etl.load import load_file

    folder = Path(__file__).resolve().parent.parent / "data" / "etl" / "mappings"
    assert load_file(folder / "rolling.csv", profile=folder / "rolling.toml").status == "loaded"
    at = run({"region": "North"})
    kind = at.selectbox(key="od_kind")
    assert kind.options[-1] == "Rolling 12 months (each point: the 12 months up to it)"
    kind.set_value("rolling_12").run()
    assert table(at) == [("2024-01 · rolling 12 months", "120", ""), ("2024-02 · rolling 12 months", "118", LATE)]
    import json

    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    line = next(t for t in spec["data"] if t["name"].startswith("all"))  # in North's panel (the region its title)
    assert line["name"] == "all · rolling 12 months"
    assert "<b>North</b>" in [a["text"] for a in spec["layout"]["annotations"]]
    assert [x[:10] for x in line["x"]] == ["2024-01-31", "2024-02-29"]  # where each window ends
    assert any(c.endswith("Periods: Rolling 12 months (each point: the 12 months up to it).")
               for c in (e.value for e in at.caption))


def test_phac_no_two_points_share_a_date_on_any_line(phac):
    """Across the whole file: once one kind is chosen, each line has one value per date (mixed, 2024 and 2024 Q1
    both sat on 2024-01-01, with 2025 Q1 and the 2025 year to date on 2025-01-01)."""
    con, _ = phac
    series = op.with_kind(metrics.overdose_series(con, Filters()))
    line = ["measure", "unit", "source", "region", "substance", "period_start"]
    assert series.duplicated(line).sum() > 0
    assert not series.duplicated(line + ["kind"]).any()
    assert sorted(set(series["kind"])) == ["quarter", "year", "year_to_date"]
    ems = series[(series["region"] == "British Columbia") & (series["measure"] == "ems")
                 & (series["unit"] == "count") & (series["substance"] == "opioids")]
    by_kind = {k: dict(zip(g["period_label"], g["value"])) for k, g in ems.groupby("kind")}
    assert (by_kind["year"]["2024"], by_kind["year_to_date"]["2025 (Jan to Sep)"]) == (20603, 13887)
    assert [by_kind["quarter"][f"2025 Q{i}"] for i in (1, 2, 3)] == [3646, 4393, 5848]
    assert sum(by_kind["quarter"][f"2025 Q{i}"] for i in (1, 2, 3)) == 13887
