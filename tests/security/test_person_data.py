"""Person-level data at intake: recognised by column name (English, French) and by content, and never stored.

The end-to-end tests load a file full of planted identifiers, then read every column of every table of the
warehouse file (and its raw bytes) and find none of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from etl import person_data, profiles
from etl.profiles import ProfileError, parse_profile

DATA = Path(__file__).resolve().parent.parent / "data" / "security"

# every identifier planted in person_data_fr.csv (and fragments of them)
PLANTED = [
    "Tremblay", "Julie", "julie.tremblay@courriel.qc.ca", "514-555-0142", "(438) 555-0199", "TREJ 8502 1512",
    "1985-02-15", "12 rue des Érables", "H2X 1Y4", "+1 514 555 0123", "1234-567-890-AB", "514 555 0177",
    "450.555.0100", "Roy", "Marc", "marc.roy@example.org", "819-555-0111", "ROYM 9011 0311", "1990-11-03",
    "4 av. du Parc", "J8Y 2A1", "Lee", "sam.lee@example.org", "Poe", "ann.poe@example.org", "Bouchard", "Alain",
    "BOUA 7001 0123", "Gagnon", "Lea",
]


def warehouse_text(path: Path) -> list[str]:
    """Every non-NULL value of every column of every table in the warehouse, as text."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
        out = []
        for table in tables:
            cols = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
            for col in cols:
                out += [r[0] for r in con.execute(
                    f'SELECT CAST("{col}" AS VARCHAR) FROM "{table}" WHERE "{col}" IS NOT NULL').fetchall()]
        return out
    finally:
        con.close()


def assert_nothing_planted_stored(path: Path, planted=PLANTED) -> None:
    values = warehouse_text(path)
    assert len(values) > 100  # the search did read the tables (substance dictionary, runs, samples...)
    blob = path.read_bytes()
    for secret in planted:
        assert not [v for v in values if secret in v], secret
        assert secret.encode() not in blob, secret


# ---------------------------------------------------------------- names

@pytest.mark.parametrize("name", [
    "Nom", "Prénom", "Courriel", "Téléphone", "tel", "NAM", "Date de naissance", "Adresse", "Code postal",
    "PhoneNumber", "HealthCardNo", "PRÉNOM", "  nom ", "Tél.", "No de téléphone", "Numéro d'assurance maladie",
    "No. RAMQ", "Nom de famille", "Nom du client", "Adresse postale", "Adresse courriel", "date_de_naissance",
    "DateOfBirth", "DOB", "E-mail", "eMail", "first_name", "Last Name", "postal code", "PostalCode",
    "health number", "Health-Card No", "Cellulaire", "DDN", "OHIP", "Initiales du client",
])
def test_person_level_column_names_in_english_and_french(name):
    assert profiles.is_person_column(name) is True


@pytest.mark.parametrize("name", [
    "Nom du site", "Adresse du site", "Nom de la substance", "Nom commun", "Site", "Région", "Ville",
    "Substance attendue", "Numéro d'échantillon", "Couleur", "Remarques", "Date", "Date du test",
    "Code de la région", "Bandelette fentanyl", "Sample name", "Shelter address", "location_name", "Female",
    "Technique", "Type", "Hotel",
])
def test_place_substance_and_result_names_are_not_person_columns(name):
    assert profiles.is_person_column(name) is False


@pytest.mark.parametrize("column", ["Courriel", "Prénom", "NAM", "Date de naissance", "PhoneNumber"])
def test_a_mapping_may_not_read_a_french_or_run_together_person_column(column):
    text = f"kind = 'samples'\n[fields]\ndate = 'd'\nnotes = '{column}'\nfentanyl_strip = 'f'"
    with pytest.raises(ProfileError) as err:
        parse_profile(text, "m.toml")
    assert str(err.value) == (f"m.toml: field 'notes' reads column {column!r}, which holds a person-level"
                              " identifier; such columns are never stored (a postcode may give a region with"
                              ' postcode = "outward" or a lookup file)')


# ---------------------------------------------------------------- content

CONTENT = [
    ("jane.doe@example.org", ["email"]),
    ("écrire à J.Roy+drop@serv-ice.qc.ca svp", ["email"]),
    ("514-555-0142", ["phone"]),
    ("(438) 555-0199", ["phone"]),
    ("+1 514 555 0123", ["phone"]),
    ("1-819.555.0111", ["phone"]),
    ("rappeler au 5145550177.", ["phone"]),
    ("TREJ 8502 1512", ["health"]),
    ("nam: trej85021512", ["health"]),
    ("1234-567-890-AB", ["health"]),
    ("9123 456 789", ["health"]),
    ("SIN 046 454 286", ["health"]),
    ("card 1234567890123", []),           # 13 digits: no card is that long
    ("id 012345678", ["health"]),
    ("2024-03-01", []),
    ("2024-03-01 14:30", []),
    ("12.5%", []),
    ("Fentanyl HCl;Caffeine", []),
    ("250-1000 mg", []),
    ("Call 811 or 1 800", []),
    ("SW-2024-000123", []),
    ("1,204,567", []),
    ("0.123456789", []),
    ("carfentanil @ 2 sites", []),
    ("", []),
]


