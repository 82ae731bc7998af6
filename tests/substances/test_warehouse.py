"""install_dictionary fills the warehouse tables; unknown names are kept, reported and re-mapped later."""

import pytest

from etl import substances
from supplywatch import db, findings, schema

SAMPLE = ("INSERT INTO samples (sample_id, source, collected_date, expected_raw, expected_substance, expected_class,"
          " load_run_id) VALUES (?, 'test', DATE '2025-01-01', ?, ?, ?, 1)")
DETECTION = schema.INSERT_DETECTION


def classes_in(mask: int) -> list[str]:
    """The class slugs set in a ``found_classes`` mask."""
    return [slug for bit, slug in enumerate(findings.class_slugs()) if mask >> bit & 1]


def ftir(rows):
    """(sample_id, raw name, substance, class) rows as primary FTIR detections."""
    return [[sid, "ftir", raw, sub, cls, False, True] for sid, raw, sub, cls in rows]


@pytest.fixture
def warehouse(isolated_db, dictionary):
    """A temporary warehouse with the project dictionary installed."""
    with db.writing_snapshot(isolated_db) as con:
        substances.install_dictionary(con)
    return isolated_db


def test_install_fills_both_tables(warehouse, dictionary):
    con = db.connect_readonly(warehouse)
    n_sub, n_classes = con.execute("SELECT count(*), count(DISTINCT class) FROM substances").fetchone()
    assert n_sub == len(dictionary.substances)
    n_names = con.execute("SELECT count(*) FROM substance_names").fetchone()[0]
    assert n_names == len(dictionary.keys)
    assert con.execute(
        "SELECT class, high_risk, list_contains(synonyms, 'Carfentanil HCl') FROM substances"
        " WHERE substance = 'carfentanil'").fetchone() == ("fentanyl", True, True)
    # synonyms and canonical names are both keys; placeholders carry no substance
    rows = dict(((k, (s, p)) for k, s, p in con.execute(
        "SELECT name_key, substance, is_placeholder FROM substance_names"
        " WHERE name_key IN ('fentanyl', 'fentanyl hcl', 'uncertain match', 'uncertain oil', '')").fetchall()))
    assert rows == {
        "fentanyl": ("fentanyl", False),
        "fentanyl hcl": ("fentanyl", False),
        "uncertain match": (None, True),
        "uncertain oil": (None, True),
        "": (None, True),
    }
    assert con.execute("SELECT count(*) FROM substances WHERE class = 'placeholder'").fetchone()[0] == 3
    con.close()


def test_install_twice_replaces_rather_than_duplicates(warehouse, dictionary):
    with db.writing_snapshot(warehouse) as con:
        substances.install_dictionary(con)
        assert con.execute("SELECT count(*) FROM substance_names").fetchone()[0] == len(dictionary.keys)


def test_sql_join_gives_the_same_answer_as_normalise(warehouse, dictionary):
    raws = ["Fentanyl HCl", "Heroin (Trace)", "  ETIZOLAM ", "Fëntanyl HCl", "Ｘylazine", "Uncertain Match",
            "Down (Unknown Opioid)", "Unidentified analogue 7"]
    con = db.connect_readonly(warehouse)
    substances.register_functions(con)
    key = substances.NAME_KEY_SQL.format(col="r.raw")
    got = con.execute(f"""
        SELECT r.raw, n.substance, coalesce(s.class, CASE WHEN n.is_placeholder THEN 'placeholder'
                                                          ELSE 'unclassified' END)
        FROM (SELECT unnest(?::VARCHAR[]) AS raw) r
        LEFT JOIN substance_names n ON n.name_key = {key}
        LEFT JOIN substances s ON s.substance = n.substance
    """, [raws]).fetchall()
    con.close()
    expected = [(raw, dictionary.normalise(raw).substance, dictionary.normalise(raw).cls) for raw in raws]
    assert sorted(got, key=str) == sorted(expected, key=str)


