"""Every supply page run headless on the fixture warehouse: numbers shown against hand counts, suppression for
the public and exact counts for staff, the URL round trip of filters, and French text."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import auth, db

STAFF = {"username": "sam", "role": "reviewer"}


@pytest.fixture
def staff_account(fixture_db):
    """A real reviewer account in this test's app file (the navigation re-reads the user on every run)."""
    auth.add_user("sam", "reviewer", "a long test passphrase 42", "test", dt.datetime(2026, 3, 16, tzinfo=dt.timezone.utc))


def run(page: str = "overview", staff: bool = False, params: dict | None = None) -> AppTest:
    """Run dashboard.py (navigation + sidebar) and switch to ``page``; fail on any exception shown."""
    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    if staff:
        at.session_state["sw_user"] = STAFF
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics_by_label(at: AppTest) -> dict:
    return {m.label: m for m in at.metric}


def texts(at: AppTest) -> list[str]:
    return [e.value for e in [*at.caption, *at.text, *at.markdown, *at.title, *at.header, *at.subheader]]


def frame(at: AppTest, column: str):
    """The first table on the page that has ``column``."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column!r}: {[list(d.value.columns) for d in at.dataframe]}")


# ------------------------------------------------------------------ overview

def test_overview_public_numbers_and_suppression(fixture_db):
    at = run()
    m = metrics_by_label(at)
    assert (m["Samples checked"].value, m["Samples checked"].delta) == ("15", "8")  # 15 this week, 7 before
    assert ("The week of Monday Mar 9, 2026 to Sunday Mar 15, 2026, compared with the week before (counts cover "
            "whole weeks, as on Trends). Positivity is among samples sold as an opioid.") in texts(at)
    # Trends' cell: fentanyl found in 10 of 14 opioid samples (North 8, South 2), but the week of Mar 2's 3 finds
    # are small and join March's only block of 5 or more, this week's; March minus this week would give them away
    fent = m["Opioid samples with Fentanyl & analogues"]
    assert fent.value == "—"
    assert "suppressed of 14 (rate not shown)" in texts(at)
    carf = m["Opioid samples with Carfentanil"]
    assert carf.value == "—"  # FTIR is not sensitive enough for carfentanil and no lab result: no rate
    assert ("No sample tested by a method sensitive enough. Also found by FTIR spectrometer in samples that no "
            "method sensitive enough tested: <5 (a count, not a rate: a negative result from FTIR spectrometer "
            "means not detectable, not absent).") in texts(at)
    assert "<5 of 11 (rate not shown)" in texts(at)  # xylazine, 1 of 11: a small cell
    assert m["Median fentanyl %"].value == "11.0%"
    assert m["Median fentanyl %"].help == "Median of 5 or more quantified samples."  # a bound, not the count
    assert m["Matched what people expected"].help == "Fewer than 20 samples: not shown."  # 11 (staff: 9 of 11)
    assert any("Counts from 1 to 4 are shown as <5" in t for t in texts(at))


def test_overview_staff_see_exact_counts(fixture_db, staff_account):
    at = run(staff=True)
    m = metrics_by_label(at)
    assert m["Opioid samples with Carfentanil"].value == "—"  # N07's carfentanil was seen by FTIR only
    assert m["Opioid samples with Carfentanil"].help.endswith(
        "tested: 1 (a count, not a rate: a negative result from FTIR spectrometer means not detectable, not absent).")
    assert m["Opioid samples with Xylazine"].value == "9%"
    assert "9% (95% CI 2%–38%), 1 of 11" in texts(at)
    assert any("exact counts are shown" in t for t in texts(at))


def test_overview_banner_alerts_and_first_detections(fixture_db):
    at = run()
    assert any(w.value.startswith("Synthetic demo data") for w in at.warning)
    assert any(t.startswith("Data as of Mar 15, 2026 (latest sample); last loaded") for t in texts(at))
    assert "Mar 12, 2026 · Health North · Carfentanil found in the North supply" in texts(at)
    assert not any("Old advisory" in t for t in texts(at))  # issued elsewhere over 30 days before the data
    assert "carfentanil first seen in North on Mar 15, 2026 · high risk" in texts(at)
    assert not any(t.startswith("xylazine first seen in North") for t in texts(at))  # seen in 2025


def test_overview_region_from_url(fixture_db):
    at = run(params={"region": "North"})
    assert at.selectbox(key="f_region").value == "North"
    assert "Showing: Region: North" in texts(at)  # a shared link says what it shows
    m = metrics_by_label(at)
    # North's 12 is hidden for the public: all regions' 15 minus 12 would give South's 3 (staff see 12)
    assert (m["Samples checked"].value, m["Samples checked"].delta) == ("suppressed", "")
    # North's 11 tested share a block with South's 3 (as on Trends): 8 of 11 is hidden too
    assert m["Opioid samples with Fentanyl & analogues"].value == "—"
    assert "suppressed of suppressed (rate not shown)" in texts(at)


def test_filter_choice_goes_into_the_url_and_back(fixture_db):
    at = run()
    at.selectbox(key="f_region").set_value("South").run()
    assert at.query_params["region"] in ("South", ["South"])
    again = run(params={k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()})
    assert again.selectbox(key="f_region").value == "South"
    assert metrics_by_label(again)["Samples checked"].value == "<5"  # 3 South samples this week


def test_a_link_with_only_an_end_date_shows_everything_up_to_it(fixture_db, staff_account):
    at = run("samples", staff=True, params={"to": "2025-01-31"})
    assert at.date_input(key="f_dates").value == (dt.date(2025, 1, 10), dt.date(2025, 1, 31))
    assert sorted(frame(at, "Sample id")["Sample id"]) == ["W01", "W02"]  # the only samples before February 2025


def test_overview_in_french(fixture_db):
    at = run(params={"lang": "fr"})
    assert at.title[0].value == "Cette semaine dans l'approvisionnement"
    m = metrics_by_label(at)
    assert m["Échantillons analysés"].value == "15"
    assert m["Échantillons d'opioïdes avec Fentanyl et analogues"].value == "—"  # as in English
    assert any(t.startswith("La semaine du lundi 9 mars 2026 au dimanche 15 mars 2026") for t in texts(at))
    assert any(t.startswith("Données au 15 mars 2026") for t in texts(at))
    assert at.session_state["lang"] == "fr"


# ------------------------------------------------------------------ other pages

def test_trends_table_public_and_staff(fixture_db, staff_account):
    params = {"region": "North"}
    public = frame(run("trends", params=params), "Tested")
    rows = {r["Period start"]: (r["Found"], r["Tested"], r["Share"]) for r in public.to_dict("records")}
    # n per week: 1 (2025), 6, 11. South's 3 and 1 in the same weeks are small, and the unsplit view shows
    # North + South (14, 7): North's 11 and 6 are hidden with them, or 14 - 11 would give South's 3 away.
    assert rows["Mar 9, 2026"] == ("suppressed", "suppressed", "—")
    assert rows["Mar 2, 2026"] == ("<5", "suppressed", "—")
    assert rows["May 26, 2025"] == ("<5", "<5", "—")
    staff = frame(run("trends", staff=True, params=params), "Tested")
    rows = {r["Period start"]: (r["Found"], r["Tested"], r["Share"]) for r in staff.to_dict("records")}
    assert rows["Mar 2, 2026"] == ("3", "6", "50%")
    assert rows["May 26, 2025"] == ("1", "1", "100%")


def test_trends_monthly_split_by_region(fixture_db, staff_account):
    at = run("trends", staff=True, params={"from": "2026-03-01"})
    at.radio(key="tr_period").set_value("month").run()
    at.radio(key="tr_group").set_value("region").run()
    rows = {(r["Period start"], r["Group"]): (r["Found"], r["Tested"]) for r in frame(at, "Tested").to_dict("records")}
    assert rows == {("Mar 1, 2026", "North"): ("11", "17"), ("Mar 1, 2026", "South"): ("2", "4")}


def test_trends_benzodiazepines_without_a_sensitive_method_show_the_ftir_count(fixture_db, staff_account):
    at = run("trends", staff=True, params={"region": "North"})
    at.selectbox(key="tr_target").set_value("benzodiazepine").run()
    assert [i.value for i in at.info] == [
        "No sample under these filters was tested by a method sensitive enough to detect Benzodiazepine-related "
        "drugs (Benzodiazepine test strip, Laboratory (mass spectrometry))."]
    assert ("Also found by FTIR spectrometer in samples that no method sensitive enough tested: 1 (a count, not a "
            "rate: a negative result from FTIR spectrometer means not detectable, not absent).") in texts(at)
    assert not at.get("plotly_chart")


def test_trends_compare_methods_side_by_side(fixture_db, staff_account):
    at = run("trends", staff=True, params={"region": "North", "from": "2026-03-09"})
    at.toggle(key="tr_methods").set_value(True).run()
    assert at.radio(key="tr_group").disabled  # the methods are the lines
    rows = {r["Method"]: (r["Found"], r["Tested"], r["Share"]) for r in frame(at, "Method").to_dict("records")}
    # This week in North: FTIR N01-N08 found fentanyl in 5; the strip read N01-N06 and N09-N11, 7 positive.
    assert rows == {"FTIR spectrometer": ("5", "8", "62%"), "Fentanyl test strip": ("7", "9", "78%")}  # 62.5: half-even
    at.selectbox(key="tr_target").set_value("carfentanil").run()
    rows = {r["Method"]: (r["Found"], r["Tested"]) for r in frame(at, "Method").to_dict("records")}
    assert rows == {"FTIR spectrometer (not sensitive enough)": ("1", "8")}


def test_trends_compare_methods_in_french(fixture_db, staff_account):
    at = run("trends", staff=True, params={"region": "North", "from": "2026-03-09", "lang": "fr"})
    at.toggle(key="tr_methods").set_value(True).run()
    at.selectbox(key="tr_target").set_value("carfentanil").run()
    rows = {r["Méthode"]: (r["Trouvé"], r["Testés"]) for r in frame(at, "Méthode").to_dict("records")}
    assert rows == {"Spectromètre FTIR (pas assez sensible)": ("1", "8")}


def test_concentration_table(fixture_db, staff_account):
    df = frame(run("concentration", staff=True), "Median %")
    assert df.to_dict("records")[0] == {
        "Month": "Mar 2026", "Quantified samples": "8", "Median %": "9.0", "25th percentile": "5.8",
        "75th percentile": "14.0",
    }


def test_concentration_hides_small_months_for_the_public(fixture_db):
    df = frame(run("concentration", params={"region": "South"}), "Median %")  # 2 quantified samples
    assert df.to_dict("records")[0]["Median %"] == "—"
    assert df.to_dict("records")[0]["Quantified samples"] == "<5"


def test_concentration_public_reads_whole_months_and_every_date_for_the_histogram(fixture_db):
    """To Mar 10 is the whole public month of March (Mar 2 to Mar 29: the week of Mar 30 has its Thursday in
    April); the histogram says it covers every date; a site filter is left out, with a note."""
    at = run("concentration", params={"from": "2026-03-09", "to": "2026-03-10", "site": "Nowhere"})
    assert {"Counts cover whole periods: Mar 2, 2026 to Mar 29, 2026.",
            "The distribution covers every date: one month's would give away counts hidden in the months above.",
            "Site, “sold as” and sample type filters are for signed-in staff: this page shows all of them."} <= set(
        texts(at))
    assert [r["Month"] for r in frame(at, "Median %").to_dict("records")] == ["Mar 2026"]


def test_expected_found_page(fixture_db, staff_account):
    at = run("expected_found", staff=True, params={"from": "2026-03-09"})
    rows = {r["Expected"]: r for r in frame(at, "Expected substance found").to_dict("records")}
    assert rows["Opioid (unspecified) (low n)"]["Tested"] == "8"
    assert rows["Opioid (unspecified) (low n)"]["Expected substance found"].endswith("7 of 8")
    assert rows["Opioid (unspecified) (low n)"]["Something else active found"].endswith("2 of 8")
    assert rows["Fentanyl & analogues (low n)"]["Expected substance found"].endswith("2 of 3")


def test_expected_found_public_suppresses(fixture_db):
    at = run("expected_found", params={"from": "2026-03-09"})
    rows = {r["Expected"]: r for r in frame(at, "Expected substance found").to_dict("records")}
    assert rows["Fentanyl & analogues (low n)"]["Tested"] == "<5"
    assert rows["Fentanyl & analogues (low n)"]["Expected substance found"] == "<5 of <5 (rate not shown)"


def test_expected_found_public_reads_every_date(fixture_db):
    """The public reads every date here: a range to Jan 10 still counts W02 (Jan 11, sold as 'Unknown', fentanyl
    found) beside W01 (Jan 10, a benzodiazepine expected, bromazolam found), West's only FTIR samples."""
    at = run("expected_found", params={"region": "West", "from": "2025-01-01", "to": "2025-01-10"})
    assert ("Site, “sold as”, sample type and date filters are for signed-in staff: for the public, this page "
            "covers every date and shows all of them." in texts(at))
    # each matrix twice: the table shown on a phone instead of the heat map, and the one under the heat map
    assert [e.value.to_dict("list") for e in at.dataframe][1:] == [
        {"Benzodiazepine-related drugs": ["<5", "0"], "Fentanyl & analogues": ["0", "<5"]}] * 2 + [
        {"Bromazolam": ["<5", "0"], "Fentanyl & analogues": ["0", "<5"]}] * 2


