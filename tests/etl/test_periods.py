"""Overdose periods: month names, kinds from formats, rolling windows, and the upgrade of stored periods."""

import datetime as dt

import duckdb
import pytest

from etl import periods
from supplywatch import db, schema

D = dt.date


@pytest.mark.parametrize("label", ["2024-March", "2024-Mar", "2024 mars", "2024-Mawrth", "2024-Maw", "March 2024",
                                   "mars 2024", "Mawrth-2024", "2024-MAR.", "2024/march"])
def test_a_month_by_name_in_english_french_or_welsh_is_a_month(label):
    assert periods.parse_period(label) == (D(2024, 3, 1), D(2024, 3, 31), "month")


@pytest.mark.parametrize("label, month", [
    ("2024-Ionawr", 1), ("2024-janv.", 1), ("2024-févr.", 2), ("2024-février", 2), ("2024-Chwef", 2),
    ("2024-Ebrill", 4), ("2024-avr", 4), ("2024-mai", 5), ("2024-Mehefin", 6), ("2024-juillet", 7),
    ("2024-Gorffennaf", 7), ("2024-août", 8), ("2024-Awst", 8), ("2024-Sept", 9), ("2024-Medi", 9),
    ("2024-Hydref", 10), ("2024-Tachwedd", 11), ("2024-décembre", 12), ("2024-Rhagfyr", 12), ("2024-Dec", 12),
])
def test_every_month_name(label, month):
    start, end, kind = periods.parse_period(label)
    assert (start.month, end.month, start.day, kind) == (month, month, 1, "month")


@pytest.mark.parametrize("label, formats, expected", [
    ("03/2024", ["%m/%Y"], (D(2024, 3, 1), D(2024, 3, 31), "month")),      # was the day 2024-03-01
    ("Feb 2023", ["%b %Y"], (D(2023, 2, 1), D(2023, 2, 28), "month")),    # the standard forms read it first
    ("05/03/2024", ["%d/%m/%Y"], (D(2024, 3, 5), D(2024, 3, 5), "day")),
    ("FY2024", ["FY%Y"], (D(2024, 1, 1), D(2024, 12, 31), "year")),
])
def test_a_format_gives_the_period_of_its_finest_directive(label, formats, expected):
    assert periods.parse_period(label, formats) == expected


@pytest.mark.parametrize("end, months, start", [
    (D(2024, 3, 31), 12, D(2023, 4, 1)),
    (D(2024, 2, 29), 12, D(2023, 3, 1)),
    (D(2024, 1, 31), 3, D(2023, 11, 1)),
    (D(2024, 3, 15), 1, D(2024, 2, 16)),
])
def test_rolling_window(end, months, start):
    assert periods.rolling(end, months) == (start, end)
    assert periods.window_months(start, end) == months


@pytest.mark.parametrize("text, months", [("12 months", 12), ("3 month", 3), (" 6 Months ", 6), ("1 year", None),
                                          ("0 months", None), ("twelve months", None), (12, None)])
def test_window_setting(text, months):
    assert periods.parse_window(text) == months


def test_month_names_from_a_template_load_as_months(cli, data_dir, query):
    status, out, _ = cli("load", data_dir / "mappings" / "month_names.csv", "--profile",
                         data_dir / "mappings" / "month_names.toml")
    assert status == 0, out
    assert query("SELECT region, period_label, period_start::VARCHAR, period_end::VARCHAR, period_type, value,"
                 " suppressed FROM overdose_events ORDER BY region, period_start") == [
        ("Cardiff", "2024-Ionawr", "2024-01-01", "2024-01-31", "month", 12.0, False),
        ("Cardiff", "2024-Chwef", "2024-02-01", "2024-02-29", "month", 9.0, False),
        ("Cardiff", "2024-mars", "2024-03-01", "2024-03-31", "month", 11.0, False),
        ("Cardiff", "2024-Apr", "2024-04-01", "2024-04-30", "month", None, True),
        ("Cardiff", "2024-September", "2024-09-01", "2024-09-30", "month", 7.0, False),
        ("Swansea", "2024-févr.", "2024-02-01", "2024-02-29", "month", 4.0, False),
        ("Swansea", "2024-Sept.", "2024-09-01", "2024-09-30", "month", 3.0, False),
    ]


def test_a_rolling_window_is_stored_as_such_beside_the_month_it_ends(cli, data_dir, query):
    folder = data_dir / "mappings"
    assert cli("load", folder / "monthly_north.csv", "--source", "North health")[0] == 0
    status, out, _ = cli("load", folder / "rolling.csv", "--profile", folder / "rolling.toml")
    assert status == 0, out
    assert "loaded 3 of 3 rows (0 duplicates skipped" in out
    assert query("SELECT region, period_label, period_start::VARCHAR, period_end::VARCHAR, period_type, value"
                 " FROM overdose_events ORDER BY region, period_end, period_type") == [
        ("North", "2024-01", "2024-01-01", "2024-01-31", "month", 10.0),
        ("North", "2024-01", "2023-02-01", "2024-01-31", "rolling", 120.0),
        ("North", "2024-02", "2023-03-01", "2024-02-29", "rolling", 118.0),
        ("South", "2024-02-29", "2023-03-01", "2024-02-29", "rolling", 40.0),
    ]


def test_stored_periods_get_their_kind_on_upgrade(isolated_db):
    mine = next(i for i, m in enumerate(schema.WAREHOUSE_MIGRATIONS) if "year_to_date" in m)
    con = duckdb.connect(str(isolated_db))
    con.execute(schema.META)
    db.migrate(con, schema.WAREHOUSE_MIGRATIONS[:mine])
    rows = [("k1", "2025 (Jan to Sep)", "2025-01-01", "2025-09-30", "other"),
            ("k2", "2024 (Jan to Dec)", "2024-01-01", "2024-12-31", "other"),
            ("k3", "2024 (Apr to Jun)", "2024-04-01", "2024-06-30", "other"),
            ("k4", "2024 (Mar to Mar)", "2024-03-01", "2024-03-31", "other"),
            ("k5", "2024 (Feb to Mar)", "2024-02-01", "2024-03-31", "other"),
            ("k6", "2024 Q1", "2024-01-01", "2024-03-31", "quarter")]
    for key, label, start, end, ptype in rows:
        con.execute("INSERT INTO overdose_events (event_key, source, period_start, period_end, period_label,"
                    " period_type, measure, unit, load_run_id) VALUES (?, 's', ?, ?, ?, ?, 'deaths', 'count', 1)",
                    [key, start, end, label, ptype])
    con.close()
    db.ensure_warehouse()
    con = db.connect_readonly()
    assert con.execute("SELECT event_key, period_type FROM overdose_events ORDER BY 1").fetchall() == [
        ("k1", "year_to_date"), ("k2", "year"), ("k3", "quarter"), ("k4", "month"), ("k5", "other"),
        ("k6", "quarter")]
    assert con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'load_runs'"
                       " AND column_name = 'rows_skipped'").fetchone() == (1,)
