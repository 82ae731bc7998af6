"""Class labels in both languages, method-aware denominators and high-risk flags."""

import pytest

from supplywatch import classes, dictionary


@pytest.mark.parametrize("target, methods", [
    ("fentanyl", {"ftir", "lab", "fentanyl_strip"}),                # the class
    ("para-fluorofentanyl", {"ftir", "lab", "fentanyl_strip"}),     # a member of the class
    ("fentanyl or analogue", {"ftir", "lab", "fentanyl_strip"}),
    ("carfentanil", {"ftir", "lab"}),                               # the strip's blind spot
    ("furanylfentanyl", {"ftir", "lab"}),
    ("benzodiazepine", {"ftir", "lab", "benzo_strip"}),
    ("bromazolam", {"ftir", "lab", "benzo_strip"}),
    ("etizolam", {"ftir", "lab", "benzo_strip"}),
    ("nitazene", {"ftir", "lab", "nitazene_strip"}),
    ("isotonitazene", {"ftir", "lab", "nitazene_strip"}),
    ("xylazine", {"ftir", "lab", "xylazine_strip"}),
    ("medetomidine", {"ftir", "lab", "medetomidine_strip"}),
    ("alpha2_sedative", {"ftir", "lab"}),      # neither strip covers the whole class
    ("detomidine", {"ftir", "lab"}),
    ("heroin", {"ftir", "lab"}),
    ("opioid_other", {"ftir", "lab"}),
    ("opioid_unspecified", {"ftir", "lab"}),
    ("4-anpp", {"ftir", "lab"}),
    ("caffeine", {"ftir", "lab"}),
    ("placeholder", set()),
    ("unclassified", set()),
    ("unknown", set()),                        # 'sold as unknown' is not something to find
    ("uncertain match", set()),
    ("not in the dictionary at all", {"ftir", "lab"}),
])
def test_capable_methods(target, methods):
    assert dictionary.capable_methods(target) == methods


def test_every_strip_target_gets_its_strip():
    for strip, target in classes.STRIP_TARGETS.items():
        assert strip in dictionary.capable_methods(target)
        assert set(dictionary.capable_methods(target)) <= set(classes.METHODS)


@pytest.mark.parametrize("slug, en, fr", [
    ("fentanyl", "Fentanyl & analogues", "Fentanyl et analogues"),
    ("nitazene", "Nitazenes", "Nitazènes"),
    ("benzodiazepine", "Benzodiazepine-related drugs", "Drogues apparentées aux benzodiazépines"),
    ("alpha2_sedative", "Veterinary sedatives (xylazine, medetomidine)",
     "Sédatifs vétérinaires (xylazine, médétomidine)"),
    ("stimulant", "Stimulants", "Stimulants"),
    ("cut", "Cuts and buffers", "Agents de coupe"),
    ("unclassified", "Unknown name", "Nom inconnu"),
])
def test_labels(slug, en, fr):
    assert classes.label(slug) == en
    assert classes.label(slug, "fr") == fr


def test_every_class_and_method_has_both_languages():
    for c in classes.CLASSES.values():
        assert c.label_en and c.label_fr and c.description_en and c.description_fr, c.slug
    for m in classes.METHODS.values():
        assert m.label_en and m.label_fr and m.limit_en and m.limit_fr, m.slug
    assert classes.method_label("ftir", "fr") == "Spectromètre FTIR"
    assert "5%" in classes.method_limit("ftir") and "5 %" in classes.method_limit("ftir", "fr")


def test_unknown_slug_label_is_shown_as_written():
    assert classes.label("mystery_class") == "mystery_class"
    assert classes.label(None) == ""
    with pytest.raises(KeyError):
        classes.description("mystery_class")


def test_substance_classes_cover_every_class_but_the_categories():
    categories = {s for s, c in classes.CLASSES.items() if c.class_level or not c.detectable}
    assert set(classes.SUBSTANCE_CLASSES) == set(classes.CLASSES) - categories


@pytest.mark.parametrize("target, high", [
    ("carfentanil", True), ("nitazene", True), ("metonitazene", True), ("medetomidine", True),
    ("xylazine", True), ("bromazolam", True), ("fentanyl", False), ("fentanyl or analogue", False),
    ("benzodiazepine", False), ("caffeine", False), ("cocaine", False),
])
def test_high_risk(target, high):
    assert dictionary.is_high_risk(target) is high