def test_expected_found_public_leaves_out_the_staff_filters(fixture_db):
    """Site, "sold as", sample type and dates are for staff: a public link with a site shows the region's counts."""
    with_site = run("expected_found", params={"region": "West", "site": "Nowhere", "from": "2025-01-01"})
    assert ("Site, “sold as”, sample type and date filters are for signed-in staff: for the public, this page "
            "covers every date and shows all of them." in texts(with_site))
    plain = run("expected_found", params={"region": "West"})
    assert [e.value.to_dict("list") for e in with_site.dataframe] == [e.value.to_dict("list") for e in plain.dataframe]


def test_emerging_page(fixture_db):
    at = run("emerging", params={"region": "North"})
    new = frame(at, "First seen")
    assert {r["Substance"] for r in new.to_dict("records")} >= {"Carfentanil", "heroin", "bromazolam"}
    carf = [r for r in new.to_dict("records") if r["Substance"] == "Carfentanil"][0]
    assert (carf["First seen"], carf["Samples"], carf["Note"]) == ("Mar 15, 2026", "<5", "high risk")
    unknown = frame(at, "Name as written")
    assert unknown.to_dict("records")[0]["Name as written"] == "Mystery analogue 7"


def test_samples_page_lists_no_samples_for_the_public(fixture_db):
    """A list of rows would let anyone count South's 3 samples of the week of Mar 9 (shown as <5 on Trends)."""
    at = run("samples", params={"region": "South"})
    assert len(at.dataframe) == 0 and len(at.get("download_button")) == 0 and len(at.toggle) == 0
    assert at.info[-1].value.startswith("The list of individual samples and its downloads are for signed-in staff")
    assert not any("newest of" in t for t in texts(at))
    at.text_input(key="smp_id").input("S03").run()
    one = at.dataframe[0].value
    assert list(one["Sample id"]) == ["S03"] and list(one["FTIR found"]) == ["heroin"]
    # what would place the sample in a protected cell: ids can be sequential, so looking up every id would rebuild
    # the counts by week, region, site, "sold as" and sample type
    assert not {"Date", "Region", "Site", "Sold as", "Sample type"} & set(one.columns)


