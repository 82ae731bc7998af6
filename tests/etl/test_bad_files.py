"""The corpus of bad files: each whole-file problem gets its exact one-line error and exit status 1, nothing stored."""

from pathlib import Path

import pytest

CASES = [
    ("empty.csv", "empty.csv: the file is empty"),
    ("header_only.csv", "header_only.csv: the file has a header but no data rows"),
    ("binary.csv", "binary.csv: binary file (it contains NUL bytes), not CSV text"),
    ("xlsx_renamed.csv", "xlsx_renamed.csv: this is a zip archive or an .xlsx spreadsheet, not CSV;"
                         " save it as CSV (UTF-8) and load that"),
    ("utf16.csv", "utf16.csv: UTF-16 text is not supported; save it as CSV UTF-8 and load that"),
]


@pytest.mark.parametrize("name, message", CASES)
def test_whole_file_problem_is_one_line_and_exit_1(cli, data_dir, isolated_db, name, message):
    status, out, err = cli("load", data_dir / name)
    assert status == 1
    assert err.strip() == message
    assert "Traceback" not in err + out
    assert not isolated_db.exists()  # refused before any snapshot: no warehouse written


def test_unknown_layout_names_expected_layouts_and_missing_columns(cli, data_dir):
    status, out, err = cli("load", data_dir / "unknown_layout.csv")
    assert status == 1
    line = err.strip()
    assert "\n" not in line
    assert line.startswith("unknown_layout.csv: unknown layout; expected one of: canonical_alerts (missing 'date', 'title')")
    for name in ("canonical_samples", "canonical_overdoses", "drugcheckingbc", "phac_substance_harms",
                 "toronto_shelter_overdoses"):
        assert name in line
    assert line.endswith("Write a mapping file (docs/data-formats.md) and pass --profile")


def test_missing_required_column_for_named_profile(cli, data_dir):
    status, _, err = cli("load", data_dir / "missing_column.csv", "--profile", "drugcheckingbc")
    assert status == 1
    assert err.strip() == (
        "missing_column.csv: missing required columns for profile drugcheckingbc: 'FTIR Spectrometer'"
        " (found: 'Date', 'Site', 'City/Town', 'Expected Substance', 'Fentanyl Test Strip', 'Benzo Test Strip')")


def test_line_over_1_mb_is_refused_naming_the_line(cli, tmp_path):
    path = tmp_path / "long.csv"
    with open(path, "w") as fh:
        fh.write("date,site,fentanyl_strip\n2024-01-01,A,positive\n")
        fh.write("2024-01-02," + "x" * (1024 * 1024 + 10) + ",negative\n")
    status, _, err = cli("load", path)
    assert status == 1
    assert err.strip() == "long.csv: line 3 is longer than 1 MB; this is not a CSV this loader accepts"


def test_nul_byte_after_the_first_chunk_is_refused(cli, tmp_path):
    path = tmp_path / "nul_late.csv"
    path.write_bytes(b"date,site,fentanyl_strip\n" + b"2024-01-01,A,positive\n" * 5000 + b"2024-01-02,\x00,x\n")
    status, _, err = cli("load", path)
    assert (status, err.strip()) == (1, "nul_late.csv: binary file (it contains NUL bytes), not CSV text")


def test_missing_file(cli, tmp_path):
    status, _, err = cli("load", tmp_path / "nope.csv")
    assert (status, err.strip()) == (1, "nope.csv: no such file")


def test_cp1252_is_converted_and_loaded(cli, data_dir, query):
    status, out, _ = cli("load", data_dir / "cp1252.csv")
    assert status == 0
    assert query("SELECT site, region, expected_raw FROM samples") == [("Café Santé", "Montréal", "Fentanyl – down")]


@pytest.mark.parametrize("data, encoding", [
    ("date,site\n2024-01-01,Montréal\n".encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + "date,site\n2024-01-01,Montréal\n".encode("utf-8"), "utf-8-sig"),
    ("date,site\n2024-01-01,Montréal – “east”\n".encode("cp1252"), "cp1252"),
    (b"date,site\n2024-01-01,caf\xe9 \x81\n", "latin-1"),   # 0x81 is undefined in cp1252
])
def test_encoding_is_recognised(tmp_path, data, encoding):
    from etl import readers

    path = tmp_path / "enc.csv"
    path.write_bytes(data)
    assert readers.scan(path)[0] == encoding
    csvf = readers.open_csv(path)
    try:
        assert csvf.read_path.read_text(encoding="utf-8-sig").splitlines()[1].startswith("2024-01-01,")
    finally:
        csvf.cleanup()


@pytest.mark.parametrize("name, message", [
    # before: DuckDB's 626-character "CSV Parser state machine reached an invalid state ..." message
    ("mac_line_endings.csv", "mac_line_endings.csv: line 1: a carriage return (CR) without a line feed; save the file"
                             " as CSV with LF or CRLF line endings (and no CR inside a cell)"),
    ("bare_cr_in_cell.csv", "bare_cr_in_cell.csv: line 3: a carriage return (CR) without a line feed; save the file"
                            " as CSV with LF or CRLF line endings (and no CR inside a cell)"),
])
def test_a_bare_carriage_return_is_refused_in_one_line_naming_the_line(cli, data_dir, name, message):
    status, out, err = cli("load", data_dir / name, "--no-signals")
    assert (status, out, err.strip()) == (1, "", message)


def test_an_unclosed_quote_is_refused_without_reading_the_rest(cli, tmp_path):
    # before: a 50 MB file like this ran 90 s and was refused as 'too few columns' on every line
    path = tmp_path / "unclosed.csv"
    with open(path, "w") as fh:
        fh.write('date,site,fentanyl_strip,notes\n2024-01-01,A,positive,ok\n2024-01-02,B,negative,"no end\n')
        fh.write(("x" * 70 + "\n") * 60_000)  # 4.3 MB inside the open quote
    status, out, err = cli("load", path, "--no-signals")
    assert (status, err.strip()) == (1, "unclosed.csv: line 3: a quoted field starts here and is still open 1 MB"
                                        " later (a missing closing quote?); nothing loaded")


def test_a_long_quoted_field_that_closes_and_doubled_quotes_are_not_refused(cli, tmp_path, query):
    path = tmp_path / "quoted.csv"
    note = "first line\n" + '""quoted"" ' * 5000 + "\nlast line"  # 55 kB over three lines, then closed
    path.write_text(f'date,site,fentanyl_strip,notes\n2024-01-01,A,positive,"{note}"\n2024-01-02,"B, east",negative,\n')
    status, out, _ = cli("load", path, "--no-signals")
    assert status == 0, out
    assert query("SELECT site, length(notes) FROM samples ORDER BY site") == [("A", len(note.replace('""', '"'))),
                                                                             ("B, east", None)]


def test_a_duckdb_reader_error_becomes_one_line():
    import duckdb

    from etl.load import _csv_error
    from etl.readers import CsvFile

    csvf = CsvFile(Path("odd.csv"), Path("odd.csv"), "", "utf-8", ",", ["a"], 3)
    exc = duckdb.InvalidInputException(
        "Invalid Input Error: The CSV Parser state machine reached an invalid state. Possible fixes: * Disable the"
        " parser's strict mode (strict_mode=false) ... file = odd.csv delimiter = , (Set By User)" + " x" * 300)
    assert str(_csv_error(csvf, exc)) == ("odd.csv: cannot be read as CSV (The CSV Parser state machine reached an"
                                          " invalid state); check its quotes and line endings, or save it again"
                                          " as CSV UTF-8")
