"""The public samples table: allow-listed fields, findings per method, and exports safe for spreadsheets."""

import io

import pandas as pd
import pytest

from supplywatch import sample_table
from supplywatch.filters import Filters
from tests.dashboard.conftest import THIS_WEEK


def test_only_allow_listed_fields_never_notes(con):
    df = sample_table.samples(con, Filters())
    assert list(df.columns) == [*sample_table.PUBLIC_FIELDS, "ftir_found", "lab_found"]
    assert "notes" not in df.columns and "overdose_linked" not in df.columns
    assert not df.astype(str).apply(lambda c: c.str.contains("HYPERLINK")).any().any()


def test_newest_first_with_findings(con):
    df = sample_table.samples(con, Filters(region="North"), limit=3)
    assert list(df["sample_id"]) == ["N07", "N06", "N05"]
    assert df.iloc[0]["ftir_found"] == "carfentanil; fentanyl"


def test_each_sample_shows_only_its_own_findings_by_method(con):
    # The newest five: N07 and S03 (03-15), N06 (03-14), N05 and N12 (03-13, by id). Their sample numbers (7, 15,
    # 6, 5, 12, in insertion order) span N08-N11 and S01-S02, whose findings must not show up here.
    df = sample_table.samples(con, Filters(), limit=5)
    assert list(df["sample_id"]) == ["N07", "S03", "N06", "N05", "N12"]
    assert [None if pd.isna(v) else v for v in df["ftir_found"]] == [
        "carfentanil; fentanyl", "heroin", "caffeine; heroin", "heroin", None]
    assert df["lab_found"].isna().all()  # nothing here was tested by a lab


def test_a_name_the_dictionary_does_not_know_shows_as_written(con):
    df = sample_table.samples(con, Filters(region="North", start=THIS_WEEK[0], end=THIS_WEEK[0]))
    assert list(df["sample_id"]) == ["N01", "N08"]
    assert list(df["ftir_found"]) == ["caffeine; fentanyl", "Mystery analogue 7; mannitol"]


def test_page_of_more_rows_than_the_filters_select_is_all_of_them(con):
    df = sample_table.samples(con, Filters(region="West"), limit=500)
    assert list(df["sample_id"]) == ["W02", "W01"]
    assert list(df["ftir_found"]) == ["fentanyl", "bromazolam"]


@pytest.mark.parametrize("search, ids", [("carfentanil", {"N07"}), ("cocaine", {"P07"}), ("S0", {"S01", "S02", "S03"})])
def test_search(con, search, ids):
    assert set(sample_table.samples(con, Filters(), search=search)["sample_id"]) == ids


def test_lookup_by_id(con):
    assert list(sample_table.sample(con, " N09 ")["fentanyl_strip"]) == ["positive"]
    assert sample_table.sample(con, "nope").empty


@pytest.mark.parametrize(
    "cell, expected",
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("fentanyl", "fentanyl"), (12.5, 12.5), (None, None)],
)
def test_guard_cell(cell, expected):
    assert sample_table.guard_cell(cell) == expected


def test_csv_export_is_formula_safe():
    df = pd.DataFrame({"sample_id": ["=cmd|'/c calc'!A1", "ok"], "fentanyl_pct": [-1.0, 2.0]})
    text = sample_table.to_csv(df).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("'=cmd")
    assert ",-1.0" in text.splitlines()[1]  # numbers stay numbers


def test_parquet_export_round_trips(con):
    df = sample_table.samples(con, Filters(region="South"))
    back = pd.read_parquet(io.BytesIO(sample_table.to_parquet(df)))
    assert list(back["sample_id"]) == list(df["sample_id"])
    assert "notes" not in back.columns