def test_samples_page_lookup_and_no_notes(fixture_db, staff_account):
    at = run("samples", staff=True)
    table = frame(at, "Sample id")
    assert len(table) == 25 and "notes" not in " ".join(table.columns).lower()
    assert "25 newest of 25 samples under these filters." in texts(at)
    at.text_input(key="smp_id").input("N07").run()
    one = at.dataframe[0].value
    assert list(one["Sample id"]) == ["N07"] and list(one["FTIR found"]) == ["carfentanil; fentanyl"]
    at.text_input(key="smp_id").input("nope").run()
    assert at.warning[-1].value == "No sample with id nope."


def test_overdoses_page_shows_suppressed_not_zero(fixture_db):
    at = run("overdoses", params={"region": "North"})
    rows = {r["Period"]: r["Value"] for r in frame(at, "Value").to_dict("records")}
    assert rows == {"2026-W09": "12", "2026-W10": "suppressed (<5)", "2026-W11": "20"}
    assert "Mar 12, 2026 · North · Carfentanil found in the North supply" in texts(at)
    assert "Dec 1, 2025 · North · Old advisory about benzodiazepines" in texts(at)
    at.selectbox(key="od_measure").set_value("deaths").run()
    rows = {r["Period"]: r["Value"] for r in frame(at, "Value").to_dict("records")}
    assert rows == {"2026 Q1": "not available (NA)"}


