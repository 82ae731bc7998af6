"""Mapping files, header detection, periods, value maps, list cells, person-level column names."""

import datetime as dt

import duckdb
import pytest

from etl import load, profiles, readers
from etl.profiles import ProfileError, parse_profile

D = dt.date


@pytest.mark.parametrize("label, expected", [
    ("2024", (D(2024, 1, 1), D(2024, 12, 31), "year")),
    ("2024 Q1", (D(2024, 1, 1), D(2024, 3, 31), "quarter")),
    ("2024Q4", (D(2024, 10, 1), D(2024, 12, 31), "quarter")),
    ("2024-q2", (D(2024, 4, 1), D(2024, 6, 30), "quarter")),
    ("Q3 2023", (D(2023, 7, 1), D(2023, 9, 30), "quarter")),
    ("2024-02", (D(2024, 2, 1), D(2024, 2, 29), "month")),
    ("2023-02", (D(2023, 2, 1), D(2023, 2, 28), "month")),
    ("2024-03-05", (D(2024, 3, 5), D(2024, 3, 5), "day")),
    ("2024-W01", (D(2024, 1, 1), D(2024, 1, 7), "week")),
    ("2020-W53", (D(2020, 12, 28), D(2021, 1, 3), "week")),
    ("2025 (Jan to Sep)", (D(2025, 1, 1), D(2025, 9, 30), "year_to_date")),
    ("2025 (Apr to Jun)", (D(2025, 4, 1), D(2025, 6, 30), "other")),
    ("  2024   Q1 ", (D(2024, 1, 1), D(2024, 3, 31), "quarter")),
    ("2024-13", None), ("2024-02-30", None), ("2021-W53", None), ("Spring 2024", None), ("2024-Marchember", None), ("2024 Q5", None),
    ("2025 (Sep to Jan)", None), ("", None),
])
def test_parse_period(label, expected):
    assert load.parse_period(label) == expected


def test_parse_period_with_a_custom_day_format():
    assert load.parse_period("05/03/2024", ["%d/%m/%Y"]) == (D(2024, 3, 5), D(2024, 3, 5), "day")


def items(cell, fmt):
    con = duckdb.connect()
    return con.execute(f"SELECT {load.list_items_sql('x', fmt)} FROM (SELECT ?::VARCHAR AS x)", [cell]).fetchone()[0]


@pytest.mark.parametrize("cell, fmt, expected", [
    ("Fentanyl HCl; Caffeine ;Heroin (Trace)", ";", ["Fentanyl HCl", "Caffeine", "Heroin (Trace)"]),
    ("a|b||c", "|", ["a", "b", "c"]),
    ("a, b", ",", ["a", "b"]),
    ("none", ";", []),
    ("['Caffeine', 'Fentanyl HCl', 'Heroin (Trace)']", "python", ["Caffeine", "Fentanyl HCl", "Heroin (Trace)"]),
    ("['Uncertain Match', '', \"Lugol's Mix\"]", "python", ["Uncertain Match", "Lugol's Mix"]),
    ("['A, with comma', 'B']", "python", ["A, with comma", "B"]),
    ("['it\\'s']", "python", ["it's"]),
    ("[]", "python", []),
])
def test_list_cells(cell, fmt, expected):
    assert items(cell, fmt) == expected


def test_value_map_is_case_insensitive_and_empty_means_not_tested():
    con = duckdb.connect()
    sql = load.map_values("x", {"true": "positive", "n/a": ""})
    got = con.execute(f"SELECT list({sql} ORDER BY i) FROM (VALUES (1, 'TRUE'), (2, 'N/A'), (3, 'Other')) v(i, x)"
                      ).fetchone()[0]
    assert got == ["positive", None, "Other"]


@pytest.mark.parametrize("header, expected", [
    (["date", "site", "fentanyl_strip"], "canonical_samples"),
    (["sample_id", "date", "ftir_components"], "canonical_samples"),
    (["period", "region", "measure", "unit", "value"], "canonical_overdoses"),
    (["date", "title", "text"], "canonical_alerts"),
    (["Date", "Site", "City/Town", "Expected Substance", "Fentanyl Test Strip", "Benzo Test Strip",
      "FTIR Spectrometer"], "drugcheckingbc"),
    (["_id", "location_name", "address", "year", "year_stage", "suspected_non_fatal_overdoses"],
     "toronto_shelter_overdoses"),
    (["Substance", "Source", "Specific_Measure", "Region", "PRUID", "Time_Period", "Year_Quarter", "Aggregator",
      "Disaggregator", "Unit", "Value"], "phac_substance_harms"),
])
def test_detect_picks_the_builtin_from_the_header(header, expected):
    assert profiles.detect(header, "f.csv").name == expected


@pytest.mark.parametrize("name, person", [
    ("Name", True), ("first_name", True), ("E-mail", True), ("Date of Birth", True), ("DOB", True),
    ("PHN", True), ("Health Number", True), ("phone", True), ("address", True),
    ("Client phone", True), ("Participant DOB", True), ("Contact email", True), ("Home Address", True),
    ("location_name", False), ("Site", False), ("Expected Substance", False), ("date", False),
    ("Shelter address", False), ("Substance name", False), ("City/Town", False),
])
def test_person_level_column_names(name, person):
    assert profiles.is_person_column(name) is person


GOOD = """
kind = "samples"
name = "x"
[fields]
date = "When"
fentanyl_strip = "FTS"
"""


