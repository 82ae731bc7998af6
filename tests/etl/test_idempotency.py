"""Loading the same file again adds nothing; overlapping files add only the new rows."""

import shutil


def counts(query):
    return query("SELECT (SELECT count(*) FROM samples), (SELECT count(*) FROM detections)")[0]


def test_same_file_twice_is_unchanged_and_writes_nothing(cli, data_dir, query, isolated_db):
    assert cli("load", data_dir / "samples_jan.csv")[0] == 0
    before = isolated_db.stat()
    status, out, _ = cli("load", data_dir / "samples_jan.csv")
    assert status == 0
    assert out.strip() == "samples_jan.csv: unchanged, nothing added (same content as load run 1)"
    after = isolated_db.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # no snapshot swapped in
    assert query("SELECT count(*) FROM load_runs") == [(1,)]


def test_same_content_under_another_name_is_unchanged(cli, data_dir, tmp_path):
    cli("load", data_dir / "samples_jan.csv")
    copy = tmp_path / "january-export.csv"
    shutil.copy(data_dir / "samples_jan.csv", copy)
    status, out, _ = cli("load", copy)
    assert (status, out.strip()) == (0, "january-export.csv: unchanged, nothing added (same content as load run 1)")


def test_overlapping_files_add_only_new_samples(any_warehouse, cli, data_dir, query):
    cli("load", data_dir / "samples_jan.csv")
    assert counts(query) == (4, 8)  # incl. the two identical rows: two samples
    status, out, _ = cli("load", data_dir / "samples_jan_feb.csv")
    assert status == 0
    assert out.splitlines()[0] == ("samples_jan_feb.csv: loaded 2 of 6 rows (4 duplicates skipped, 0 rejected)"
                                   " as samples with profile canonical_samples")
    assert counts(query) == (6, 13)  # new: strip + 2 FTIR names, and strip + 1 FTIR name
    assert query("SELECT collected_date::VARCHAR, site FROM samples WHERE load_run_id = 2 ORDER BY 1") == [
        ("2024-02-01", "A"), ("2024-02-02", "B")]


def test_identical_rows_repeated_in_a_later_file_are_not_doubled(any_warehouse, cli, tmp_path, query):
    row = "2024-01-01,A,North,Fentanyl,positive,Fentanyl HCl\n"
    head = "date,site,region,expected,fentanyl_strip,ftir_components\n"
    (tmp_path / "a.csv").write_text(head + row * 2)
    (tmp_path / "b.csv").write_text(head + row * 3)   # one more identical sample than before
    cli("load", tmp_path / "a.csv")
    status, out, _ = cli("load", tmp_path / "b.csv")
    assert "loaded 1 of 3 rows (2 duplicates skipped" in out
    assert query("SELECT count(*) FROM samples") == [(3,)]


def test_repeated_sample_ids_within_a_file_keep_the_first(cli, tmp_path, query):
    path = tmp_path / "ids.csv"
    path.write_text("sample_id,date,fentanyl_strip\nX1,2024-01-01,positive\nX1,2024-01-01,positive\nX2,2024-01-02,negative\n")
    status, out, _ = cli("load", path)
    assert "loaded 2 of 3 rows (1 duplicates skipped, 0 rejected)" in out
    assert query("SELECT sample_id FROM samples ORDER BY 1") == [("local:X1",), ("local:X2",)]


def test_overdose_reload_with_changed_bytes_skips_known_events(any_warehouse, cli, data_dir, tmp_path, query):
    cli("load", data_dir / "toronto_small.csv")
    longer = tmp_path / "toronto_more.csv"
    longer.write_text((data_dir / "toronto_small.csv").read_text() + "5,Maple Respite,NA,2023,Q1,9\n")
    status, out, _ = cli("load", longer)
    assert "loaded 1 of 5 rows (4 duplicates skipped, 0 rejected)" in out
    assert query("SELECT count(*), sum(value) FROM overdose_events") == [(5, 16.0)]


def test_a_refused_file_can_be_loaded_later_with_a_higher_threshold(cli, data_dir, query):
    assert cli("load", data_dir / "ragged.csv")[0] == 1
    status, out, _ = cli("load", data_dir / "ragged.csv", "--max-reject-rate", "0.5")
    assert status == 0 and "loaded 2 of 4 rows" in out
    assert query("SELECT run_id, status FROM load_runs ORDER BY 1") == [(1, "refused"), (2, "loaded")]