def test_unknown_names_are_reported_not_dropped(warehouse):
    with db.writing_snapshot(warehouse) as con:
        con.executemany(SAMPLE, [
            ["s1", "Fentanyl", "fentanyl", "fentanyl"],
            ["s2", "Purple Sizzurp", None, "unclassified"],
            ["s3", "purple  sizzurp", None, "unclassified"],
            ["s4", "(blank)", None, None],
        ])
        con.executemany(DETECTION, ftir([
            ["s1", "Fentanyl HCl", "fentanyl", "fentanyl"],
            ["s1", "Unidentified analogue 7", None, "unclassified"],
            ["s2", "Unidentified analogue 7", None, "unclassified"],
            ["s3", "Unidentified analogue 7", None, "unclassified"],
            ["s3", "Zylazine", None, "unclassified"],
        ]))
    con = db.connect_readonly(warehouse)
    assert substances.unknown_names(con) == [
        ("Unidentified analogue 7", 3),
        ("Purple Sizzurp", 1),
        ("Zylazine", 1),
        ("purple  sizzurp", 1),
    ]
    # the rows are still there, as written
    assert con.execute("SELECT count(*) FROM detections WHERE class = 'unclassified'").fetchone()[0] == 4
    con.close()


def test_reinstall_remaps_names_added_to_the_dictionary(warehouse, tmp_path, dictionary):
    with db.writing_snapshot(warehouse) as con:
        con.executemany(SAMPLE, [["s1", "Horse  Tranquilizer", None, "unclassified"],
                                 ["s2", "Nothing Known", None, "unclassified"]])
        con.executemany(DETECTION, ftir([["s1", "Zylazine", None, "unclassified"],
                                    ["s1", "Fuzzy Spectrum", None, "unclassified"],
                                    ["s1", "Fentanyl HCl", "fentanyl", "fentanyl"]]))
    edited = tmp_path / "substances.csv"
    text = dictionary.path.read_text(encoding="utf-8")
    for old, new in [("xylazine,alpha2_sedative,true,,,Xylazine HCl|", "xylazine,alpha2_sedative,true,,,Zylazine|"
                      "Horse Tranquilizer|Xylazine HCl|"),
                     ("correspondance incertaine,Uncertain Oil|", "correspondance incertaine,Fuzzy Spectrum|"
                      "Uncertain Oil|"),
                     ("not stated,placeholder,false,,non indiqué,", "not stated,placeholder,false,,non indiqué,"
                      "Nothing Known|")]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    edited.write_text(text, encoding="utf-8")
    with db.writing_snapshot(warehouse) as con:
        substances.install_dictionary(con, edited)
        assert substances.unknown_names(con) == []
        assert con.execute("SELECT substance_raw, substance, class FROM detections ORDER BY 1").fetchall() == [
            ("Fentanyl HCl", "fentanyl", "fentanyl"),
            ("Zylazine", "xylazine", "alpha2_sedative"),  # the placeholder 'Fuzzy Spectrum' is no detection
        ]
        assert con.execute(
            "SELECT sample_id, expected_substance, expected_class FROM samples ORDER BY 1").fetchall() == [
            ("s1", "xylazine", "alpha2_sedative"),
            ("s2", None, None),
        ]
        # each detection's copy of its sample's expectation follows (the dashboard reads the copy)
        assert con.execute("SELECT DISTINCT sample_id, expected_substance, expected_class FROM detections"
                           " ORDER BY 1").fetchall() == [("s1", "xylazine", "alpha2_sedative")]
        # and so do the sample's folded findings (expected vs found reads them): xylazine was expected and
        # found, fentanyl is the unexpected active finding
        rows = con.execute("SELECT sample_id, found_classes, found_substances, found_expected, found_unexpected"
                           " FROM samples ORDER BY 1").fetchall()
        assert [(sid, classes_in(mask), *rest) for sid, mask, *rest in rows] == [
            ("s1", ["alpha2_sedative", "fentanyl"], ["fentanyl", "xylazine"], True, True),
            ("s2", [], [], False, False),
        ]
        assert findings.is_current(con)


def test_install_is_undone_with_a_failed_load(warehouse, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("substance,class,high_risk,label_fr,synonyms\nx,nope,false,,\n", encoding="utf-8")
    with pytest.raises(substances.DictionaryError, match="unknown class 'nope'"):
        with db.writing_snapshot(warehouse) as con:
            substances.install_dictionary(con, bad)
    con = db.connect_readonly(warehouse)
    assert con.execute("SELECT count(*) FROM substances").fetchone()[0] > 300
    con.close()