@pytest.mark.parametrize("text, message", [
    ("kind = 'samples", "m.toml: not valid TOML"),
    ("kind = 'pills'\n[fields]\ndate='d'", "m.toml: kind must be one of samples, overdoses, alerts (got 'pills')"),
    ("kind = 'samples'", "m.toml: a [fields] table is required: canonical field = source column"),
    ("kind = 'samples'\n[fields]\ndate = 'd'\nwhen = 'w'", "m.toml: unknown field 'when' for kind samples"),
    ("kind = 'samples'\n[fields]\nsite = 's'\nfentanyl_strip = 'f'", "m.toml: field 'date' is required for kind samples"),
    ("kind = 'samples'\n[fields]\ndate = 'd'\nsite = 's'",
     "m.toml: a samples mapping needs at least one result field"),
    ("kind = 'samples'\n[fields]\ndate = 'd'\nftir_components = { column = 'f', list = ' ' }",
     "m.toml: field 'ftir_components': list must be a separator such as \";\" \",\" \" + \" \"\\n\", or \"python\""
     " (got ' ')"),
    ("kind = 'samples'\n[fields]\ndate = { column = 'd', formats = ['%A %d %B %Y'] }\nfentanyl_strip = 'f'",
     "m.toml: field 'date': format '%A %d %B %Y' uses %A, which is not supported (use %Y %y %m %d %b %B %H %M %S)"),
    ("kind = 'samples'\n[fields]\ndate = { column = 'd', formats = ['%d/%m'] }\nfentanyl_strip = 'f'",
     "m.toml: field 'date': format '%d/%m' has no year (%Y or %y)"),
    ("kind = 'overdoses'\n[fields]\nperiod = { column = 'p', window = '1 year' }\nmeasure = 'm'\nunit = 'u'",
     "m.toml: field 'period': window must be a number of months from 1 to 120, e.g. \"12 months\" (got '1 year')"),
    ("kind = 'overdoses'\n[fields]\nperiod = 'p'\nmeasure = 'm'\nunit = 'u'\nsite = { column = 's', window = '3 months' }",
     "m.toml: field 'site': window applies only to the period field"),
    ("kind = 'samples'\n[fields]\ndate = 'd'\nfentanyl_strip = 'f'\nregion = { column = 'Postcode', postcode = 'inward' }",
     "m.toml: field 'region': postcode = \"outward\" is the only choice, for a text field such as region"),
    ("kind = 'samples'\n[fields]\ndate = 'd'\nfentanyl_strip = 'f'\nregion = 'Postcode'",
     "m.toml: field 'region' reads column 'Postcode', which holds a person-level identifier; such columns are never"
     " stored (a postcode may give a region with postcode = \"outward\" or a lookup file)"),
    ("kind = 'samples'\n[fields]\ndate = 'd'\nfentanyl_strip = 'f'\nregion = { column = 'Area', lookup = 'nope.csv' }",
     "m.toml: field 'region': lookup file 'nope.csv' not found"),
    ("kind = 'samples'\n[fields]\ndate = 'd'\nfentanyl_strip = 'f'\nregion = { template = '{A}{B}', postcode = 'outward' }",
     "m.toml: field 'region': postcode and lookup read one column: write column = \"...\""),
    ("kind = 'samples'\nskip_when = { column = 'Status' }\n[fields]\ndate = 'd'\nfentanyl_strip = 'f'",
     "m.toml: skip_when must be a table like { column = \"Status\", values = [\"not analysed\"] }"),
    ("kind = 'samples'\n[fields]\ndate = { column = 'd', value = 'x' }\nfentanyl_strip = 'f'",
     "m.toml: field 'date': give exactly one of column, value, template or columns"),
    ("kind = 'samples'\n[fields]\ndate = 'd'\nnotes = 'Email'\nfentanyl_strip = 'f'",
     "m.toml: field 'notes' reads column 'Email', which holds a person-level identifier"),
    ("kind = 'samples'\nnatural_key = ['site']\n[fields]\ndate = 'd'\nfentanyl_strip = 'f'",
     "m.toml: natural_key names 'site', which is not a mapped field"),
    ("kind = 'samples'\ncolour = 'x'\n[fields]\ndate = 'd'\nfentanyl_strip = 'f'", "m.toml: unknown setting 'colour'"),
])
def test_mapping_file_errors_are_one_line_naming_the_file(text, message):
    with pytest.raises(ProfileError) as err:
        parse_profile(text, "m.toml")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_required_columns_default_to_the_mapped_ones():
    prof = parse_profile(GOOD, "m.toml")
    assert prof.required_columns == ["When", "FTS"]
    assert prof.missing_columns(["when", "other"]) == ["FTS"]


def test_builtin_profiles_are_valid_mapping_files():
    assert sorted(profiles.builtin_profiles()) == [
        "canonical_alerts", "canonical_overdoses", "canonical_samples", "drugcheckingbc", "phac_substance_harms",
        "toronto_shelter_overdoses"]


@pytest.mark.parametrize("line, delim", [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("a|b|c", "|"),
                                         ('"x;y",b,c', ","), ("single", ",")])
def test_sniff_delimiter(line, delim):
    assert readers.sniff_delimiter(line) == delim


def test_duplicate_header_names_are_refused(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("date,Site,site\n2024-01-01,a,b\n")
    with pytest.raises(readers.FileRefused) as err:
        readers.open_csv(path)
    assert str(err.value) == "dup.csv: line 1: column 'site' appears twice in the header"
