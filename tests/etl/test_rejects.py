"""Row-level problems become rejects with the physical line, the column and a clear reason; the threshold refuses."""

import pytest


def rejects(query, run_id=1):
    return query('SELECT line, "column", reason, raw_line FROM rejects WHERE run_id = ? ORDER BY line', [run_id])


def test_bad_dates_and_values_keep_physical_line_numbers(cli, data_dir, query):
    # line 4-5 is one record with a quoted newline; line 7 is blank: both shift later line numbers
    status, out, _ = cli("load", data_dir / "bad_date.csv", "--max-reject-rate", "1")
    assert status == 0
    assert rejects(query) == [
        (3, "date", "bad date '2024-13-45' (expected YYYY-MM-DD)", "2024-13-45,B,negative,"),
        (6, "date", "bad date '03/01/2024' (expected YYYY-MM-DD)", "03/01/2024,D,positive,"),
        (8, "fentanyl_strip", "'maybe' is not a strip result (positive, negative, invalid or empty)",
         "2024-01-05,E,maybe,"),
        (9, "date", "date is empty", ",F,negative,"),
    ]
    assert query("SELECT site, notes FROM samples ORDER BY site") == [("A", None), ("C", "two\nlines")]
    assert query("SELECT rows_read, rows_loaded, rows_duplicate, rows_rejected, status FROM load_runs") == [
        (6, 2, 0, 4, "loaded")]


def test_ragged_rows_are_rejected_never_merged(cli, data_dir, query):
    status, out, _ = cli("load", data_dir / "ragged.csv", "--max-reject-rate", "0.5")
    assert status == 0
    assert rejects(query) == [
        (3, None, "too many columns: expected 3, found 4", "2024-01-02,B,negative,extra"),
        (4, "fentanyl_strip", "too few columns: expected 3, found 2", "2024-01-03,C"),
    ]
    assert query("SELECT site, fentanyl_strip FROM samples ORDER BY site") == [("A", "positive"), ("D", "negative")]
    assert "top reject reasons: too few columns: expected 3, found 2 (1); too many columns: expected 3, found 4 (1)" in out


def test_overdose_value_period_measure_unit_checks(cli, data_dir, query):
    status, _, _ = cli("load", data_dir / "non_numeric_count.csv", "--max-reject-rate", "1")
    assert status == 0
    assert [r[:3] for r in rejects(query)] == [
        (3, "value", "'four' is not a number or a suppression marker"),
        (6, "measure", "'fatalities' is not a measure (deaths, hospitalizations, ed_visits, ems, non_fatal, other)"),
        (7, "unit", "'people' is not a unit (count, rate, age_adjusted_rate or percent)"),
        (8, "period", "'Spring 2024' is not a period (YYYY, YYYY Qn, YYYY-MM, YYYY-MM-DD, YYYY-Www or a month name"
                        " and year)"),
    ]
    assert query("SELECT period_label, period_type, measure, value, suppressed, value_label FROM overdose_events"
                 " ORDER BY period_start, period_label") == [
        ("2024 Q1", "quarter", "ems", None, True, "< 5"),
        ("2024-01", "month", "deaths", 4.0, False, None),
        ("2024-W05", "week", "ed_visits", None, False, "NA"),
        ("2024-05", "month", "deaths", 1204.0, False, None),
    ]


def test_person_level_columns_are_dropped_named_and_never_echoed(cli, data_dir, query, isolated_db):
    status, out, _ = cli("load", data_dir / "person_columns.csv", "--max-reject-rate", "0.5")
    assert status == 0
    assert "person-level columns dropped, not stored: Name, E-mail, Date of Birth, PHN" in out
    for secret in ("Jane", "john@example.org", "1990-01-01", "9123456789"):
        assert secret not in out
    assert query("SELECT dropped_columns FROM load_runs") == [(["Name", "E-mail", "Date of Birth", "PHN"],)]
    # the rejected row's raw line is kept with the person-level fields blanked
    assert rejects(query) == [(3, "date", "bad date '2024-02-31' (expected YYYY-MM-DD)", "2024-02-31,,Downtown,,negative,,")]
    blob = isolated_db.read_bytes()
    for secret in (b"Jane Roe", b"john@example.org", b"9876543210"):
        assert secret not in blob


@pytest.mark.parametrize("rate, status, loaded", [("0.5", 0, 2), ("0.49", 1, 0), ("50%", 0, 2), ("1%", 1, 0)])
def test_reject_threshold_refuses_but_records_the_run(cli, data_dir, query, rate, status, loaded):
    got, out, err = cli("load", data_dir / "ragged.csv", "--max-reject-rate", rate)
    assert got == status
    assert query("SELECT count(*) FROM samples") == [(loaded,)]
    assert query("SELECT count(*) FROM rejects WHERE run_id = 1") == [(2,)]
    if status == 1:
        limit = float(rate.rstrip("%")) / (100 if rate.endswith("%") else 1)
        assert err.splitlines()[0] == (
            f"ragged.csv: refused, 2 of 4 rows rejected (50.0%), above the {limit:.1%} limit"
            " (--max-reject-rate); nothing loaded. See: python -m etl rejects 1")
        assert query("SELECT status, rows_loaded, rows_rejected FROM load_runs") == [("refused", 0, 2)]
        st, out2, _ = cli("rejects", "1")
        assert st == 0
        assert "line 3: too many columns: expected 3, found 4" in out2


def test_default_threshold_is_one_percent(cli, tmp_path, query):
    good = "".join(f"2024-01-{1 + i % 28:02d},S{i},positive\n" for i in range(199))
    two_bad = tmp_path / "two_bad.csv"
    two_bad.write_text("date,site,fentanyl_strip\n" + good + "2024-99-01,X,positive\nnot a date,Y,positive\n")
    assert cli("load", two_bad)[0] == 0      # 2 of 201 = 0.995 %
    three_bad = tmp_path / "three_bad.csv"
    three_bad.write_text("date,site,fentanyl_strip\n" + good + "x,X,positive\ny,Y,positive\nz,Z,positive\n")
    assert cli("load", three_bad)[0] == 1    # 3 of 202 = 1.49 %


def test_bad_max_reject_rate_is_a_usage_error(cli, data_dir):
    status, _, err = cli("load", data_dir / "ragged.csv", "--max-reject-rate", "2")
    assert status == 2
    assert "'2' must be between 0 and 1" in err


def test_the_reject_summary_shows_the_bad_value_shortened(cli, data_dir):
    status, out, _ = cli("load", data_dir / "long_bad_values.csv", "--max-reject-rate", "1", "--no-signals")
    assert status == 0
    assert ("  top reject reasons: 'maybe' is not a strip result (positive, negative, invalid or empty) (2);"
            " 'pos-but-faint-line-seen-after-ten-min...' is not a strip result (positive, negative, invalid or"
            " empty) (1)") in out.splitlines()


def test_the_reject_summary_hides_values_when_the_file_has_person_level_columns(cli, data_dir):
    status, out, _ = cli("load", data_dir / "person_columns.csv", "--max-reject-rate", "0.5", "--no-signals")
    assert status == 0
    top = [line for line in out.splitlines() if line.startswith("  top reject reasons:")]
    assert top and "'...'" in top[0]
