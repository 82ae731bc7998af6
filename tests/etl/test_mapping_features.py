"""Mapping files read layouts met in the wild as they are: list separators of any text (a line break inside a
quoted cell too), brackets that keep an item whole, value maps per list item, rows skipped for having no result,
and a coarse region from a postcode or a lookup file without the finer code ever being stored."""

import duckdb
import pytest

from etl import load

FOLDER = "mappings"


def load_mapped(cli, data_dir, name: str, *extra) -> str:
    """Load mappings/NAME.csv with mappings/NAME.toml; the CLI output, once it succeeded."""
    folder = data_dir / FOLDER
    status, out, _ = cli("load", folder / f"{name}.csv", "--profile", folder / f"{name}.toml", *extra)
    assert status == 0, out
    return out


def items(cell, fmt, values=None):
    con = duckdb.connect()
    sql = load.list_items_sql("x", fmt, values)
    return con.execute(f"SELECT {sql} FROM (SELECT ?::VARCHAR AS x)", [cell]).fetchone()[0]


@pytest.mark.parametrize("cell, fmt, expected", [
    ("4-Methylmethcathinone (Mephedrone; 4-MMC);Caffeine", ";", ["4-Methylmethcathinone (Mephedrone; 4-MMC)",
                                                                 "Caffeine"]),
    ("A [x, y, z], B (c, d), E", ",", ["A [x, y, z]", "B (c, d)", "E"]),
    ("Fentanyl\nXylazine (trace)\n", "\n", ["Fentanyl", "Xylazine (trace)"]),
    ("Fentanyl\r\nCaffeine", "\n", ["Fentanyl", "Caffeine"]),
    ("Cocaine + Levamisole + Phenacetin", " + ", ["Cocaine", "Levamisole", "Phenacetin"]),
    ("Heroin and Fentanyl and Caffeine (trace)", " and ", ["Heroin", "Fentanyl", "Caffeine (trace)"]),
    ("Unclosed (a; b; c", ";", ["Unclosed (a; b; c"]),
    ("Fentanyl\nX (a\nb)\nC", "\n", ["Fentanyl", "X (a\nb)", "C"]),
    ("A (b + c) + D", " + ", ["A (b + c)", "D"]),
    ("A [x. y]. B", ". ", ["A [x. y]", "B"]),
    ("A (b|c)|D (Trace)|E", "|", ["A (b|c)", "D (Trace)", "E"]),
    ("x)) ; y", ";", ["x))", "y"]),
])
def test_list_separators_and_brackets(cell, fmt, expected):
    assert items(cell, fmt) == expected


def test_value_maps_apply_to_each_list_item():
    values = {"fent": "Fentanyl", "no match": "", "benzo": "Bromazolam"}
    assert items("Fent; Benzo ;no match;Caffeine", ";", values) == ["Fentanyl", "Bromazolam", "Caffeine"]
    assert items("['Fent', 'No Match']", "python", values) == ["Fentanyl"]


def test_lists_on_lines_brackets_item_maps_and_skipped_rows_load(cli, data_dir, query):
    out = load_mapped(cli, data_dir, "lists")
    assert out.splitlines()[0] == ("lists.csv: loaded 4 of 6 rows (0 duplicates skipped, 0 rejected, 2 skipped"
                                   " without a result (Status = not analysed: 2)) as samples with profile lists")
    assert query("SELECT rows_read, rows_loaded, rows_rejected, rows_skipped FROM load_runs") == [(6, 4, 0, 2)]
    assert "  skipped without a result (skip_when): Status = not analysed (2)" in out.splitlines()
    assert query("SELECT sample_id, lab_tested, ftir_tested FROM samples ORDER BY 1") == [
        ("Lab line service:L-1", True, True), ("Lab line service:L-2", True, False),
        ("Lab line service:L-4", True, False), ("Lab line service:L-6", False, True)]
    assert query("SELECT sample_id, method, substance_raw, is_trace FROM detections ORDER BY 1, 2, 3") == [
        ("Lab line service:L-1", "ftir", "4-Methylmethcathinone (Mephedrone; 4-MMC)", False),
        ("Lab line service:L-1", "ftir", "Caffeine", False),
        ("Lab line service:L-1", "lab", "Fentanyl", False),
        ("Lab line service:L-1", "lab", "Xylazine (trace)", True),
        ("Lab line service:L-2", "lab", "Cocaine", False),
        ("Lab line service:L-2", "lab", "Levamisole", False),
        ("Lab line service:L-4", "lab", "Fentanyl", False),
        ("Lab line service:L-6", "ftir", "Caffeine", False),
        ("Lab line service:L-6", "ftir", "Mannitol", False),
    ]
    assert query("SELECT count(*) FROM rejects") == [(0,)]


