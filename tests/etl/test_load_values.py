"""What a load stores: canonical samples, strips as detections, list cells, built-in layouts, alerts."""

import pytest

from etl import substances


def test_canonical_samples_with_bom_and_crlf(cli, data_dir, query):
    status, out, _ = cli("load", data_dir / "samples_bom_crlf.csv")
    assert status == 0, out
    rows = query("SELECT sample_id, source, collected_date::VARCHAR, site, region, expected_raw, sample_type, form,"
                 " colour, fentanyl_strip, benzo_strip, xylazine_strip, nitazene_strip, medetomidine_strip,"
                 " ftir_tested, lab_tested, fentanyl_pct, overdose_linked, notes FROM samples ORDER BY sample_id")
    assert rows == [
        ("local:S1", "local", "2024-01-05", "Downtown", "North", "Down (Unknown Opioid)", "drug", "powder", "purple",
         "positive", "negative", "positive", None, None, True, False, 12.5, True, "brought by a peer"),
        ("local:S2", "local", "2024-01-06", "Downtown", "North", "Cocaine", "drug", "powder", "white",
         "negative", None, None, None, None, True, False, None, False, None),
        ("local:S3", "local", "2024-01-07", "Eastside", "South", "Heroin", "residue", "other", None,
         "positive", "positive", "negative", "negative", "invalid", True, True, None, None, None),
        ("local:S4", "local", "2024-01-08", "Eastside", "South", "MDMA", "drug", "pill", "pink",
         None, None, None, None, None, True, False, None, None, 'said "it\'s fine", stay safe'),
    ]
    expected = query("SELECT expected_raw, expected_substance, expected_class FROM samples ORDER BY sample_id")
    for raw, sub, cls in expected:
        match = substances.normalise(raw)
        assert (sub, cls) == (match.substance, match.cls)


def test_detections_from_lists_and_strips(any_warehouse, cli, data_dir, query):
    cli("load", data_dir / "samples_bom_crlf.csv")
    got = query("SELECT sample_id, method, substance_raw, substance, class, is_trace, is_primary FROM detections"
                " ORDER BY sample_id, method, substance_raw")
    ftir = {(s, r) for s, m, r, *_ in got if m == "ftir"}
    # placeholders ('Uncertain Match') and 'none' are not detections; unknown names are kept
    assert ftir == {("local:S1", "Fentanyl HCl"), ("local:S1", "Caffeine"), ("local:S1", "Heroin (Trace)"),
                    ("local:S2", "Cocaine HCl"), ("local:S3", "Mystery Powder X"), ("local:S3", "Fentanyl or Analog")}
    for sample_id, method, raw, sub, cls, trace, primary in got:
        if method == "ftir":
            match = substances.normalise(raw)
            assert (sub, cls, trace, primary) == (match.substance, match.cls, match.is_trace, not match.is_trace)
    strips = [r for r in got if r[1].endswith("_strip")]
    assert strips == [
        ("local:S1", "fentanyl_strip", "fentanyl", "fentanyl", "fentanyl", False, True),
        ("local:S1", "xylazine_strip", "xylazine", "xylazine", "alpha2_sedative", False, True),
        ("local:S3", "benzo_strip", "benzodiazepines", None, "benzodiazepine", False, True),
        ("local:S3", "fentanyl_strip", "fentanyl", "fentanyl", "fentanyl", False, True),
    ]
    assert not [r for r in got if r[1] == "lab"]  # S3's lab cell says 'none': tested, nothing found
    assert query("SELECT substance_raw, class FROM detections WHERE substance IS NULL AND method = 'ftir'") == [
        ("Mystery Powder X", "unclassified")]


