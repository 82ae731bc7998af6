"""Same key, different values is a conflict that refuses the file; only rows equal in every value are duplicates.

Before: the second of two key-equal rows was counted as a 'duplicate skipped' whatever its values, so a total and
its accidental part (PHAC's older release) or two versions of one figure were silently reduced to whichever came
first in the file.
"""

import pytest

RUN_COUNTS = ("SELECT status, rows_read, rows_loaded, rows_duplicate, rows_conflict, rows_rejected FROM load_runs"
              " ORDER BY run_id")


def rejects(query, run_id):
    return query('SELECT line, "column", reason, raw_line FROM rejects WHERE run_id = ? ORDER BY line', [run_id])


@pytest.mark.parametrize("name, table, message, conflict_rejects, counts", [
    ("phac_conflicting.csv", "overdose_events",
     "phac_conflicting.csv: refused, 1 rows have the key of another row but other values (a conflict, not a"
     " duplicate); nothing loaded. Lines 2 and 6 have the same key (Canada, 2019, deaths, opioids, count) but"
     " differ in Value ('3000' vs '3,010'). See: python -m etl rejects 1",
     [(6, "Value", "same key as line 2 (Canada, 2019, deaths, opioids, count), different values",
       'Opioids,Deaths,Overall numbers,Canada,1,By year,2019,,,Number,"3,010"')],
     ("refused", 5, 0, 0, 1, 0)),
    # the older PHAC release: lines 2 and 3 are identical (not a conflict); 4 and 5 are one rate written twice
    ("phac_old_release_conflict.csv", "overdose_events",
     "phac_old_release_conflict.csv: refused, 1 rows have the key of another row but other values (a conflict,"
     " not a duplicate); nothing loaded. Lines 4 and 5 have the same key (Manitoba, 2020, deaths, opioids, rate)"
     " but differ in Value ('27.0' vs '26.9'). See: python -m etl rejects 1",
     [(5, "Value", "same key as line 4 (Manitoba, 2020, deaths, opioids, rate), different values",
       "Opioids,Deaths,Overall numbers,Total apparent opioid toxicity deaths,Manitoba,46,By year,2020,,,Crude rate,"
       "26.9")],
     ("refused", 4, 0, 0, 1, 0)),
    # S1 repeated identically (a duplicate); S2 differs in strip and FTIR; S3 differs only in its notes, which
    # are named but never quoted
    ("samples_conflicting.csv", "samples",
     "samples_conflicting.csv: refused, 2 rows have the key of another row but other values (a conflict, not a"
     " duplicate); nothing loaded. Lines 3 and 6 have the same key (local:S2) but differ in fentanyl_strip"
     " ('negative' vs 'positive'); ftir_components ('Cocaine HCl' vs 'Cocaine HCl;Fentanyl HCl')."
     " See: python -m etl rejects 1",
     [(6, "fentanyl_strip+ftir_components", "same key as line 3 (local:S2), different values",
       "S2,2024-02-01,A,Cocaine,positive,Cocaine HCl;Fentanyl HCl,"),
      (7, "notes", "same key as line 5 (local:S3), different values",
       "S3,2024-02-02,B,Heroin,negative,Heroin,said it was strong")],
     ("refused", 6, 0, 0, 2, 0)),
    ("alerts_conflicting.csv", "alerts",
     "alerts_conflicting.csv: refused, 1 rows have the key of another row but other values (a conflict, not a"
     " duplicate); nothing loaded. Lines 3 and 5 have the same key (A-8) but differ in text"
     " ('Wound care available.' vs 'Wound care available at the site.'). See: python -m etl rejects 1",
     [(5, "text", "same key as line 3 (A-8), different values",
       "A-8,2024-03-02,South,advisory,Xylazine in fentanyl,Wound care available at the site.,https://example.org/a8")],
     ("refused", 4, 0, 0, 1, 0)),
])
def test_key_equal_rows_that_differ_refuse_the_file_naming_both_lines(cli, data_dir, query, name, table, message,
                                                                        conflict_rejects, counts):
    status, out, err = cli("load", data_dir / name, "--no-signals")
    assert status == 1
    assert err.splitlines()[0] == message
    assert query(f"SELECT count(*) FROM {table}") == [(0,)]
    assert rejects(query, 1) == conflict_rejects
    assert query(RUN_COUNTS) == [counts]
    status, out, _ = cli("rejects", "1")
    assert out.splitlines()[0] == (f"run 1 ({name}, refused): 0 rows rejected, {counts[4]} conflicting rows"
                                   " (same key, other values)")


