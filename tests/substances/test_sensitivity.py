"""The method-sensitivity table: which methods' negatives mean "absent", and the errors a bad table gives."""

from pathlib import Path

import pytest

from etl.substances import load_dictionary
from supplywatch import classes, dictionary, sensitivity

DATA = Path(__file__).resolve().parent.parent / "data" / "sensitivity"


@pytest.mark.parametrize("target, method, sensitive, source", [
    ("benzodiazepine", "ftir", False, "Laing 2021; Tobias 2021"),
    ("etizolam", "ftir", False, "Laing 2021; Tobias 2021"),   # a member falls back to its class's row
    ("carfentanil", "ftir", False, "McCrae 2020; Green 2020"),  # its own row overrides the fentanyl class's
    ("fentanyl", "ftir", True, "McCrae 2020; Green 2020"),
    ("benzodiazepine", "benzo_strip", True, "Laing 2021; manufacturer cut-off"),
])
def test_verdicts_name_their_source(target, method, sensitive, source):
    row = sensitivity.verdict(target, method)
    assert (row.sensitive, row.source) == (sensitive, source)


def test_every_substance_row_is_a_dictionary_substance_and_its_methods_can_detect_it():
    known = load_dictionary().substances
    for (target, method), row in sensitivity.load().items():
        if target not in classes.CLASSES:
            assert target in known, f"line {row.line}: {target}"
            assert method in dictionary.capable_methods(target), f"line {row.line}: {target} x {method}"


def test_every_source_key_is_explained_in_methods_doc():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "methods.md").read_text(encoding="utf-8")
    keys = {k.strip() for row in sensitivity.load().values() for k in row.source.split(";")}
    assert sorted(k for k in keys if f"**{k}**" not in doc) == []


def test_a_messy_but_valid_table_loads():
    table = sensitivity.parse(DATA / "good_bom_crlf.csv")
    row = table[("benzodiazepine", "ftir")]
    assert (row.sensitive, row.source, row.line) == (False, "Laing 2021", 6)
    assert len(table) == 39


@pytest.mark.parametrize("name, message", [
    ("missing_column.csv",
     "missing_column.csv line 1: missing column(s) source; expected target,method,verdict,source"),
    ("bad_verdict.csv",
     "bad_verdict.csv line 5, column verdict: 'negative' is not one of detects, not_reliable"),
    ("bad_method.csv",
     "bad_method.csv line 4, column method: unknown method 'raman' (expected one of ftir, lab, fentanyl_strip, "
     "benzo_strip, xylazine_strip, nitazene_strip, medetomidine_strip)"),
    ("incapable_method.csv",
     "incapable_method.csv line 4, column method: benzo_strip cannot detect stimulant at all; list only methods "
     "able to"),
    ("empty_source.csv", "empty_source.csv line 6, column source: empty source: say where the verdict comes from"),
    ("duplicate.csv",
     "duplicate.csv line 41, column target: benzodiazepine x ftir is listed twice (first on line 12)"),
    ("ragged.csv", "ragged.csv line 3: 5 fields, expected 4 (quote a source with commas)"),
    ("missing_class.csv",
     "missing_class.csv: no verdict for psychedelic x ftir, psychedelic x lab; every substance class needs one "
     "for each method able to detect it"),
    ("class_level_target.csv",
     "class_level_target.csv line 41, column target: 'opioid_unspecified' is not a class of real substances"),
])
def test_bad_tables_are_refused_with_file_line_and_column(name, message):
    with pytest.raises(sensitivity.SensitivityError) as err:
        sensitivity.parse(DATA / name)
    assert str(err.value) == message


def test_missing_table_says_so(tmp_path):
    with pytest.raises(sensitivity.SensitivityError) as err:
        sensitivity.load(tmp_path / "nope.csv")
    assert str(err.value) == f"{tmp_path / 'nope.csv'}: method sensitivity table not found"