def test_data_page(fixture_db):
    at = run("data")
    reasons = frame(at, "Reason")
    assert [(r["Reason"], r["Rows"]) for r in reasons.to_dict("records")][:2] == [
        ("date: not a date 'soon'", 2), ("fentanyl_pct: 140 is above 100", 1)]
    assert "3 rows were rejected in loaded files; each is listed with its run, file, line and reason." in texts(at)
    assert not any("refused runs" in t for t in texts(at))  # none in the fixture
    history = frame(at, "Rows loaded")
    assert history.iloc[0]["Rows loaded"] == 25 and history.iloc[0]["Status"] == "loaded"


@pytest.mark.parametrize("page", ["trends", "concentration", "expected_found", "emerging", "samples", "overdoses", "data"])
def test_every_page_in_french(fixture_db, page):
    at = run(page, params={"lang": "fr"})
    assert any(t.startswith("Données au ") for t in texts(at))
    assert not any("Counts from 1" in t for t in texts(at))


def test_a_new_load_shows_without_restart(isolated_db, build_warehouse, monkeypatch):
    monkeypatch.delenv("SUPPLYWATCH_SUPPRESS_K", raising=False)
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    build_warehouse(isolated_db)
    auth.add_user("sam", "reviewer", "a long test passphrase 42", "test", dt.datetime(2026, 3, 16, tzinfo=dt.timezone.utc))
    at = run("samples", staff=True)
    assert "25 newest of 25 samples under these filters." in texts(at)
    with db.writing_snapshot(isolated_db) as con:  # what a load does: a new snapshot swapped in
        con.execute("DELETE FROM detections WHERE sample_id = 'P07'")
        con.execute("DELETE FROM samples WHERE sample_id = 'P07'")
    at.run()
    assert "24 newest of 24 samples under these filters." in texts(at)


