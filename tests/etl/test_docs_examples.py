"""The files docs/data-formats.md points to load as documented, including the worked mapping example."""

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.mark.parametrize("name, kind, rows", [("samples.csv", "samples", 4), ("overdoses.csv", "overdoses", 5),
                                              ("alerts.csv", "alerts", 1)])
def test_canonical_examples_load(cli, name, kind, rows):
    status, out, _ = cli("load", EXAMPLES / name)
    assert status == 0
    assert out.splitlines()[0] == (f"{name}: loaded {rows} of {rows} rows (0 duplicates skipped, 0 rejected)"
                                   f" as {kind} with profile canonical_{kind}")


def test_worked_example_mapping_for_a_new_service(cli, query):
    status, out, _ = cli("load", EXAMPLES / "new-service.csv", "--profile", EXAMPLES / "new-service.toml")
    assert status == 0, out
    assert "person-level columns dropped, not stored: Client phone" in out
    assert query("SELECT sample_id, collected_date::VARCHAR, site, region, fentanyl_strip, benzo_strip,"
                 " xylazine_strip, lab_tested, ftir_tested, round(fentanyl_pct, 6) FROM samples ORDER BY 1") == [
        ("New service:NS-1", "2024-03-05", "Mobile van", "Kingston", "positive", "negative", "positive", True, False,
         12.0),
        ("New service:NS-2", "2024-03-05", "Mobile van", "Kingston", "negative", None, "negative", True, False, None),
        ("New service:NS-3", "2024-03-06", "Drop-in", "Belleville", None, None, None, True, False, None),
        ("New service:NS-4", "2024-02-29", "Drop-in", "Belleville", "positive", "negative", "negative", True, False,
         4.0),
    ]
    assert query("SELECT substance_raw, is_trace, is_primary FROM detections WHERE sample_id = 'New service:NS-2'"
                 " AND method = 'lab' ORDER BY 1") == [("Cocaine", False, True), ("Levamisole", True, False),
                                                       ("Phenacetin", True, False)]


def test_each_feature_example_snippet_is_in_its_mapping_file():
    """The snippets docs/data-formats.md shows are lines of the example files the tests below load."""
    import re

    doc = (EXAMPLES.parent / "data-formats.md").read_text(encoding="utf-8")
    part = doc[doc.index("### One worked example per feature"):doc.index("## 4. Worked example")]
    mappings = "\n".join(p.read_text(encoding="utf-8") for p in EXAMPLES.glob("*.toml"))
    snippets = re.findall(r"```toml\n(.*?)```", part, re.S)
    assert len(snippets) == 5
    for snippet in snippets:
        for line in snippet.splitlines():
            assert line in mappings.splitlines(), line


def load_example(cli, name, *extra):
    status, out, _ = cli("load", EXAMPLES / f"{name}.csv", "--profile", EXAMPLES / f"{name}.toml", *extra)
    assert status == 0, out
    return out


def test_month_names_example(cli, query):
    load_example(cli, "monthly-deaths")
    assert query("SELECT period_label, period_start::VARCHAR, period_end::VARCHAR, period_type, value, suppressed"
                 " FROM overdose_events ORDER BY period_start") == [
        ("2024-Ionawr", "2024-01-01", "2024-01-31", "month", 14.0, False),
        ("2024-Chwefror", "2024-02-01", "2024-02-29", "month", None, True),
        ("2024-Mawrth", "2024-03-01", "2024-03-31", "month", 9.0, False)]


def test_rolling_window_example(cli, query):
    load_example(cli, "rolling-deaths")
    assert query("SELECT period_label, period_start::VARCHAR, period_end::VARCHAR, period_type, value"
                 " FROM overdose_events ORDER BY period_end") == [
        ("2024-01", "2023-02-01", "2024-01-31", "rolling", 118.0),
        ("2024-02", "2023-03-01", "2024-02-29", "rolling", 121.0)]


def test_lab_lines_example(cli, query):
    out = load_example(cli, "lab-lines")
    assert out.splitlines()[0] == ("lab-lines.csv: loaded 2 of 3 rows (0 duplicates skipped, 0 rejected, 1 skipped"
                                   " without a result (Status = not analysed: 1)) as samples with profile lab-lines")
    assert query("SELECT sample_id, substance_raw FROM detections ORDER BY 1, 2") == [
        ("Lab lines:LB-1", "4-Methylmethcathinone (Mephedrone; 4-MMC)"), ("Lab lines:LB-1", "Bromazolam"),
        ("Lab lines:LB-1", "Fentanyl"), ("Lab lines:LB-2", "Fentanyl")]
    assert query("SELECT sample_id, lab_tested FROM samples ORDER BY 1") == [("Lab lines:LB-1", True),
                                                                            ("Lab lines:LB-2", True)]


def test_postcode_region_example(cli, query):
    out = load_example(cli, "postcode-region")
    assert "person-level columns dropped, not stored: Postcode" in out
    assert query("SELECT sample_id, collected_date::VARCHAR, region, fentanyl_strip FROM samples ORDER BY 1") == [
        ("Postcode region:PC-1", "2024-03-05", "CF10", "positive"),
        ("Postcode region:PC-2", "2024-03-12", "SA1", "negative")]


def test_area_lookup_example(cli, query):
    load_example(cli, "area-lookup")
    assert query("SELECT sample_id, region FROM samples ORDER BY 1") == [("Area lookup:AL-1", "Cardiff"),
                                                                        ("Area lookup:AL-2", "Swansea")]