def test_identical_rows_are_duplicates_and_an_unknown_column_is_listed(cli, data_dir, query):
    # lines 2 and 4 write the same count as 3000 and "3,000": equal once read, so a duplicate, not a conflict
    status, out, _ = cli("load", data_dir / "phac_identical_rows.csv", "--no-signals")
    assert status == 0
    assert out.splitlines()[:3] == [
        "phac_identical_rows.csv: loaded 2 of 4 rows (2 duplicates skipped, 0 rejected) as overdoses with profile"
        " phac_substance_harms",
        "  rows read 4, loaded 2, duplicates skipped 2, rejected 0",
        "  columns not used by the profile: Notes from analyst",
    ]
    assert query("SELECT region, period_label, value, value_label FROM overdose_events ORDER BY region") == [
        ("Canada", "2019", 3000.0, None), ("Yukon", "2019 Q2", None, "Suppr.")]
    assert query(RUN_COUNTS) == [("loaded", 4, 2, 2, 0, 0)]


def test_an_unknown_column_that_makes_rows_differ_is_named_with_the_mapping_line(cli, data_dir, query):
    # a blank line 4: the second Alberta 2021 Q3 row is physical line 5
    status, _, err = cli("load", data_dir / "phac_unknown_column_conflict.csv", "--no-signals")
    assert status == 1
    assert err.splitlines()[0] == (
        "phac_unknown_column_conflict.csv: refused, 1 rows have the key of another row but other values (a"
        " conflict, not a duplicate); nothing loaded. Lines 2 and 5 have the same key (Alberta, 2021 Q3, deaths,"
        " opioids, count) but differ in Value ('412' vs '401'); Cause ('All' vs 'Accidental'), a column profile"
        " phac_substance_harms does not use. To keep it, load with a mapping file (--profile) whose [fields] say:"
        ' breakdown = { columns = ["Specific_Measure", "Type_Event", "Aggregator", "Disaggregator", "Cause"],'
        ' separator = " | " }. See: python -m etl rejects 1')
    assert "  columns not used by the profile: Cause" in err.splitlines()
    assert query("SELECT count(*) FROM overdose_events") == [(0,)]


def test_a_row_differing_from_a_stored_row_names_the_run_that_stored_it(cli, data_dir, tmp_path, query):
    assert cli("load", data_dir / "phac_small.csv", "--no-signals")[0] == 0
    revised = tmp_path / "phac_revised.csv"
    lines = (data_dir / "phac_small.csv").read_text().splitlines()
    revised.write_text("\n".join([lines[0], lines[1].replace(",3000", ",3012"), lines[2]]) + "\n")
    status, _, err = cli("load", revised, "--no-signals")
    assert status == 1
    assert err.splitlines()[0] == (
        "phac_revised.csv: refused, 1 rows have the key of another row but other values (a conflict, not a"
        " duplicate); nothing loaded. Line 2 has the key (Canada, 2019, deaths, opioids, count) of a row stored by"
        " load run 1 but differs in Value (stored '3000.0', now '3012.0'). See: python -m etl rejects 2")
    assert query("SELECT value FROM overdose_events WHERE period_label = '2019' AND region = 'Canada'") == [(3000.0,)]
    assert rejects(query, 2) == [
        (2, "Value", "same key as a row stored by load run 1 (Canada, 2019, deaths, opioids, count), different values",
         "Opioids,Deaths,Overall numbers,Canada,1,By year,2019,,,Number,3012")]
    # the unchanged Yukon row alone is a duplicate: a file of it loads, adding nothing
    only_yukon = tmp_path / "phac_yukon.csv"
    only_yukon.write_text(lines[0] + "\n" + lines[2] + "\n")
    status, out, _ = cli("load", only_yukon, "--no-signals")
    assert status == 0 and "loaded 0 of 1 rows (1 duplicates skipped, 0 rejected)" in out


def test_the_older_phac_release_loads_completely_with_totals_apart_from_their_parts(cli, data_dir, query):
    # Before: Type_Event was ignored, 'Age-adjusted rate' was rejected as "not a unit", and each accidental row was
    # skipped as a 'duplicate' of its total.
    status, out, _ = cli("load", data_dir / "phac_old_release.csv", "--no-signals")
    assert status == 0
    assert out.splitlines()[0] == ("phac_old_release.csv: loaded 11 of 11 rows (0 duplicates skipped, 0 rejected)"
                                   " as overdoses with profile phac_substance_harms")
    assert "columns not used" not in out
    assert query("SELECT region, period_label, measure, breakdown, unit, value, value_label FROM overdose_events"
                 " ORDER BY ALL") == [
        ("British Columbia", "2019 Q1", "deaths", "Overall numbers | Accidental apparent opioid toxicity deaths",
         "count", 259.0, None),
        ("British Columbia", "2019 Q1", "deaths", None, "count", 268.0, None),
        ("Canada", "2019", "deaths", "Overall numbers | Accidental apparent opioid toxicity deaths", "count", 2900.0,
         None),
        ("Canada", "2019", "deaths", "Overall numbers | Accidental apparent opioid toxicity deaths", "rate", 7.7, None),
        ("Canada", "2019", "deaths", "Sex | Accidental apparent opioid toxicity deaths | 2019 | Male", "percent",
         75.0, None),
        ("Canada", "2019", "deaths", "Sex | Total apparent opioid toxicity deaths | 2019 | Male", "percent", 74.0,
         None),
        ("Canada", "2019", "deaths", None, "age_adjusted_rate", 8.4, None),
        ("Canada", "2019", "deaths", None, "count", 3100.0, None),
        ("Canada", "2019", "deaths", None, "rate", 8.2, None),
        ("Yukon", "2019 Q2", "hospitalizations", "Overall numbers | Accidental stimulant poisoning hospitalizations",
         "count", None, "Suppr."),
        ("Yukon", "2019 Q2", "hospitalizations", None, "count", None, "Suppr."),
    ]


