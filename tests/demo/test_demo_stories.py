"""The stories the dashboard must reveal are in the generated files, with effect sizes big enough to see.

Computed straight from the CSVs with the csv module and statistics, so a change to the generator that
weakens a story fails here before anyone opens the dashboard.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

import pytest

from etl import demo_data

from .demo_csv import components, days_before_end, read_rows

OPIOID_EXPECTED = {"Down (Unknown Opioid)", "Fentanyl", "Heroin", "Oxycodone"}


def found(row: dict[str, str], name_ftir: str | None, name_lab: str | None, strip: str | None = None) -> bool:
    """Whether any method reported the substance in this sample."""
    return bool((name_ftir and name_ftir in components(row["ftir_components"]))
                or (name_lab and name_lab in components(row["lab_components"]))
                or (strip and row[strip] == "positive"))


def first_seen_by_region(samples, *names, strip=None) -> dict[str, int]:
    """Region -> the earliest detection, in days before the end date."""
    first: dict[str, int] = {}
    for r in samples:
        if found(r, names[0], names[-1], strip):
            first[r["region"]] = max(first.get(r["region"], -1), days_before_end(r))
    return first


def test_fentanyl_concentration_drifts_up(samples):
    def median_pct(lo: int, hi: int) -> float:
        values = [float(r["fentanyl_pct"]) for r in samples
                  if r["fentanyl_pct"] and r["expected"] in OPIOID_EXPECTED and lo <= days_before_end(r) < hi]
        assert len(values) > 200
        return statistics.median(values)

    first_quarter = median_pct(730 - 91, 730)
    last_quarter = median_pct(0, 91)
    assert 9.0 < first_quarter < 13.0
    assert 17.0 < last_quarter < 23.0
    assert last_quarter > 1.5 * first_quarter


def test_xylazine_rises(samples):
    def positivity(lo: int, hi: int) -> float:
        tested = [r for r in samples if r["expected"] in OPIOID_EXPECTED and r["xylazine_strip"] in
                  ("positive", "negative") and lo <= days_before_end(r) < hi]
        assert len(tested) > 100
        return sum(r["xylazine_strip"] == "positive" for r in tested) / len(tested)

    early = positivity(365 + 183, 730 - 73)  # strips start about 73 days in
    late = positivity(183, 365)
    assert early < 0.12
    assert late > 0.18
    assert late > 3 * early


def test_medetomidine_appears_only_in_the_last_six_months(samples):
    first = first_seen_by_region(samples, "Medetomidine", strip="medetomidine_strip")
    assert set(first) == set(demo_data.REGIONS)  # it reaches every region by the end
    assert max(first.values()) < demo_data.MEDETOMIDINE_DAYS
    # region by region: the first detection falls after that region's start
    for i, region in enumerate(demo_data.REGIONS):
        assert first[region] < demo_data.MEDETOMIDINE_START[i]
    recent = [r for r in samples if days_before_end(r) < 30 and r["expected"] in OPIOID_EXPECTED]
    share = sum(found(r, "Medetomidine", "Medetomidine", "medetomidine_strip") for r in recent) / len(recent)
    assert share > 0.08


def test_nitazene_first_detected_in_one_region_in_the_last_two_months(samples):
    hits = [r for r in samples if found(r, None, "N-Pyrrolidino etonitazene", "nitazene_strip")]
    assert len(hits) >= 5
    assert {r["region"] for r in hits} == {"North Coast"}
    assert max(days_before_end(r) for r in hits) < demo_data.NITAZENE_DAYS
    assert not any("nitazene" in r["ftir_components"].lower() for r in samples)  # below FTIR's limit


def test_carfentanil_cluster_in_one_region_in_the_last_three_weeks(samples):
    hits = [r for r in samples if found(r, "Carfentanil", "Carfentanil")]
    assert len(hits) >= 10
    assert {r["region"] for r in hits} == {"Valley"}
    assert max(days_before_end(r) for r in hits) < demo_data.CARFENTANIL_DAYS
    # linked overdoses are reported far more often in the cluster than elsewhere
    linked = sum(r["overdose_linked"] == "yes" for r in hits) / len(hits)
    assert linked > 0.15


def ears_c2_flags(counts: list[float]) -> list[bool]:
    """CDC EARS C2: today's count above the mean + 3 sd of days t-9..t-3 (sd floored at 1)."""
    flags = [False] * len(counts)
    for t in range(9, len(counts)):
        base = counts[t - 9:t - 2]
        mean, sd = statistics.fmean(base), max(statistics.stdev(base), 1.0)
        flags[t] = (counts[t] - mean) / sd > 3.0
    return flags


