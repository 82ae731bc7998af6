"""The dictionary maps every real name, tricky names map exactly, and a malformed file is refused with its line."""

import ast
import csv
import re

import pytest

from etl import substances
from supplywatch import classes


def test_every_bc_component_is_known(bc_names, dictionary):
    components, _ = bc_names
    assert len(components) == 263
    unknown = [name for name in components if not dictionary.normalise(name).known]
    assert unknown == []


def test_every_bc_expected_value_is_known(bc_names, dictionary):
    _, expected = bc_names
    assert len(expected) == 165
    unknown = [name for name in expected if not dictionary.normalise(name).known]
    assert unknown == []


def test_bc_expected_values_name_something_a_person_expects(bc_names, dictionary):
    """An expected value is never an instrument placeholder, except the form's own '(blank)'."""
    _, expected = bc_names
    placeholders = sorted(n for n in expected if dictionary.normalise(n).is_placeholder)
    assert placeholders == ["(blank)"]


M = substances.Match


@pytest.mark.parametrize("raw, match", [
    ("Fentanyl HCl", M("fentanyl", "fentanyl", False, False, True)),
    ("fentanyl hcl (trace)", M("fentanyl", "fentanyl", True, False, True)),
    ("Fentanyl or Analog", M("fentanyl or analogue", "fentanyl", False, False, True)),
    ("Carfentanil HCl", M("carfentanil", "fentanyl", False, False, True)),
    ("p-Fluorofentanyl", M("para-fluorofentanyl", "fentanyl", False, False, True)),
    ("Heroin (Trace)", M("heroin", "opioid_other", True, False, True)),
    ("Heroin Base", M("heroin", "opioid_other", False, False, True)),
    ("6-Monoacetylmorphine", M("6-monoacetylmorphine", "opioid_other", False, False, True)),
    ("etizolam", M("etizolam", "benzodiazepine", False, False, True)),
    ("Etizolam", M("etizolam", "benzodiazepine", False, False, True)),
    ("Bromazolam (Trace)", M("bromazolam", "benzodiazepine", True, False, True)),
    ("Dexmedetomidine", M("medetomidine", "alpha2_sedative", False, False, True)),
    ("Xylazine", M("xylazine", "alpha2_sedative", False, False, True)),
    ("Etonitazepyne", M("n-pyrrolidino etonitazene", "nitazene", False, False, True)),
    ("N-Desethyl Isotonitazene", M("n-desethyl isotonitazene", "nitazene", False, False, True)),
    ("4-ANPP", M("4-anpp", "precursor", False, False, True)),
    ("ANPP", M("4-anpp", "precursor", False, False, True)),
    ("Cocaine Base", M("cocaine", "stimulant", False, False, True)),
    ("Crack Cocaine", M("cocaine", "stimulant", False, False, True)),
    ("Methamphetamine HCl", M("methamphetamine", "stimulant", False, False, True)),
    ("Ketamine HCl", M("ketamine", "dissociative", False, False, True)),
    ("Dimethyl Sulfone", M("dimethyl sulfone", "cut", False, False, True)),
    ("Surcrose", M("sucrose", "cut", False, False, True)),               # the source's typo
    ("Pregbalin", M("pregabalin", "depressant", False, False, True)),   # the source's typo
    ("GHB (Wet)", M("ghb", "depressant", False, False, True)),
    ("THC-A", M("thca", "cannabis", False, False, True)),
    ("AMB-FUBINACA", M("amb-fubinaca", "synthetic_cannabinoid", False, False, True)),
    ("Down (Unknown Opioid)", M("unknown opioid", "opioid_unspecified", False, False, True)),
    ("Unknown", M("unknown", "unknown", False, False, True)),
    ("Steroid", M("anabolic steroid", "other", False, False, True)),
    ("Fentanyl and Heroin", M("fentanyl", "fentanyl", False, False, True)),
    ("Carfentanil and Fentanyl", M("carfentanil", "fentanyl", False, False, True)),
    ("Acetaminophen and Oxycodone", M("oxycodone", "opioid_other", False, False, True)),
    ("Uncertain Match", M(None, "placeholder", False, True, True)),
    ("Uncertain Oil", M(None, "placeholder", False, True, True)),
    ("Sugar Uncertain", M(None, "placeholder", False, True, True)),
    ("No Library Match", M(None, "placeholder", False, True, True)),
    ("(blank)", M(None, "placeholder", False, True, True)),
    ("", M(None, "placeholder", False, True, True)),
    ("Unidentified analogue 7", M(None, "unclassified", False, False, False)),
    ("Mystery Powder (Trace)", M(None, "unclassified", True, False, False)),
])
def test_tricky_names(dictionary, raw, match):
    assert dictionary.normalise(raw) == match


