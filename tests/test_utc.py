"""supplywatch/utc.py: the one definition of the two UTC shapes (naive for the stores' TIMESTAMP columns, aware
for code), used by auth, staff sessions, the alert model and rows, the outbox and the channels."""

from __future__ import annotations

import datetime as dt

import pytest

from supplywatch import auth, staff_sessions, utc
from supplywatch.alerts import authorship, model
from supplywatch.channels import links

PARIS_SUMMER = dt.timezone(dt.timedelta(hours=2))
VANCOUVER_WINTER = dt.timezone(dt.timedelta(hours=-8))


@pytest.mark.parametrize("moment, naive", [
    (dt.datetime(2026, 7, 1, 1, 30, tzinfo=PARIS_SUMMER), dt.datetime(2026, 6, 30, 23, 30)),
    (dt.datetime(2026, 12, 31, 20, 0, 0, 5, tzinfo=VANCOUVER_WINTER), dt.datetime(2027, 1, 1, 4, 0, 0, 5)),
    (dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 3, 1, 12, 0)),
    (dt.datetime(2026, 3, 1, 12, 0), dt.datetime(2026, 3, 1, 12, 0)),  # naive is UTC already: unchanged
])
def test_naive_utc(moment, naive):
    got = utc.naive_utc(moment)
    assert got == naive and got.tzinfo is None


@pytest.mark.parametrize("value, aware", [
    (dt.datetime(2026, 7, 1, 1, 30, tzinfo=PARIS_SUMMER), dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.timezone.utc)),
    (dt.datetime(2026, 3, 1, 12, 0), dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)),
])
def test_as_utc(value, aware):
    got = utc.as_utc(value)
    assert got == aware and got.tzinfo is dt.timezone.utc


def test_channels_show_whole_seconds_of_the_same_utc():
    assert links.utc(dt.datetime(2026, 7, 1, 1, 30, 59, 999_999, tzinfo=PARIS_SUMMER)) == dt.datetime(
        2026, 6, 30, 23, 30, 59, tzinfo=dt.timezone.utc)


def test_one_definition_everywhere():
    """auth, staff sessions, authorship and the alert model use these two functions, not copies of them."""
    assert auth.naive_utc is utc.naive_utc and staff_sessions.naive_utc is utc.naive_utc
    assert authorship.naive_utc is utc.naive_utc and model.as_utc is utc.as_utc
    assert not hasattr(staff_sessions, "_naive")