def _daily(overdoses, region: str, measure: str) -> list[float]:
    rows = sorted((r for r in overdoses if r["region"] == region and r["measure"] == measure),
                  key=lambda r: r["period"])
    assert len(rows) == 730
    # '<5' and 'NA' are rare; treat them as 2 and the previous day's count for this check
    values, last = [], 0.0
    for r in rows:
        last = 2.0 if r["value"] == "<5" else last if r["value"] == "NA" else float(r["value"])
        values.append(last)
    return values


def test_ems_spike_in_the_carfentanil_region_crosses_ears_c2(overdoses):
    window = demo_data.CARFENTANIL_DAYS
    valley = _daily(overdoses, "Valley", "ems")
    assert statistics.fmean(valley[-window:]) > 2.0 * statistics.fmean(valley[-90:-window])
    # the jump in the last week is flagged, where signals look (days t-9..t-3 are still the lower level)
    assert any(ears_c2_flags(valley)[-demo_data.SPIKE_DAYS:])
    for region in demo_data.REGIONS:
        if region != "Valley":
            other = _daily(overdoses, region, "ems")
            assert statistics.fmean(other[-window:]) < 1.4 * statistics.fmean(other[-90:-window]), region


def test_counts_have_weekly_seasonality(overdoses):
    by_weekday = defaultdict(list)
    for r in overdoses:
        if r["measure"] == "ems" and r["region"] == "Capital" and r["value"].isdigit():
            by_weekday[dt.date.fromisoformat(r["period"]).weekday()].append(int(r["value"]))
    weekend = statistics.fmean(by_weekday[5])
    midweek = statistics.fmean(by_weekday[1] + by_weekday[2])
    assert weekend > 1.15 * midweek


def test_bromazolam_is_common_in_the_opioid_supply(samples):
    tested = [r for r in samples if r["expected"] in OPIOID_EXPECTED and r["lab_components"]]
    share = sum("Bromazolam" in components(r["lab_components"]) for r in tested) / len(tested)
    assert 0.25 < share < 0.6


def test_deliberate_unknown_names_appear_rarely(samples):
    counts = Counter(name for r in samples for cell in ("ftir_components", "lab_components")
                     for name in components(r[cell]) if name in demo_data.UNKNOWN_NAMES)
    assert set(counts) == set(demo_data.UNKNOWN_NAMES)
    assert all(5 <= c < 0.01 * len(samples) for c in counts.values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stories_hold_for_other_seeds(tmp_path, seed):
    files = demo_data.generate(tmp_path, samples=20_000, seed=seed)
    samples = read_rows(files.samples)
    nitazene = [r for r in samples if found(r, None, "N-Pyrrolidino etonitazene", "nitazene_strip")]
    carfentanil = [r for r in samples if found(r, "Carfentanil", "Carfentanil")]
    assert nitazene and {r["region"] for r in nitazene} == {"North Coast"}
    assert carfentanil and {r["region"] for r in carfentanil} == {"Valley"}
    assert max(first_seen_by_region(samples, "Medetomidine", strip="medetomidine_strip").values()) < 180
    valley = _daily(read_rows(files.overdoses), "Valley", "ems")
    assert any(ears_c2_flags(valley)[-demo_data.SPIKE_DAYS:])
