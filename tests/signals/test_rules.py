"""Each rule over a hand-made warehouse: one case where it must fire, others where it must not."""

import dataclasses

import pytest

from supplywatch import signals

from .conftest import NOW

DEFAULT = signals.SignalSettings()


# ---------------------------------------------------------------- first detection

def test_first_detection_fires_for_carfentanil_new_to_a_region(wh):
    wh.sample(300, found=("carfentanil",), sample_id="OLD-1")  # seen 300 days ago: outside the 180-day lookback
    wh.sample(5, found=("carfentanil", "caffeine"), sample_id="DC-7")
    wh.sample(3, found=("carfentanil",), sample_id="DC-9")
    wh.sample(2, region="Valley", found=("fentanyl",))
    [s] = signals.first_detection(wh.con, NOW, DEFAULT)
    assert s.key == "first_detection|Harbour|carfentanil|2026-11-22"
    assert (s.rule, s.severity, s.substances, s.regions) == ("first_detection", "caution", ("carfentanil",), ("Harbour",))
    assert s.evidence == (
        "first detection of carfentanil in Harbour on 2026-11-22 (none in the 180 days before; last seen there "
        "2026-01-31)",
        "samples on 2026-11-22: DC-7",
        "samples with it since: 2 (DC-7, DC-9)",
    )
    assert s.text["en"].headline == "Carfentanil found for the first time in Harbour"
    assert s.text["fr"].headline == "Premier signalement : carfentanil (Harbour)"
    assert "naloxone" in s.text["en"].what_to_do and "naloxone" in s.text["fr"].what_to_do


def test_first_detection_quiet_when_seen_within_the_lookback(wh):
    wh.sample(100, found=("carfentanil",))
    wh.sample(5, found=("carfentanil",))
    assert signals.first_detection(wh.con, NOW, DEFAULT) == []


def test_first_detection_quiet_for_old_news_and_ordinary_fentanyl(wh):
    wh.sample(40, found=("carfentanil",))  # first seen 40 days ago: outside the 28-day window
    wh.sample(2, found=("fentanyl",))  # not high-risk
    assert signals.first_detection(wh.con, NOW, DEFAULT) == []


def test_nitazene_strip_counts_as_the_class(wh):
    wh.sample(4, region="Valley", ftir=False, strips={"nitazene_strip": "positive"}, sample_id="STRIP-1")
    wh.sample(1, region="Valley", found=("isotonitazene",), sample_id="LAB-2")
    [s] = signals.first_detection(wh.con, NOW, DEFAULT)
    assert s.key == "first_detection|Valley|nitazene|2026-11-23"
    assert s.evidence[1:] == ("samples on 2026-11-23: STRIP-1", "samples with it since: 2 (LAB-2, STRIP-1)")
    assert s.text["fr"].headline == "Premier signalement : nitazènes (Valley)"


# ---------------------------------------------------------------- positivity rise

def fill_positivity(wh, recent: tuple[int, int], baseline: tuple[int, int], region="Harbour"):
    """``recent`` = (k, n) in the last 28 days; ``baseline`` = (k, n) in the 84 days before."""
    for i in range(recent[1]):
        wh.sample(i % 28, region=region, found=("fentanyl",) if i < recent[0] else ("caffeine",))
    for i in range(baseline[1]):
        wh.sample(28 + i % 84, region=region, found=("fentanyl",) if i < baseline[0] else ())


def test_positivity_rise_fires_with_z_test_and_wilson_evidence(wh):
    fill_positivity(wh, recent=(15, 30), baseline=(8, 40))
    settings = dataclasses.replace(DEFAULT, positivity_targets=("fentanyl",))
    [s] = signals.positivity_rise(wh.con, NOW, settings)
    assert s.key == "positivity_rise|Harbour|fentanyl|2026-10-31"
    assert s.stats["k"] == 15 and s.stats["n"] == 30 and s.stats["k0"] == 8 and s.stats["n0"] == 40
    assert s.stats["z"] == pytest.approx(2.6445, abs=1e-4)
    # Wilson 95%: 15/30 -> 33.2% to 66.8%; 8/40 -> 10.5% to 34.8%
    assert s.evidence == (
        "fentanyl in Harbour: 15 of 30 tested samples 2026-10-31 to 2026-11-27 = 50.0% (95% CI 33.2% to 66.8%)",
        "baseline 2026-08-08 to 2026-10-30: 8 of 40 = 20.0% (95% CI 10.5% to 34.8%)",
        "two-proportion z = 2.64, one-sided p = 0.0041 (threshold 0.05)",
    )
    assert s.text["en"].headline == "More samples with fentanyl & analogues in Harbour"