@pytest.mark.parametrize("patterns, error", [
    ('{ "Total (" = "" }', "field 'breakdown': pattern 'Total (' is not a regular expression (missing ), unterminated"
                           " subpattern at position 6)"),
    ('{ "Total (?!Accidental).*" = "" }', "field 'breakdown': pattern 'Total (?!Accidental).*' uses look-around or a"
                                          " back-reference, which is not supported"),
    ('{ "Total" = 1 }', 'field \'breakdown\': patterns must map regular expressions to text, e.g. { "Total .*" = "" }'),
])
def test_bad_patterns_in_a_mapping_file_are_refused_in_one_line(tmp_path, patterns, error):
    from etl.profiles import ProfileError, load_profile_file

    path = tmp_path / "od.toml"
    path.write_text('kind = "overdoses"\n[fields]\nperiod = "p"\nmeasure = "m"\nunit = "u"\n'
                    f'breakdown = {{ column = "b", patterns = {patterns} }}\n')
    with pytest.raises(ProfileError) as exc:
        load_profile_file(path)
    assert str(exc.value) == f"od.toml: {error}"


def test_a_conflict_never_quotes_a_person_level_column_or_notes(cli, data_dir, query):
    status, _, err = cli("load", data_dir / "person_columns_conflict.csv", "--no-signals")
    assert status == 1
    assert err.splitlines()[0] == (
        "person_columns_conflict.csv: refused, 1 rows have the key of another row but other values (a conflict, not"
        " a duplicate); nothing loaded. Lines 2 and 3 have the same key (local:K1) but differ in Client name;"
        " fentanyl_strip ('positive' vs 'negative'); notes. See: python -m etl rejects 1")
    assert query('SELECT line, "column", raw_line FROM rejects') == [(3, "fentanyl_strip+notes", None)]
    for secret in ("Jane", "John", "park"):
        assert secret not in err


HEAD = "sample_id,date,site,fentanyl_strip,ftir_components\n"


@pytest.mark.parametrize("again, outcome", [
    # the same findings in another order, or with a placeholder the load does not store: a duplicate
    ("C1,2024-03-01,A,positive,Caffeine;Fentanyl HCl\n", "loaded 0 of 1 rows (1 duplicates skipped, 0 rejected)"),
    ("C1,2024-03-01,A,positive,Fentanyl HCl;Uncertain Match;Caffeine\n",
     "loaded 0 of 1 rows (1 duplicates skipped, 0 rejected)"),
    # a finding more, or one less: the stored sample's detections differ, so a conflict naming run 1
    ("C1,2024-03-01,A,positive,Fentanyl HCl;Caffeine;Xylazine\n",
     "Line 2 has the key (local:C1) of a row stored by load run 1 but differs in ftir_components (stored"
     " 'Caffeine;Fentanyl HCl', now 'Caffeine;Fentanyl HCl;Xylazine')."),
    ("C1,2024-03-01,A,positive,Fentanyl HCl\n",
     "Line 2 has the key (local:C1) of a row stored by load run 1 but differs in ftir_components (stored"
     " 'Caffeine;Fentanyl HCl', now 'Fentanyl HCl')."),
])
def test_a_stored_sample_is_compared_through_its_findings(cli, tmp_path, query, again, outcome):
    (tmp_path / "a.csv").write_text(HEAD + "C1,2024-03-01,A,positive,Fentanyl HCl;Caffeine\n")
    (tmp_path / "b.csv").write_text(HEAD + again)
    assert cli("load", tmp_path / "a.csv", "--no-signals")[0] == 0
    status, out, err = cli("load", tmp_path / "b.csv", "--no-signals")
    assert outcome in out + err
    assert status == (0 if "duplicates skipped" in outcome else 1)
    assert query("SELECT count(*) FROM detections WHERE method = 'ftir'") == [(2,)]
