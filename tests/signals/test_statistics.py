"""The statistics under the rules, against values worked out by hand (shown in each comment)."""

import pytest

from supplywatch import signals

APPROX = dict(abs=1e-4)


def test_c1_fires_on_a_jump():
    # baseline 2,4,3,5,4,3,3: mean 24/7 = 3.428571, sample SD sqrt(5.714286/6) = 0.975900
    # C1 = (12 - 3.428571) / 0.975900 = 8.7831
    stats = signals.ears([2, 4, 3, 5, 4, 3, 3, 12], "C1")
    assert stats[:7] == [None] * 7
    assert stats[7] == pytest.approx(8.7831, **APPROX)


def test_c1_quiet_on_a_usual_day():
    # (5 - 3.428571) / 0.975900 = 1.6102 < 3
    assert signals.ears([2, 4, 3, 5, 4, 3, 3, 5], "C1")[7] == pytest.approx(1.6102, **APPROX)


def test_c2_uses_a_two_day_lag():
    # C2 at t=9 uses days 0..6 (not 7, 8): the same baseline as above, so (12 - 3.428571) / 0.9759 = 8.7831
    stats = signals.ears([2, 4, 3, 5, 4, 3, 3, 9, 9, 12], "C2")
    assert stats[:9] == [None] * 9
    assert stats[9] == pytest.approx(8.7831, **APPROX)


def test_c3_sums_three_c2_excesses():
    series = [2, 4, 3, 5, 4, 3, 3, 4, 3, 6, 7, 8]
    # C2_9  = (6 - 24/7) / 0.975900 = 2.6349         (baseline days 0..6)
    # C2_10 = (7 - 26/7) / sqrt(3.428571/6) = 3.285714 / 0.755929 = 4.3466   (days 1..7)
    # C2_11 = (8 - 25/7) / sqrt(3.714286/6) = 4.428571 / 0.786796 = 5.6286   (days 2..8)
    c2 = signals.ears(series, "C2")
    assert c2[9:] == [pytest.approx(2.6349, **APPROX), pytest.approx(4.3466, **APPROX),
                      pytest.approx(5.6286, **APPROX)]
    # C3_11 = 1.6349 + 3.3466 + 4.6286 = 9.6101 (> 2)
    c3 = signals.ears(series, "C3")
    assert c3[:11] == [None] * 11
    assert c3[11] == pytest.approx(9.6101, **APPROX)


def test_c3_quiet_when_no_c2_exceeds_one():
    # baselines alternate 4,5 (mean 4.43 or 4.57); days 9..11 are 4, below every baseline mean,
    # so each C2 is negative and each max(0, C2 - 1) is 0
    series = [4, 5, 4, 5, 4, 5, 4, 5, 4, 4, 4, 4]
    assert signals.ears(series, "C3")[11] == 0.0


def test_suppressed_count_is_missing_not_zero():
    # baseline 5,6,-,5,6,5,6 -> mean 5.5, SD sqrt(1.5/5) = 0.547723; C1 = 2.5 / 0.547723 = 4.5644 (fires).
    # Read as 0 the baseline would be mean 4.714, SD 2.138 and C1 = 1.54: the spike would be missed.
    assert signals.ears([5, 6, None, 5, 6, 5, 6, 8], "C1")[7] == pytest.approx(4.5644, **APPROX)
    assert signals.ears([5, 6, 5, 5, 6, 5, 6, None], "C1")[7] is None  # no count today: no statistic


def test_too_few_baseline_counts_give_no_statistic():
    assert signals.ears([5, None, None, None, 6, 5, 6, 30], "C1", min_baseline=5)[7] is None


@pytest.mark.parametrize("today, expected", [(2, 4.0), (1, 2.0)])
def test_flat_zero_baseline_uses_min_sigma(today, expected):
    # SD 0 floored at 0.5: (2 - 0) / 0.5 = 4 fires, (1 - 0) / 0.5 = 2 does not
    assert signals.ears([0] * 7 + [today], "C1", min_sigma=0.5)[7] == expected


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="^EARS method must be one of C1, C2, C3, got 'C4'$"):
        signals.ears([1] * 10, "C4")


def test_two_proportion_test():
    # 15/30 vs 8/40: pooled 23/70 = 0.328571; SE sqrt(0.328571 * 0.671429 * (1/30 + 1/40)) = 0.113442
    # z = 0.3 / 0.113442 = 2.6445; one-sided p = 0.00409
    z, p = signals.two_proportion_test(15, 30, 8, 40)
    assert z == pytest.approx(2.6445, **APPROX)
    assert p == pytest.approx(0.00409, abs=1e-5)
    assert signals.two_proportion_test(0, 0, 3, 10) == (0.0, 1.0)


def test_mann_whitney_one_sided():
    # every recent value above every baseline value: U = 9; mean 4.5, var 3*3*7/12 = 5.25
    # z = (9 - 4.5 - 0.5) / 2.291288 = 1.7457; p = 0.0404
    u, p = signals.mann_whitney_greater([4, 5, 6], [1, 2, 3])
    assert u == 9.0
    assert p == pytest.approx(0.0404, abs=1e-4)
    u, p = signals.mann_whitney_greater([1, 2, 3], [4, 5, 6])
    assert u == 0.0 and p > 0.95