@pytest.mark.parametrize(
    "recent, baseline, why",
    [
        ((12, 19), (8, 40), "recent n below 20"),
        ((15, 30), (3, 15), "baseline n below 20"),
        ((8, 30), (8, 40), "26.7% vs 20.0%: z = 0.66, p = 0.25"),
        ((5, 30), (20, 40), "a fall, not a rise"),
    ],
)
def test_positivity_rise_quiet(wh, recent, baseline, why):
    fill_positivity(wh, recent=recent, baseline=baseline)
    settings = dataclasses.replace(DEFAULT, positivity_targets=("fentanyl",))
    assert signals.positivity_rise(wh.con, NOW, settings) == [], why


def test_untested_samples_are_not_in_the_denominator(wh):
    fill_positivity(wh, recent=(15, 30), baseline=(8, 40))
    for i in range(60):  # no method able to detect fentanyl: must not dilute the recent share
        wh.sample(i % 28, ftir=False)
    settings = dataclasses.replace(DEFAULT, positivity_targets=("fentanyl",))
    [s] = signals.positivity_rise(wh.con, NOW, settings)
    assert (s.stats["k"], s.stats["n"]) == (15, 30)


# ---------------------------------------------------------------- concentration spike

def fill_concentration(wh, recent: list[float], baseline: list[float]):
    for i, pct in enumerate(recent):
        wh.sample(i % 28, found=("fentanyl",), fentanyl_pct=pct)
    for i, pct in enumerate(baseline):
        wh.sample(28 + (i * 7) % 84, found=("fentanyl",), fentanyl_pct=pct)


BASELINE_PCT = [4, 5, 5, 6, 6, 6, 7, 7, 8, 9, 10, 12]  # median (6 + 7) / 2 = 6.5


def test_concentration_spike_fires(wh):
    recent = [9, 10, 11, 12, 12, 13, 14, 15, 16, 20]  # median (12 + 13) / 2 = 12.5 = 1.92 x 6.5
    fill_concentration(wh, recent, BASELINE_PCT)
    [s] = signals.concentration_spike(wh.con, NOW, DEFAULT)
    assert s.key == "concentration_spike|Harbour|fentanyl|2026-10-31"
    assert (s.stats["median"], s.stats["baseline_median"], s.stats["n"], s.stats["n0"]) == (12.5, 6.5, 10, 12)
    assert s.stats["p"] < 0.05
    assert s.evidence[1].endswith("ratio 1.92 (threshold 1.25)")
    assert s.text["fr"].headline == "Fentanyl plus concentré (Harbour)"


@pytest.mark.parametrize(
    "recent, why",
    [
        ([5, 6, 6, 7, 7, 7, 8, 8, 9, 10], "median 7 is only 1.08 x 6.5"),
        ([12, 13, 14, 15, 16, 17, 18, 19, 20], "9 quantified samples, fewer than 10"),
    ],
)
def test_concentration_spike_quiet(wh, recent, why):
    fill_concentration(wh, recent, BASELINE_PCT)
    assert signals.concentration_spike(wh.con, NOW, DEFAULT) == [], why


# ---------------------------------------------------------------- overdose spike (EARS)

SPIKE = [2, 4, 3, 5, 4, 3, 3, 9, 9, 12]  # C2 on the last day = 8.7831 (see test_statistics)