def test_skipped_rows_do_not_count_against_the_reject_limit(cli, data_dir, tmp_path, query):
    """3 rows without a result and 1 bad date in 103: 1 of the 100 rows with a result is 1%, within the limit."""
    lines = ["Ref,Date,Lab result,FTIR,Status"]
    lines += [f"R-{i},2024-05-02,Fentanyl,,done" for i in range(99)]
    lines += [f"S-{i},2024-05-03,,,not analysed" for i in range(3)] + ["R-99,2024-13-40,Fentanyl,,done"]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n")
    status, out, _ = cli("load", path, "--profile", data_dir / FOLDER / "lists.toml")
    assert status == 0, out
    assert query("SELECT rows_read, rows_loaded, rows_rejected, rows_skipped, status FROM load_runs") == [
        (103, 99, 1, 3, "loaded")]
    assert query('SELECT line, "column", reason FROM rejects') == [
        (104, "Date", "bad date '2024-13-40' (expected YYYY-MM-DD)")]  # skipped rows still count as lines


@pytest.mark.parametrize("cell, outward", [
    ("CF10 1AA", "CF10"), ("cf244hq", "CF24"), ("sa1 3sn", "SA1"), ("M1 1AE", "M1"), ("W1A 0AX", "W1A"),
    ("EC1A 1BB", "EC1A"), ("K1A 0B1", "K1A"), ("h3z2y7", "H3Z"), ("SA1", "SA1"), ("CF10 1A", None), ("12345", None),
    ("not a code", None), ("CF10 1AA extra", None),
])
def test_postcode_outward_part(cell, outward):
    con = duckdb.connect()
    assert con.execute(f"SELECT {load.postcode_outward_sql('x')} FROM (SELECT ?::VARCHAR AS x)",
                       [cell]).fetchone()[0] == outward


def test_postcode_outward_part_is_the_region_and_the_full_code_is_never_stored(cli, data_dir, query):
    load_mapped(cli, data_dir, "postcodes", "--max-reject-rate", "0.2")
    assert query("SELECT sample_id, region FROM samples ORDER BY 1") == [
        ("Postcode service:P-1", "CF10"), ("Postcode service:P-2", "CF24"), ("Postcode service:P-3", "K1A"),
        ("Postcode service:P-4", "SA1"), ("Postcode service:P-6", None)]
    assert query('SELECT line, "column", reason, raw_line FROM rejects') == [
        (6, "Postcode", "not a postcode (UK or Canadian); the value is not stored", "P-5,2024-05-04,,neg")]
    text = " ".join(str(r) for r in query("SELECT * FROM samples") + query("SELECT * FROM rejects")
                    + query("SELECT * FROM load_runs")).upper().replace(" ", "")
    for fine in ("1AA", "4HQ", "0B1", "NOTACODE"):
        assert fine not in text


def test_a_lookup_file_gives_the_region_and_unknown_codes_are_rejected(cli, data_dir, query):
    load_mapped(cli, data_dir, "lookup", "--max-reject-rate", "0.5")
    assert query("SELECT sample_id, region FROM samples ORDER BY 1") == [
        ("Area service:A-1", "Cardiff"), ("Area service:A-2", "Swansea")]
    assert query('SELECT line, "column", reason FROM rejects') == [
        (4, "LSOA", "not in the lookup file areas.csv; the value is not stored")]


def test_lookup_file_errors_name_the_file_and_line(tmp_path):
    from etl.profiles import ProfileError, load_profile_file

    (tmp_path / "codes.csv").write_text("code,area\nA1,North\nA2\n")
    (tmp_path / "m.toml").write_text('kind = "samples"\n[fields]\ndate = "d"\nfentanyl_strip = "f"\n'
                                     'region = { column = "Area", lookup = "codes.csv" }\n')
    with pytest.raises(ProfileError) as err:
        load_profile_file(tmp_path / "m.toml")
    assert str(err.value) == ("m.toml: field 'region': codes.csv line 3: expected two columns, code and value"
                              " (found 1)")


def test_a_month_name_date_format_reads_english_and_says_so_when_it_cannot(cli, tmp_path, query):
    (tmp_path / "d.csv").write_text("Ref,Tested,FTS\nD-1,5 March 2024,pos\nD-2,5 mars 2024,neg\n", encoding="utf-8")
    (tmp_path / "d.toml").write_text('kind = "samples"\nsource = "d"\n[fields]\nsample_id = "Ref"\n'
                                     'date = { column = "Tested", formats = ["%d %B %Y"] }\nfentanyl_strip = "FTS"\n')
    status, out, _ = cli("load", tmp_path / "d.csv", "--profile", tmp_path / "d.toml", "--max-reject-rate", "0.5")
    assert status == 0, out
    assert query("SELECT sample_id, collected_date::VARCHAR FROM samples") == [("d:D-1", "2024-03-05")]
    assert query('SELECT line, "column", reason FROM rejects') == [
        (3, "Tested", "bad date '5 mars 2024' (expected DD March YYYY; month names in English)")]