def test_module_normalise_uses_the_project_dictionary():
    assert substances.normalise("Fentanyl HCl").substance == "fentanyl"


def test_every_combination_follows_the_documented_rule(dictionary):
    """Names like 'A and B' map to the most dangerous part (class order, then high risk, then first written)."""
    combos = [n for e in dictionary.substances.values() for n in e.synonyms if re.search(r"\sand\s", n)]
    assert len(combos) >= 11
    for name in combos:
        assert dictionary.normalise(name).substance == substances.combo_choice(name, dictionary), name


@pytest.mark.parametrize("raw, choice", [
    ("Heroin + Xylazine", "heroin"),
    ("Xylazine and Etizolam", "xylazine"),
    ("MDMA / Ketamine", "mdma"),
    ("Cocaine and Caffeine", "cocaine"),
    ("Fentanyl & Unheard-of Thing", None),   # an unknown part: no guess
    ("Fentanyl", None),                       # not a combination
])
def test_combo_choice(dictionary, raw, choice):
    assert substances.combo_choice(raw, dictionary) == choice


def test_dictionary_rows_are_consistent(dictionary):
    for entry in dictionary.substances.values():
        assert entry.cls in classes.CLASSES and entry.cls != "unclassified"
        assert substances.name_key(entry.substance) == entry.substance
        assert dictionary.keys[entry.substance] is entry
    # docs/substances.md "High risk": novel analogues, nitazenes and sedatives are flagged, everyday fentanyl and cuts are not
    for name in ("carfentanil", "isotonitazene", "medetomidine", "xylazine", "bromazolam", "para-fluorofentanyl"):
        assert dictionary.substances[name].high_risk, name
    for name in ("fentanyl", "caffeine", "heroin", "cocaine"):
        assert not dictionary.substances[name].high_risk, name


def test_placeholders_are_rows_with_class_placeholder(dictionary):
    rows = sorted(e.substance for e in dictionary.substances.values() if e.is_placeholder)
    assert rows == ["no library match", "not stated", "uncertain match"]


@pytest.mark.parametrize("substance, en, fr", [
    ("etizolam", "etizolam", "étizolam"),
    ("fentanyl", "fentanyl", "fentanyl"),
    ("mdma", "MDMA", "MDMA"),
    ("u-47700", "U-47700", "U-47700"),
    ("heroin", "heroin", "héroïne"),
    ("n-pyrrolidino etonitazene", "N-pyrrolidino etonitazene", "N-pyrrolidino étonitazène"),
    ("phenethyl-4-anpp", "phenethyl-4-ANPP", "phénéthyl-4-ANPP"),
])
def test_display_labels(dictionary, substance, en, fr):
    assert dictionary.substances[substance].label("en") == en
    assert dictionary.substances[substance].label("fr") == fr


def test_english_labels_only_change_case(dictionary):
    """label_en is the canonical name as people print it ('MDMA'), never another name."""
    for e in dictionary.substances.values():
        assert not e.label_en or substances.name_key(e.label_en) == e.substance, e.substance