def test_old_warehouse_loses_the_samples_key_but_keeps_rows_and_still_dedupes(cli, data_dir, query, isolated_db):
    import duckdb

    from supplywatch import db, schema

    con = duckdb.connect(str(isolated_db))  # a warehouse at schema 1 (samples had a PRIMARY KEY) with one sample
    db.migrate(con, schema.WAREHOUSE_MIGRATIONS[:1])
    con.execute("INSERT INTO samples (sample_id, source, collected_date, region, ftir_tested, load_run_id)"
                " VALUES ('old:1', 'old', DATE '2023-05-06', 'North', true, 0)")
    con.close()
    assert cli("load", data_dir / "samples_jan.csv")[0] == 0
    assert query("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(len(schema.WAREHOUSE_MIGRATIONS)),)]
    assert query("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'samples'"
                 " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')") == [(0,)]
    assert query("SELECT sample_id, source, collected_date::VARCHAR, region, ftir_tested, lab_tested FROM samples"
                 " WHERE load_run_id = 0") == [("old:1", "old", "2023-05-06", "North", True, False)]
    assert counts(query) == (5, 8)
    status, out, _ = cli("load", data_dir / "samples_jan_feb.csv")
    assert out.splitlines()[0].startswith("samples_jan_feb.csv: loaded 2 of 6 rows (4 duplicates skipped")
    assert query("SELECT count(*), count(DISTINCT sample_id) FROM samples") == [(7, 7)]


COPIES_DIFFER = (
    "SELECT count(*) FROM detections d LEFT JOIN samples s ON s.sample_no = d.sample_no"
    " WHERE s.sample_id IS DISTINCT FROM d.sample_id OR "
    + " OR ".join(f"s.{c} IS DISTINCT FROM d.{c}" for c in ("collected_date", "site", "region", "expected_raw",
                                                            "sample_type", "expected_substance", "expected_class"))
)


def test_each_load_numbers_its_samples_and_detections_carry_their_sample(any_warehouse, cli, data_dir, query):
    assert cli("load", data_dir / "samples_jan.csv")[0] == 0
    assert cli("load", data_dir / "samples_jan_feb.csv")[0] == 0
    # one integer key per sample, numbered on from the earlier load, never reused
    assert query("SELECT count(*), count(DISTINCT sample_no), min(sample_no), max(sample_no) FROM samples") == [
        (6, 6, 1, 6)]
    assert query("SELECT min(sample_no) FROM samples WHERE load_run_id = 2") == [(5,)]
    assert query("SELECT count(*) FROM detections") == [(counts(query)[1],)]
    assert query(COPIES_DIFFER) == [(0,)]


def test_old_warehouse_gets_sample_numbers_and_detection_copies(cli, data_dir, query, isolated_db):
    import duckdb

    from supplywatch import db, schema

    con = duckdb.connect(str(isolated_db))  # a warehouse at schema 2 with two samples and their detections
    db.migrate(con, schema.WAREHOUSE_MIGRATIONS[:2])
    con.execute("INSERT INTO samples (sample_id, source, collected_date, site, region, expected_raw,"
                " expected_substance, expected_class, sample_type, ftir_tested, load_run_id) VALUES"
                " ('old:1', 'old', DATE '2023-05-06', 'Dock', 'North', 'Down', NULL, 'opioid_unspecified', 'drug',"
                " true, 0), ('old:2', 'old', DATE '2023-05-07', NULL, 'South', NULL, NULL, NULL, NULL, true, 0)")
    con.execute("INSERT INTO detections VALUES ('old:1', 'ftir', 'Fentanyl HCl', 'fentanyl', 'fentanyl', false,"
                " true), ('old:1', 'ftir', 'Caffeine', 'caffeine', 'cut', false, true),"
                " ('old:2', 'ftir', 'Cocaine HCl', 'cocaine', 'stimulant', false, true)")
    con.close()
    assert cli("load", data_dir / "samples_jan.csv")[0] == 0
    assert query("SELECT sample_id, sample_no FROM samples WHERE load_run_id = 0 ORDER BY 1") == [
        ("old:1", 1), ("old:2", 2)]
    assert query("SELECT sample_id, substance, sample_no, collected_date::VARCHAR, site, region, expected_class"
                 " FROM detections WHERE sample_id LIKE 'old:%' ORDER BY 1, 2") == [
        ("old:1", "caffeine", 1, "2023-05-06", "Dock", "North", "opioid_unspecified"),
        ("old:1", "fentanyl", 1, "2023-05-06", "Dock", "North", "opioid_unspecified"),
        ("old:2", "cocaine", 2, "2023-05-07", None, "South", None)]
    assert query("SELECT min(sample_no) FROM samples WHERE load_run_id <> 0") == [(3,)]
    assert query(COPIES_DIFFER) == [(0,)]


def test_each_sample_is_written_with_its_findings_folded(cli, data_dir, query):
    from supplywatch import findings

    assert cli("load", data_dir / "samples_jan.csv")[0] == 0
    rows = query("SELECT expected_raw, found_classes, found_substances, found_expected, found_unexpected"
                 " FROM samples ORDER BY collected_date, expected_raw")
    slugs = findings.class_slugs()
    got = [(raw, [s for bit, s in enumerate(slugs) if mask >> bit & 1], *rest) for raw, mask, *rest in rows]
    # the fentanyl strip is no FTIR finding; caffeine is a cut: found, never "unexpected", no class bit
    assert got == [
        ("Fentanyl", ["fentanyl"], ["caffeine", "fentanyl"], True, False),
        ("Fentanyl", ["fentanyl"], ["caffeine", "fentanyl"], True, False),  # the same row twice: two samples
        ("Heroin", ["opioid_other"], ["heroin"], True, False),
        ("Cocaine", ["stimulant"], ["cocaine"], True, False),
    ]
    assert query("SELECT value FROM meta WHERE key = 'findings_rule'") == [(findings.fingerprint(),)]


def test_old_warehouse_gets_its_samples_folded(cli, data_dir, query, isolated_db):
    import duckdb

    from supplywatch import db, schema

    con = duckdb.connect(str(isolated_db))  # a warehouse at schema 3: one sample, an unexpected finding
    db.migrate(con, schema.WAREHOUSE_MIGRATIONS[:3])
    con.execute("INSERT INTO samples (sample_id, source, collected_date, region, expected_raw, expected_substance,"
                " expected_class, ftir_tested, load_run_id) VALUES ('old:1', 'old', DATE '2023-05-06', 'North',"
                " 'Fentanyl', 'fentanyl', 'fentanyl', true, 0)")
    con.execute(schema.INSERT_DETECTION, ["old:1", "ftir", "Bromazolam", "bromazolam", "benzodiazepine", False, True])
    con.close()
    assert cli("load", data_dir / "samples_jan.csv")[0] == 0
    assert query("SELECT found_substances, found_expected, found_unexpected FROM samples"
                 " WHERE sample_id = 'old:1'") == [(["bromazolam"], False, True)]
    assert query("SELECT count(*) FROM samples WHERE found_classes IS NULL") == [(0,)]
