"""Values that read but cannot be true are rejected with a reason, the line and the column.

Before: a sample dated 9999-12-31 was loaded (the home page then read "Dec 25, 9999 to Dec 31, 9999"), and negative,
fractional, NaN or infinite counts and percentages over 100 were stored as numbers.
"""

import datetime as dt

import pytest

from etl import plausibility


def rejects(query, run_id=1):
    return query('SELECT line, "column", reason FROM rejects WHERE run_id = ? ORDER BY line', [run_id])


def test_implausible_sample_dates_and_percentages(cli, data_dir, query):
    status, _, _ = cli("load", data_dir / "implausible_samples.csv", "--max-reject-rate", "1", "--no-signals")
    assert status == 0
    today = plausibility.load_day().isoformat()
    assert rejects(query) == [
        (3, "date", f"'9999-12-31' is after the load day ({today})"),
        (4, "date", "'1899-01-01' is before the service start (1990-01-01; set service_start or --service-start)"),
        (5, "fentanyl_pct", "'NaN' is not a finite number"),
        (6, "fentanyl_pct", "'inf' is not a finite number"),
        (7, "fentanyl_pct", "'-2' is outside 0-100"),
        (8, "fentanyl_pct", "'100.5' is outside 0-100"),
    ]
    assert query("SELECT sample_id, collected_date::VARCHAR, fentanyl_pct FROM samples ORDER BY 1") == [
        ("local:P1", "2024-05-01", 12.5), ("local:P8", "2017-06-30", None)]


def test_the_service_start_is_configurable(cli, data_dir, query, tmp_path):
    status, _, _ = cli("load", data_dir / "implausible_samples.csv", "--max-reject-rate", "1", "--no-signals",
                       "--service-start", "2018-01-01")
    assert status == 0
    assert [r for r in rejects(query) if r[1] == "date"][1:] == [
        (4, "date", "'1899-01-01' is before the service start (2018-01-01; set service_start or --service-start)"),
        (9, "date", "'2017-06-30' is before the service start (2018-01-01; set service_start or --service-start)"),
    ]
    mapping = tmp_path / "service.toml"
    mapping.write_text('kind = "samples"\nservice_start = 2024-05-02\n[fields]\nsample_id = "sample_id"\n'
                       'date = "date"\nfentanyl_strip = "fentanyl_strip"\n')
    status, _, err = cli("load", data_dir / "implausible_samples.csv", "--profile", mapping, "--no-signals")
    assert status == 1
    assert "4 of 8 rows rejected" in err  # P1, P3 and P8 before 2024-05-02, P2 after the load day
    assert query("SELECT count(*) FROM rejects WHERE run_id = 2 AND reason LIKE '%before the service start"
                 " (2024-05-02;%'") == [(3,)]


def test_a_sample_dated_the_load_day_passes_and_the_next_day_does_not(cli, tmp_path, query):
    today = plausibility.load_day()
    path = tmp_path / "edge.csv"
    path.write_text(f"date,fentanyl_strip\n{today.isoformat()},positive\n"
                    f"{(today + dt.timedelta(days=1)).isoformat()},positive\n")
    status, _, _ = cli("load", path, "--max-reject-rate", "1", "--no-signals")
    assert status == 0
    assert query("SELECT collected_date FROM samples") == [(today,)]
    assert rejects(query) == [(3, "date", f"'{today + dt.timedelta(days=1)}' is after the load day ({today})")]


def test_implausible_overdose_values(cli, data_dir, query):
    status, _, _ = cli("load", data_dir / "implausible_overdoses.csv", "--max-reject-rate", "1", "--no-signals")
    assert status == 0
    assert rejects(query) == [
        (3, "value", "'-3' is a negative count"),
        (4, "value", "'2.5' is not a whole count"),
        (5, "value", "'NaN' is not a finite number"),
        (6, "value", "'Infinity' is not a finite number"),
        (7, "value", "'140' is outside 0-100 (percent)"),
        (8, "value", "'-1' is outside 0-100 (percent)"),
        (10, "value", "'-0.4' is a negative rate"),
        (11, "value", "'inf' is not a finite number"),
    ]
    assert query("SELECT period_label, measure, unit, value FROM overdose_events ORDER BY measure, period_label") == [
        ("2024-01", "deaths", "count", 4.0), ("2024-06", "deaths", "count", 1000.0),
        ("2024-03", "ed_visits", "percent", 37.5), ("2024-03", "ems", "rate", 12.25)]


@pytest.mark.parametrize("text, error", [
    ("service_start = 2018-13-01", "not valid TOML"),
    ('service_start = "May 2018"', "service_start must be a date like 2018-05-01 (got 'May 2018')"),
])
def test_a_bad_service_start_in_a_mapping_file_is_refused(tmp_path, text, error):
    from etl.profiles import ProfileError, load_profile_file

    path = tmp_path / "m.toml"
    path.write_text(f'kind = "samples"\n{text}\n[fields]\ndate = "date"\nfentanyl_strip = "f"\n')
    with pytest.raises(ProfileError) as exc:
        load_profile_file(path)
    assert str(exc.value).startswith("m.toml: ") and error in str(exc.value)


def test_a_bad_service_start_on_the_command_line_is_a_usage_error(cli, data_dir):
    status, _, err = cli("load", data_dir / "samples_jan.csv", "--service-start", "2018/01/01")
    assert status == 2
    assert "argument --service-start: '2018/01/01' is not a date like 2018-05-01" in err
