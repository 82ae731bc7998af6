"""Small-cell suppression: what the public may see, and that totals never give a hidden cell away."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplywatch import suppression as sup
from supplywatch.suppression import COMPLEMENTARY as C, SHOWN as S, SMALL as X


@pytest.mark.parametrize(
    "values, k, expected",
    [
        ([0, 1, 4, 5, 12], 5, [S, X, X, S, S]),  # 0 is shown; 1..k-1 hidden; k shown
        ([2, 9, 10], 10, [X, X, S]),  # k is configurable
        ([None, 3], 5, [S, X]),
    ],
)
def test_primary_suppression(values, k, expected):
    assert sup.primary(values, k) == expected


@pytest.mark.parametrize(
    "values, expected",
    [
        # One hidden cell beside a shown total: the smallest other non-zero cell goes too.
        ([3, 40, 12, 0], [X, S, C, S]),
        # Two hidden cells already: their sum is known but neither value is; nothing more to hide.
        ([3, 2, 40], [X, X, S]),
        # Only zeros left to pair with: a zero is hidden rather than leave the cell recoverable.
        ([3, 0], [X, C]),
        ([10, 20], [S, S]),
    ],
)
def test_complementary_suppression_protects_totals(values, expected):
    status = sup.suppress_1d(values, 5)
    assert status == expected
    hidden = [i for i, s in enumerate(status) if s != S]
    assert len(hidden) != 1  # total minus shown cells never equals exactly one hidden cell


def test_without_a_shown_total_only_primary_applies():
    assert sup.suppress_1d([3, 40], 5, total_shown=False) == [X, S]


def test_matrix_suppression_holds_for_rows_and_columns():
    table = pd.DataFrame([[2, 30, 40], [20, 25, 35], [15, 18, 60]], columns=["a", "b", "c"])
    status = sup.suppress_matrix(table, 5)
    for r in range(3):
        assert (status.iloc[r] != S).sum() != 1
    for c in status.columns:
        assert (status[c] != S).sum() != 1
    assert status.iloc[0, 0] == X


def test_a_matrix_with_one_found_class_is_suppressed_not_a_crash():
    # one active class found under the filters: the column total is shown, so 20 hides 3
    status = sup.suppress_matrix(pd.DataFrame({"fentanyl": [3, 20]}, index=["down", "fentanyl"]), 5)
    assert status["fentanyl"].tolist() == [X, C]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6).flatmap(lambda w: st.lists(st.lists(st.integers(0, 12), min_size=w, max_size=w),
                                                    min_size=1, max_size=6)))
def test_no_row_or_column_of_any_matrix_gives_a_small_cell_away(rows):
    status = sup.suppress_matrix(pd.DataFrame(rows), 5)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            assert (status.iloc[r, c] == X) == (1 <= v < 5)  # small cells and only they are SMALL
    for line in [list(status.iloc[r]) for r in range(len(rows))] + [list(status[c]) for c in status.columns]:
        # one hidden cell in a shown total would be recoverable, unless nothing else is there to hide
        assert sum(s != S for s in line) != 1 or len(line) == 1


def test_rates_hide_share_when_numerator_or_denominator_is_hidden():
    df = pd.DataFrame({"grp": ["a", "a", "a"], "k": [1, 8, 6], "n": [3, 11, 20],
                       "share": [1 / 3, 8 / 11, 0.3], "lo": [0.1, 0.4, 0.1], "hi": [0.8, 0.9, 0.5]})
    out = sup.suppress_rates(df, 5, group_by=("grp",))
    # n: 3 is small, so 11 (the smallest other) goes too; k: 1 is small, 6 goes too;
    # and 8 goes with its hidden denominator (a numerator bounds its denominator).
    assert list(out["n_status"]) == [X, C, S]
    assert list(out["k_status"]) == [X, C, C]
    assert out["share"].tolist() == [None, None, None]


def test_rates_shown_when_counts_are_large_enough():
    df = pd.DataFrame({"k": [8, 6], "n": [11, 20], "share": [8 / 11, 0.3], "lo": [0.4, 0.1], "hi": [0.9, 0.5]})
    out = sup.suppress_rates(df, 5)
    assert out["share"].tolist() == [8 / 11, 0.3]


@pytest.mark.parametrize(
    "value, status, expected",
    [(3, X, "<5"), (40, C, "suppressed"), (0, S, "0"), (12, S, "12"), (None, S, "")],
)
def test_labels(value, status, expected):
    assert sup.label(value, status, 5, "suppressed") == expected


@pytest.mark.parametrize("env, expected", [("", 5), ("10", 10), ("1", 5), ("abc", 5), (" 7 ", 7)])
def test_k_from_environment(monkeypatch, env, expected):
    monkeypatch.setenv("SUPPLYWATCH_SUPPRESS_K", env)
    assert sup.k_from_env() == expected
