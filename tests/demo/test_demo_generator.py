"""The generator's contract: deterministic bytes, exact row counts, canonical values only."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest

from etl import demo_data

from .demo_csv import read_rows

ENUMS = {
    "sample_type": {"drug", "residue"},
    "form": {"powder", "pill", "crystal", "liquid", "paper"},
    "fentanyl_strip": {"", "positive", "negative", "invalid"},
    "benzo_strip": {"", "positive", "negative", "invalid"},
    "xylazine_strip": {"", "positive", "negative", "invalid"},
    "nitazene_strip": {"", "positive", "negative", "invalid"},
    "medetomidine_strip": {"", "positive", "negative", "invalid"},
    "overdose_linked": {"", "yes", "no"},
}


def _bytes(files: demo_data.DemoFiles) -> list[bytes]:
    return [p.read_bytes() for p in files.paths()]


def test_same_seed_gives_identical_files(tmp_path):
    first = demo_data.generate(tmp_path / "a", samples=1500, seed=7)
    second = demo_data.generate(tmp_path / "b", samples=1500, seed=7)
    assert _bytes(first) == _bytes(second)


def test_different_seed_gives_different_samples_and_counts(tmp_path):
    first = demo_data.generate(tmp_path / "a", samples=1500, seed=7)
    other = demo_data.generate(tmp_path / "b", samples=1500, seed=8)
    assert first.samples.read_bytes() != other.samples.read_bytes()
    assert first.overdoses.read_bytes() != other.overdoses.read_bytes()


def test_overdose_counts_do_not_depend_on_sample_count(tmp_path):
    small = demo_data.generate(tmp_path / "a", samples=100, seed=3)
    large = demo_data.generate(tmp_path / "b", samples=3000, seed=3)
    assert small.overdoses.read_bytes() == large.overdoses.read_bytes()


@pytest.mark.parametrize("n", [1, 37, 2500])
def test_row_counts_follow_samples(tmp_path, n):
    files = demo_data.generate(tmp_path, samples=n, seed=1)
    rows = read_rows(files.samples)
    assert len(rows) == n
    assert len({r["sample_id"] for r in rows}) == n
    # daily EMS and ED counts for five regions over 730 days, whatever the sample count
    assert len(read_rows(files.overdoses)) == 730 * 5 * 2
    assert len(read_rows(files.alerts)) == 6


def test_end_date_moves_the_period(tmp_path):
    files = demo_data.generate(tmp_path, samples=3000, seed=1, end_date=dt.date(2025, 3, 31))
    dates = [r["date"] for r in read_rows(files.samples)]
    periods = [r["period"] for r in read_rows(files.overdoses)]
    assert max(periods) == "2025-03-31"
    assert min(periods) == "2023-04-02"  # 730 days inclusive
    assert "2023-04-02" <= min(dates) and max(dates) <= "2025-03-31"


def test_negative_sample_count_is_refused(tmp_path):
    with pytest.raises(ValueError, match="--samples must be zero or more, not -1"):
        demo_data.generate(tmp_path, samples=-1)


def test_headers_are_the_canonical_layouts(demo_files):
    for path, columns in [(demo_files.samples, demo_data.SAMPLE_COLUMNS),
                          (demo_files.overdoses, demo_data.OVERDOSE_COLUMNS),
                          (demo_files.alerts, demo_data.ALERT_COLUMNS)]:
        with open(path, newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == columns


def test_sample_values_are_canonical(samples):
    for column, allowed in ENUMS.items():
        assert {r[column] for r in samples} <= allowed, column
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"]) for r in samples)
    pcts = [float(r["fentanyl_pct"]) for r in samples if r["fentanyl_pct"]]
    assert pcts and min(pcts) >= 0.5 and max(pcts) <= 85.0
    # dates ascend, so the file reads like a service's export
    assert [r["date"] for r in samples] == sorted(r["date"] for r in samples)


def test_every_sample_has_a_result(samples):
    result_columns = ["fentanyl_strip", "benzo_strip", "xylazine_strip", "nitazene_strip", "medetomidine_strip",
                      "ftir_components", "lab_components"]
    assert all(any(r[c] for c in result_columns) for r in samples)


def test_method_mix(samples):
    n = len(samples)
    ftir = sum(bool(r["ftir_components"]) for r in samples) / n
    lab = sum(bool(r["lab_components"]) for r in samples) / n
    fent_strip = sum(bool(r["fentanyl_strip"]) for r in samples) / n
    assert 0.85 < ftir < 0.95       # FTIR for most samples
    assert 0.10 < lab < 0.16        # some lab results
    assert 0.70 < fent_strip < 0.80  # strips for many


def test_everything_shown_is_labelled_synthetic(samples, demo_files):
    assert all(r["site"].endswith("(synthetic)") for r in samples)
    alerts = read_rows(demo_files.alerts)
    assert {a["source"] for a in alerts} == {demo_data.ALERT_SOURCE}
    assert "Synthetic" in demo_data.SOURCE and "demo" in demo_data.ALERT_SOURCE


def test_notes_are_harmless_synthetic_text(samples):
    notes = {r["notes"] for r in samples if r["notes"]}
    assert notes and all("synthetic" in note.lower() for note in notes)


def test_alert_links_are_https_and_language_is_harm_reduction(demo_files):
    alerts = read_rows(demo_files.alerts)
    assert all(a["link"].startswith("https://") for a in alerts)
    text = " ".join(a["title"] + " " + a["text"] for a in alerts).lower()
    for word in ("addict", "abuser", "junkie", "clean", "dirty"):
        assert word not in text
    assert "naloxone" in text


def test_overdose_values_are_counts_or_markers(overdoses):
    values = {r["value"] for r in overdoses}
    assert {"<5", "NA"} <= values
    assert all(v in ("<5", "NA") or v.isdigit() for v in values)
    assert {r["measure"] for r in overdoses} == {"ems", "ed_visits"}
    assert {r["unit"] for r in overdoses} == {"count"}
    suppressing = {demo_data.REGIONS[i] for i in demo_data.SUPPRESSING_REGIONS}
    assert {r["region"] for r in overdoses if r["value"] == "<5"} == suppressing