def test_high_risk_of_an_unknown_name_is_an_error():
    with pytest.raises(KeyError, match="unknown class or substance: 'zzz'"):
        dictionary.is_high_risk("zzz")


def test_unspecified_substances_are_in_the_dictionary(dictionary):
    for name in classes.UNSPECIFIED_SUBSTANCES:
        assert name in dictionary.substances, name


MATCH_CASES = [
    # expected substance, expected class, found substance, found class, met?
    ("fentanyl", "fentanyl", "fentanyl", "fentanyl", True),
    ("fentanyl", "fentanyl", "fentanyl or analogue", "fentanyl", True),     # FTIR could not tell
    ("fentanyl", "fentanyl", "carfentanil", "fentanyl", False),             # a different, named analogue
    ("fentanyl", "fentanyl", "caffeine", "cut", False),
    ("fentanyl or analogue", "fentanyl", "para-fluorofentanyl", "fentanyl", True),
    ("unknown opioid", "opioid_unspecified", "fentanyl", "fentanyl", True),
    ("unknown opioid", "opioid_unspecified", "heroin", "opioid_other", True),
    ("unknown opioid", "opioid_unspecified", "isotonitazene", "nitazene", True),
    ("unknown opioid", "opioid_unspecified", "xylazine", "alpha2_sedative", False),
    ("unknown", "unknown", "cocaine", "stimulant", False),                  # no expectation to meet
    ("benzodiazepine (unspecified)", "benzodiazepine", "bromazolam", "benzodiazepine", True),
    ("alprazolam", "benzodiazepine", "etizolam", "benzodiazepine", False),
    ("alprazolam", "benzodiazepine", None, "benzodiazepine", False),        # a strip says only "a benzo"
    (None, "benzodiazepine", None, "benzodiazepine", True),
    (None, None, "cocaine", "stimulant", False),
    ("heroin", "opioid_other", None, "unclassified", False),
]


@pytest.mark.parametrize("es, ec, fs, fc, met", MATCH_CASES)
def test_expected_matches(es, ec, fs, fc, met):
    assert classes.expected_matches(es, ec, fs, fc) is met


def test_expected_matches_sql_agrees():
    import duckdb

    con = duckdb.connect(":memory:")
    sql = classes.expected_matches_sql("es", "ec", "fs", "fc")
    got = con.execute(
        f"SELECT {sql} FROM (SELECT unnest(?::VARCHAR[]) es, unnest(?::VARCHAR[]) ec, unnest(?::VARCHAR[]) fs,"
        f" unnest(?::VARCHAR[]) fc, generate_subscripts(?::VARCHAR[], 1) i) ORDER BY i",
        [[c[0] for c in MATCH_CASES], [c[1] for c in MATCH_CASES], [c[2] for c in MATCH_CASES],
         [c[3] for c in MATCH_CASES], [c[3] for c in MATCH_CASES]],
    ).fetchall()
    assert [r[0] for r in got] == [c[4] for c in MATCH_CASES]


@pytest.mark.parametrize("name, lang, shown", [
    ("mdma", "en", "MDMA"), ("heroin", "fr", "héroïne"), ("nitazene", "fr", "Nitazènes"),
    ("Unidentified analogue 7", "fr", "Unidentified analogue 7"), (None, "en", ""),
])
def test_substance_label(name, lang, shown):
    assert dictionary.substance_label(name, lang) == shown


def test_the_loader_and_the_metrics_read_the_one_strip_table():
    """Every strip list is supplywatch.classes.STRIPS seen from one side (the strip table was kept in three shapes)."""
    from etl import profiles, samples
    from supplywatch import metrics

    assert profiles.STRIPS == metrics.STRIPS == tuple(classes.STRIP_TARGETS) == tuple(classes.STRIPS) == (
        "fentanyl_strip", "benzo_strip", "xylazine_strip", "nitazene_strip", "medetomidine_strip")
    assert {c: (s.positive_substance, s.positive_class, s.raw_name) for c, s in classes.STRIPS.items()} == {
        c: (*samples.STRIP_TARGETS[c], samples.STRIP_RAW[c]) for c in classes.STRIPS}
    assert classes.STRIPS["benzo_strip"] == classes.Strip("benzodiazepine", "benzodiazepines", None, "benzodiazepine")