def test_overdose_spike_fires_with_c2(wh):
    wh.overdoses("Harbour", [3] * 10 + SPIKE)
    [s] = signals.overdose_spike(wh.con, NOW, DEFAULT)
    assert s.key.startswith("overdose_spike|Harbour|ems|day|")
    assert s.severity == "warning"
    assert s.stats["method"] == "C2" and s.stats["statistic"] == pytest.approx(8.7831, abs=1e-4)
    assert s.evidence[0] == "paramedic calls for drug poisoning in Harbour: 12 in the day of 2026-11-27"
    assert s.evidence[2].startswith("EARS C2 = 8.78 (threshold 3)")


def test_overdose_spike_run_is_one_suggestion_keyed_by_its_start(wh):
    wh.overdoses("Harbour", [2, 4, 3, 5, 4, 3, 3, 4, 3, 20, 25, 30])
    [s] = signals.overdose_spike(wh.con, NOW, DEFAULT)
    assert s.key == "overdose_spike|Harbour|ems|day|2026-11-25"


def test_overdose_quiet_on_usual_counts(wh):
    wh.overdoses("Harbour", [2, 4, 3, 5, 4, 3, 3, 4, 3, 5, 4, 3])
    assert signals.overdose_spike(wh.con, NOW, DEFAULT) == []


def test_suppressed_last_day_is_not_a_zero_or_a_spike(wh):
    wh.overdoses("Harbour", [2, 4, 3, 5, 4, 3, 3, 4, 3, None])
    assert signals.overdose_spike(wh.con, NOW, DEFAULT) == []


def test_old_spike_is_not_suggested(wh):
    wh.overdoses("Harbour", SPIKE + [3, 4, 3, 4, 3, 4, 3, 4, 3, 4])  # spike 10 days ago, outside the last 7
    assert [s for s in signals.overdose_spike(wh.con, NOW, DEFAULT)] == []


@pytest.mark.parametrize(
    "method, statistic",
    [
        # C1 on 2026-11-25 (9 after 2,4,3,5,4,3,3): (9 - 3.428571) / 0.975900 = 5.7090; later days are quiet under C1
        # because the 9s enter its baseline (today: (12 - 5.142857) / 2.734262 = 2.51 < 3).
        ("C1", 5.7090),
        # C2 keeps the 9s out of the baseline with its 2-day lag: today (12 - 3.428571) / 0.975900 = 8.7831.
        ("C2", 8.7831),
        # C3 today = (5.7090 - 1) + (5.7090 - 1) + (8.7831 - 1) = 17.2011.
        ("C3", 17.2011),
    ],
)
def test_method_is_a_setting(wh, method, statistic):
    wh.overdoses("Harbour", [3] * 10 + SPIKE)
    settings = dataclasses.replace(DEFAULT, ears_method=method)
    [s] = signals.overdose_spike(wh.con, NOW, settings)
    assert s.key == "overdose_spike|Harbour|ems|day|2026-11-25"  # each run starts with the first 9
    assert s.stats["method"] == method
    assert s.stats["statistic"] == pytest.approx(statistic, abs=1e-3)


def test_weekly_series_are_checked_too(wh):
    wh.overdoses("Harbour", [3] * 3 + SPIKE, measure="deaths", period_type="week")
    [s] = signals.overdose_spike(wh.con, NOW, DEFAULT)
    assert s.key.startswith("overdose_spike|Harbour|deaths|week|")
    assert s.evidence[0] == "drug poisoning deaths in Harbour: 12 in the week of 2026-11-27"


# ---------------------------------------------------------------- run_all

def test_run_all_orders_most_severe_first(wh):
    wh.sample(5, found=("carfentanil",))
    wh.overdoses("Harbour", [3] * 10 + SPIKE)
    out = signals.run_all(wh.con, NOW)
    assert [s.rule for s in out] == ["overdose_spike", "first_detection"]


def test_run_all_refuses_unknown_ears_method(wh):
    with pytest.raises(ValueError, match="EARS method must be one of C1, C2, C3, got 'C9'"):
        signals.run_all(wh.con, NOW, dataclasses.replace(DEFAULT, ears_method="C9"))
