"""Filters survive the URL round trip, ignore malformed values and select the right samples in SQL."""

import dataclasses
import datetime as dt

import pytest

from supplywatch.filters import Filters

FULL = Filters(dt.date(2026, 3, 2), dt.date(2026, 3, 15), "North", "North Site A", "Down", "drug")


def test_round_trip_through_query_params():
    params = FULL.to_query()
    assert params == {"from": "2026-03-02", "to": "2026-03-15", "region": "North", "site": "North Site A",
                      "expected": "Down", "type": "drug"}
    assert Filters.from_query({**params, "lang": "fr"}) == FULL  # the language is not a filter (web.language)


def test_defaults_leave_the_link_clean():
    assert Filters().to_query() == {}
    assert Filters.from_query({}) == Filters()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"from": "2026-13-40"}, Filters()),  # not a date: ignored
        ({"type": "<script>"}, Filters()),  # not a sample type
        ({"from": "2026-03-15", "to": "2026-03-02"}, Filters(dt.date(2026, 3, 2), dt.date(2026, 3, 15))),
        ({"region": ["South", "North"]}, Filters(region="North")),  # repeated key: the last wins
        ({"region": "  "}, Filters()),
    ],
)
def test_malformed_params_are_ignored_not_raised(params, expected):
    assert Filters.from_query(params) == expected


@pytest.mark.parametrize(
    "f, ids",
    [
        (Filters(region="South", start=dt.date(2026, 3, 9)), {"S01", "S02", "S03"}),
        (Filters(expected="Cocaine"), {"P07"}),
        (Filters(end=dt.date(2025, 12, 31)), {"O01", "W01", "W02"}),
        (Filters(region="North'; DROP TABLE samples; --"), set()),  # values are parameters, never SQL
    ],
)
def test_where_selects_samples(con, f, ids):
    where, params = f.where("s")
    got = {r[0] for r in con.execute(f"SELECT sample_id FROM samples s WHERE {where}", params).fetchall()}
    assert got == ids


def test_filters_carry_no_language():
    """The language has one owner (supplywatch.web.language); a copy in the filters could disagree with it."""
    assert "lang" not in {f.name for f in dataclasses.fields(Filters)}