@pytest.mark.parametrize("text, kinds", CONTENT)
def test_person_level_values_are_recognised_by_content(text, kinds):
    assert person_data.kinds_in(text) == kinds


@pytest.mark.parametrize("text, kinds", CONTENT)
def test_duckdb_and_python_read_the_patterns_alike(text, kinds):
    con = duckdb.connect()
    got = [k for k in person_data.ALL
           if con.execute("SELECT regexp_matches(?, ?)", [text, person_data.PATTERNS[k]]).fetchone()[0]]
    assert got == kinds


@pytest.mark.parametrize("raw, blank, expected", [
    ("2024-01-01,Jane,A,positive", {1}, "2024-01-01,,A,positive"),
    ('2024-01-01,"Roy, Marc",A,"said ""hi"""', {1}, '2024-01-01,,A,"said ""hi"""'),
    ("2024-01-01,,A,call 514-555-0142", set(), "2024-01-01,,A,"),
    ("2024-01-01,,A,positive", set(), "2024-01-01,,A,positive"),
    ("2024-01-01,Jane,A,positive,extra", {1}, None),          # ragged: positions cannot be trusted
    ('2024-01-01,"Jane,A,positive', {1}, None),              # broken quote
    ('2024-01-01,"unclosed,jane@example.org', set(), None),
    ('2024-01-01,"unclosed,fine', set(), '2024-01-01,"unclosed,fine'),
])
def test_a_rejected_line_is_kept_only_with_person_fields_blanked(raw, blank, expected):
    assert person_data.blank_line(raw, ",", 4, blank) == expected


# ---------------------------------------------------------------- end to end

REJECTS = [
    (3, "date", "bad date '2024-02-31' (expected YYYY-MM-DD)", "2024-02-31,,,Main St,,,,,,,,,,negative,,Heroin,"),
    (4, "ftir_components", "person-level data (email address): row not loaded, value not stored",
     "2024-03-02,,,Eastside,,,,,,,,,,positive,ok,,"),
    (5, "fentanyl_strip", "[withheld: looks like person-level data] is not a strip result (positive, negative,"
     " invalid or empty)", "2024-03-03,,,Eastside,,,,,,,,,,,,Cocaine,"),
    (7, None, "too many columns: expected 17, found 18", None),
]
DROPPED = ["Nom", "Prénom", "Courriel", "Téléphone", "tel", "NAM", "Date de naissance", "Adresse", "Code postal",
           "PhoneNumber", "HealthCardNo", "Contact"]


def test_french_person_level_file_loads_without_a_single_identifier(cli, query, isolated_db):
    status, out, err = cli("load", DATA / "person_data_fr.csv", "--max-reject-rate", "1", "--no-signals")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == ("person_data_fr.csv: loaded 3 of 7 rows (0 duplicates skipped, 4 rejected) as samples with"
                        " profile canonical_samples; 2 cells holding person-level data blanked, not stored")
    assert "  person-level columns dropped, not stored: " + ", ".join(DROPPED) in lines
    assert "  found by content: Contact (phone number)" in lines
    assert ("  notes: 2 cell(s) held person-level data (phone number, health or insurance number): blanked,"
            " not stored") in lines
    assert "  ftir_components: 1 row(s) held person-level data (email address): rejected, not stored" in lines
    for secret in PLANTED:
        assert secret not in out + err
    assert query("SELECT dropped_columns, status FROM load_runs") == [(DROPPED, "loaded")]
    assert query("SELECT collected_date::VARCHAR, site, notes, fentanyl_strip FROM samples"
                 " ORDER BY collected_date") == [
        ("2024-03-01", "Main St", None, "positive"),       # note with a phone number: blanked
        ("2024-03-04", "Main St", None, "negative"),       # note with a NAM: blanked
        ("2024-03-06", "Eastside", "fort, bleu", "positive"),
    ]
    assert query('SELECT line, "column", reason, raw_line FROM rejects ORDER BY line') == REJECTS
    assert_nothing_planted_stored(isolated_db)
    status, shown, _ = cli("rejects", "1")
    assert "line 4, column ftir_components: person-level data (email address): row not loaded, value not stored" \
           "  | 2024-03-02,,,Eastside,,,,,,,,,,positive,ok,," in shown
    for secret in PLANTED:
        assert secret not in shown


