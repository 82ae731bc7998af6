"""Wide 0/1 flag columns, one per substance, mapped with [[flags]]."""

import pytest

from etl.profiles import ProfileError, parse_profile


def test_flag_columns_become_detections_and_mark_the_method_tested(cli, data_dir, query):
    status, out, _ = cli("load", data_dir / "wide_flags.csv", "--profile", data_dir / "wide_flags.toml",
                         "--max-reject-rate", "0.5")
    assert status == 0
    assert query('SELECT line, "column", reason FROM rejects ORDER BY line') == [
        (4, "fentanyl+xylazine+heroin+bromazolam+mystery_new", "no result: every result cell is empty"),
        (5, "bromazolam", "'maybe' is not a flag value (1/yes/y or 0/no/n)"),
    ]
    assert query("SELECT sample_id, lab_tested, ftir_tested FROM samples ORDER BY 1") == [
        ("Wide flags service:W1", True, False), ("Wide flags service:W2", True, False)]
    assert query("SELECT sample_id, method, substance_raw, substance FROM detections ORDER BY ALL") == [
        ("Wide flags service:W1", "lab", "Fentanyl", "fentanyl"),
        ("Wide flags service:W1", "lab", "Xylazine", "xylazine"),
        ("Wide flags service:W2", "lab", "Heroin", "heroin"),
    ]


@pytest.mark.parametrize("flags, message", [
    ("method = 'gcms'\ncolumns = { a = 'x' }", "m.toml: flags: method must be ftir or lab (got 'gcms')"),
    ("columns = []", "m.toml: flags: columns must map source columns to substance names"),
    ("columns = { a = 'x' }\ncolour = 1", "m.toml: flags: unknown setting 'colour'"),
])
def test_flag_mapping_errors(flags, message):
    text = f"kind = 'samples'\n[fields]\ndate = 'd'\n[[flags]]\n{flags}\n"
    with pytest.raises(ProfileError) as err:
        parse_profile(text, "m.toml")
    assert str(err.value).startswith(message)


def test_flags_count_as_a_result_field_and_a_required_column():
    prof = parse_profile("kind = 'samples'\n[fields]\ndate = 'd'\n[[flags]]\ncolumns = { fent = 'fentanyl' }\n",
                         "m.toml")
    assert prof.required_columns == ["d", "fent"]