def test_drugcheckingbc_layout_with_list_literals_and_identical_rows(any_warehouse, cli, data_dir, query):
    status, out, _ = cli("load", data_dir / "dcbc_small.csv")
    assert status == 0
    assert "as samples with profile drugcheckingbc" in out
    # two identical rows are two samples (occurrence counter in the key)
    assert query("SELECT count(*), count(DISTINCT sample_id) FROM samples") == [(5, 5)]
    assert query("SELECT fentanyl_strip, benzo_strip, count(*) FROM samples GROUP BY ALL ORDER BY ALL") == [
        ("invalid", "negative", 1), ("invalid", None, 1), ("negative", None, 1), ("positive", "positive", 2)]
    assert query("SELECT DISTINCT substance_raw FROM detections WHERE method = 'ftir' ORDER BY 1") == [
        ("Caffeine",), ("Cocaine HCl",), ("Etizolam (Trace)",), ("Fentanyl HCl",), ("Lugol's Mix",)]
    assert query("SELECT count(*) FROM samples WHERE ftir_tested") == [(5,)]  # '[]' and placeholders: tested
    assert query("SELECT is_trace, is_primary FROM detections WHERE substance_raw = 'Etizolam (Trace)'") == [
        (True, False), (True, False)]
    assert "unknown substances (kept as 'unclassified'): Lugol's Mix (1)" in out


def test_phac_layout(cli, data_dir, query):
    status, _, _ = cli("load", data_dir / "phac_small.csv")
    assert status == 0
    assert query("SELECT source, region, period_label, period_start::VARCHAR, period_end::VARCHAR, period_type,"
                 " measure, substance, breakdown, unit, value, suppressed, value_label FROM overdose_events"
                 " ORDER BY period_start, region") == [
        ("PHAC substance harms", "Canada", "2019", "2019-01-01", "2019-12-31", "year", "deaths", "opioids", None,
         "count", 3000.0, False, None),
        ("PHAC substance harms", "Yukon", "2019 Q2", "2019-04-01", "2019-06-30", "quarter", "deaths", "opioids",
         None, "count", None, True, "Suppr."),
        ("PHAC substance harms", "Canada", "2021", "2021-01-01", "2021-12-31", "year", "ems", "opioids",
         "Age group | 2021 | 20 to 29 years", "count", 1204.0, False, None),
        ("PHAC substance harms", "Canada", "2024", "2024-01-01", "2024-12-31", "year", "hospitalizations",
         "stimulants", "Sex | 2024 | Female", "percent", None, False, "n/a"),
        ("PHAC substance harms", "Canada", "2025 (Jan to Sep)", "2025-01-01", "2025-09-30", "year_to_date", "ed_visits",
         "opioids", None, "rate", 12.5, False, None),
    ]


def test_toronto_layout_trims_names_and_reads_markers(cli, data_dir, query):
    status, out, _ = cli("load", data_dir / "toronto_small.csv")
    assert status == 0
    assert "columns not used" not in out  # _id and address are ignored on purpose
    assert query("SELECT site, region, period_label, period_start::VARCHAR, measure, substance, unit, value,"
                 " suppressed, value_label FROM overdose_events ORDER BY period_start") == [
        ("Harbour House", "Toronto", "2021 Q1", "2021-01-01", "non_fatal", "opioids", "count", 7.0, False, None),
        ("Harbour House", "Toronto", "2021 Q2", "2021-04-01", "non_fatal", "opioids", "count", None, True, "< 5"),
        ("Harbour House", "Toronto", "2021 Q3", "2021-07-01", "non_fatal", "opioids", "count", None, False, "NA"),
        ("Maple Respite", "Toronto", "2022 Q4", "2022-10-01", "non_fatal", "opioids", "count", 0.0, False, None),
    ]


def test_alerts_keep_text_as_text_and_drop_unsafe_links(any_warehouse, cli, data_dir, query):
    status, _, _ = cli("load", data_dir / "alerts.csv")
    assert status == 0
    assert query("SELECT source, issued_date::VARCHAR, region, alert_type, title, link FROM alerts"
                 " ORDER BY issued_date") == [
        ("Health unit", "2024-03-01", "North", "drug alert", "Carfentanil found in down", "https://example.org/a1"),
        ("Health unit", "2024-03-02", "South", "advisory", '=HYPERLINK("x")', None),
    ]


@pytest.mark.parametrize("source, expected", [(None, "local"), ("Eastside DCS", "Eastside DCS")])
def test_source_option_names_the_service(cli, data_dir, query, source, expected):
    args = ["load", data_dir / "samples_jan.csv"] + (["--source", source] if source else [])
    assert cli(*args)[0] == 0
    assert query("SELECT DISTINCT source FROM samples") == [(expected,)]
