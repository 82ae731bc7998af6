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