def test_a_refused_file_keeps_its_rejects_without_identifiers(cli, query, isolated_db):
    status, out, err = cli("load", DATA / "person_data_fr.csv", "--no-signals")
    assert status == 1
    assert query("SELECT status, rows_loaded, dropped_columns FROM load_runs") == [("refused", 0, DROPPED)]
    assert query("SELECT count(*) FROM samples") == [(0,)]
    assert query('SELECT line, "column", reason, raw_line FROM rejects ORDER BY line') == REJECTS
    assert_nothing_planted_stored(isolated_db)
    for secret in PLANTED:
        assert secret not in out + err


def test_unread_column_named_by_an_email_is_stored_as_its_position(cli, query, tmp_path, isolated_db):
    path = tmp_path / "shifted.csv"   # an export whose header row is a person's details
    path.write_text("date,fentanyl_strip,jo.bloggs@example.org\n2024-01-01,positive,514-555-0142\n"
                    "2024-01-02,negative,\n")
    status, out, _ = cli("load", path, "--no-signals")
    assert status == 0
    assert query("SELECT dropped_columns FROM load_runs") == [(["column 3"],)]
    assert "  found by content: column 3 (phone number)" in out.splitlines()
    assert "jo.bloggs" not in out
    assert_nothing_planted_stored(isolated_db, ["jo.bloggs@example.org", "514-555-0142"])


def test_published_alerts_keep_service_phone_numbers_but_never_a_health_number(cli, query, tmp_path):
    path = tmp_path / "alertes.csv"
    path.write_text(
        "date,region,title,text\n"
        '2024-03-01,Montréal,Carfentanil,"Appelez Info-Santé 1-888-688-6677 ou info@sante.example.org"\n'
        "2024-03-02,Laval,Nitazènes,Client TREJ 8502 1512 hospitalisé\n", encoding="utf-8")
    status, out, _ = cli("load", path, "--no-signals")
    assert status == 0
    assert query("SELECT title, body FROM alerts ORDER BY issued_date") == [
        ("Carfentanil", "Appelez Info-Santé 1-888-688-6677 ou info@sante.example.org"),
        ("Nitazènes", None),
    ]
    assert "  text: 1 cell(s) held person-level data (health or insurance number): blanked, not stored" \
        in out.splitlines()


@pytest.mark.real_data
@pytest.mark.parametrize("folder, rows", [
    ("bc-drugchecking-2018-2020", 15300), ("phac-substance-harms", 24464), ("toronto-shelter-overdoses", 1517)])
def test_real_public_files_hold_nothing_that_looks_person_level(real_data, tmp_path, folder, rows):
    from etl import load

    [path] = (real_data / folder).glob("*.csv")
    result = load.load_file(path, db=tmp_path / "w.duckdb")
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", rows, 0)
    assert result.person_found == person_data.Found()  # no false alarm: nothing dropped, blanked or rejected
    assert result.dropped_columns == []


# ---------------------------------------------------------------- one pass over the file

class _Recording:
    """A load connection that records each statement it runs (the scan's SQL is what is counted)."""

    def __init__(self, con, statements: list[str]):
        self._con = con
        self._statements = statements

    def execute(self, sql, *args):
        self._statements.append(sql)
        self._con.execute(sql, *args)
        return self

    def __getattr__(self, name):
        return getattr(self._con, name)


@pytest.mark.parametrize("path, found", [
    (DATA / "person_data_fr.csv", (["Contact"], ["notes"], ["ftir_components"])),   # dropped, blanked, rejected
    (DATA.parent / "etl" / "samples_jan.csv", ([], [], [])),                          # nothing person-level
])
def test_the_person_level_scan_reads_the_file_once(monkeypatch, tmp_path, path, found):
    """The patterns run over every row only while the file is read; the scan then reads the rows flagged.

    At 10M samples a second pass over the read table took 165 s (docs/benchmarks.md)."""
    import contextlib

    from etl import load
    from supplywatch import db as sw_db

    statements: list[str] = []
    real = sw_db.writing_snapshot

    @contextlib.contextmanager
    def recorded(*args, **kwargs):
        with real(*args, **kwargs) as con:
            yield _Recording(con, statements)

    monkeypatch.setattr(sw_db, "writing_snapshot", recorded)
    result = load.load_file(path, db=tmp_path / "w.duckdb", max_reject_rate=1)
    assert result.status == "loaded"
    assert (list(result.person_found.dropped), list(result.person_found.blanked),
            list(result.person_found.rejected)) == found
    # statements that read the file or its raw table with a person-level pattern (the checks read the stage
    # view, with the patterns only to withhold a bad value from its reason)
    scans = [s for s in statements if any(p in s for p in person_data.PATTERNS.values())
             and ("read_csv(" in s or re.search(r"\b(FROM|UPDATE) rawv?\b", s))]
    over_every_row = [s for s in scans if "WHERE person_hit" not in s]  # the rows the read flagged
    assert len(over_every_row) == 1 and "read_csv(" in over_every_row[0], over_every_row