def test_k_is_configurable(fixture_db, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_SUPPRESS_K", "20")
    at = run()
    m = metrics_by_label(at)
    assert m["Samples checked"].value == "<20"
    assert m["Opioid samples with Fentanyl & analogues"].value == "—"
    assert any("Counts from 1 to 19 are shown as <20" in t for t in texts(at))


def test_published_community_alert_is_on_the_overview(fixture_db, staff_account):
    from supplywatch.alerts import store

    now = dt.datetime.now(dt.timezone.utc)
    auth.add_user("pat", "poster", "another long test passphrase", "test", now)
    text = {lang: {"headline": "Carfentanil in North down.", "details": "", "what_to_do": "Carry naloxone."}
            for lang in ("en", "fr")}
    draft = store.create_draft(text=text, severity="warning", regions=["North"], substances=["carfentanil"],
                               actor="pat", now=now)
    store.submit_for_review(draft.alert_id, actor="pat", now=now)
    store.approve(draft.alert_id, actor="sam", now=now)
    at = run()
    from supplywatch.local_time import local_date

    today = views_date(local_date(now))  # the deployment's day: at 22:00 Pacific it is already tomorrow in UTC
    assert f"{today} · Warning · Carfentanil in North down." in texts(at)
    south = run(params={"region": "South"})
    assert not any("Carfentanil in North down." in t for t in texts(south))


def views_date(day: dt.date) -> str:
    from supplywatch import i18n

    return i18n.format_date(day, "en")


def test_samples_page_prepares_downloads(fixture_db, staff_account):
    at = run("samples", staff=True, params={"region": "South"})
    assert "4 newest of 4 samples under these filters." in texts(at)  # S01-S03 and P07
    assert len(at.get("download_button")) == 0
    at.toggle(key="smp_export").set_value(True).run()
    assert not at.exception
    assert len(at.get("download_button")) == 2  # CSV and Parquet


def test_all_dates_follow_the_data_after_a_load(isolated_db, build_warehouse, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")
    build_warehouse(isolated_db)
    at = run()
    assert metrics_by_label(at)["Samples checked"].value == "15"
    with db.writing_snapshot(isolated_db) as con:  # a load adds a later week with five samples
        for i in range(5):
            con.execute(
                "INSERT INTO samples (sample_id, source, collected_date, region, expected_raw, ftir_tested,"
                " load_run_id) VALUES (?, 'Test service', DATE '2026-03-20', 'North', 'Down', true, 1)",
                [f"L0{i}"],
            )
    at.run()
    assert any(t.startswith("Data as of Mar 20, 2026") for t in texts(at))
    m = metrics_by_label(at)
    # The public week is Monday Mar 16 to Sunday Mar 22 (a Trends week): the five new; Mar 9-15: the fixture's 15.
    assert (m["Samples checked"].value, m["Samples checked"].delta) == ("5", "-10")
    assert "to" not in at.query_params and "from" not in at.query_params