ERRORS = [
    ("bad_class.csv", "bad_class.csv line 3, column class: unknown class 'opioids' (expected one of fentanyl, "
     "nitazene, opioid_other, benzodiazepine, alpha2_sedative, depressant, stimulant, dissociative, psychedelic, "
     "cannabis, synthetic_cannabinoid, cut, precursor, other, opioid_unspecified, unknown, placeholder)"),
    ("unclassified_class.csv", "unclassified_class.csv line 2, column class: class 'unclassified' marks names "
     "missing from the dictionary; pick a class"),
    ("duplicate_synonym.csv", "duplicate_synonym.csv line 4, column synonyms: name 'FENT  (trace)' (key 'fent') "
     "already maps to 'fentanyl' on line 2"),
    ("duplicate_substance.csv", "duplicate_substance.csv line 4, column substance: 'cocaine' is listed twice "
     "(first on line 2)"),
    ("bad_high_risk.csv", "bad_high_risk.csv line 2, column high_risk: 'yes' is not true or false"),
    ("not_canonical.csv", "not_canonical.csv line 2, column substance: canonical name 'Fentanyl HCl' must be "
     "written as its key 'fentanyl hcl'"),
    ("missing_column.csv", "missing_column.csv line 1: missing column(s) high_risk, synonyms; expected "
     "substance,class,high_risk,label_en,label_fr,synonyms"),
    ("label_en_other_name.csv", "label_en_other_name.csv line 3, column label_en: 'Crystal Meth' must be "
     "'methamphetamine' in other letter case (put other names in synonyms)"),
    ("ragged.csv", "ragged.csv line 2: 6 fields, expected 5 (quote names with commas)"),
]


@pytest.mark.parametrize("name, message", ERRORS)
def test_malformed_dictionary_is_refused_with_its_line(fixture_path, name, message):
    with pytest.raises(substances.DictionaryError) as err:
        substances.load_dictionary(fixture_path(name))
    assert str(err.value) == message


def test_missing_dictionary_file(tmp_path):
    with pytest.raises(substances.DictionaryError, match="substance dictionary not found"):
        substances.load_dictionary(tmp_path / "nope.csv")


def test_bom_crlf_upper_case_header_and_spaces_are_read(fixture_path):
    d = substances.load_dictionary(fixture_path("good_bom_crlf.csv"))
    assert d.normalise("special k").substance == "ketamine"
    assert d.normalise("KETAMINE HCL").substance == "ketamine"
    assert d.normalise("Uncertain Oil").is_placeholder
    assert d.normalise("").is_placeholder        # the trailing '|' lists the empty name
    assert d.substances["ketamine"].label_fr == ""  # the optional label_fr column is absent
    assert d.substances["ketamine"].high_risk is False


def test_edited_dictionary_is_reread(tmp_path):
    path = tmp_path / "dict.csv"
    path.write_text("substance,class,high_risk,label_fr,synonyms\nxylazine,alpha2_sedative,true,,\n",
                    encoding="utf-8")
    assert not substances.normalise("Tranq", path).known
    path.write_text("substance,class,high_risk,label_fr,synonyms\nxylazine,alpha2_sedative,true,,Tranq|Tranq Dope\n",
                    encoding="utf-8")
    assert substances.normalise("Tranq", path).substance == "xylazine"


def test_own_bc_layout_fixture_maps_row_by_row(fixture_path, dictionary):
    """A small file in the DrugCheckingBC layout (written for the project): each row's components and expectation."""
    with fixture_path("bc_layout_small.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    found = []
    for row in rows:
        matches = [dictionary.normalise(n) for n in ast.literal_eval(row["FTIR Spectrometer"])]
        found.append((
            dictionary.normalise(row["Expected Substance"]).substance,
            [(m.substance, m.cls, m.is_trace) for m in matches if not m.is_placeholder],
        ))
    assert found == [
        ("unknown opioid", [("caffeine", "cut", False), ("fentanyl or analogue", "fentanyl", False),
                            ("etizolam", "benzodiazepine", False)]),
        ("heroin", [("heroin", "opioid_other", False), ("fentanyl", "fentanyl", True),
                    ("noscapine", "precursor", False)]),
        ("fentanyl", [("mannitol", "cut", False), ("fentanyl", "fentanyl", False), ("4-anpp", "precursor", False)]),
        ("cocaine", [("cocaine", "stimulant", False)]),
        ("unknown", []),
        (None, [(None, "unclassified", False), ("erythritol", "cut", False)]),
        ("amphetamine", [("methamphetamine", "stimulant", False), ("dimethyl sulfone", "cut", False),
                         ("xylazine", "alpha2_sedative", False)]),
    ]
