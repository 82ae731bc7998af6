"""The dashboard's alert board shows publish and expiry times in the deployment's zone, with its abbreviation."""

from __future__ import annotations

import datetime as dt

import pytest

from supplywatch import local_time
from supplywatch.alerts import store

from .test_pages import clock, page  # noqa: F401 (clock is a fixture)


@pytest.fixture
def alert_at_noon_utc(staff, clock, published_calls, make_text):
    clock["now"] = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.timezone.utc)
    a = store.create_draft(text=make_text(), severity="warning", regions=["Victoria"], actor="pat",
                           now=clock["now"], expires_at=clock["now"] + dt.timedelta(hours=6))
    store.submit_for_review(a.alert_id, "pat", clock["now"])
    return store.approve(a.alert_id, "rae", clock["now"])


@pytest.mark.parametrize(("zone", "lang", "meta"), [
    ("America/Vancouver", "en", "Victoria · published 2026-01-15, 4:00\u202fa.m. PST · until 2026-01-15, "
     "10:00\u202fa.m. PST"),
    ("America/Halifax", "fr", "Victoria · publiée le 2026-01-15 08 h 00 HNA · jusqu'au 2026-01-15 14 h 00 HNA"),
])
def test_board_card_times_are_local(alert_at_noon_utc, clock, monkeypatch, zone, lang, meta):
    monkeypatch.setenv(local_time.ENV, zone)
    board = page("alerts_board.py", lang=lang)
    captions = [c.value for c in board.tabs[0].caption]
    assert meta in [c.replace("\\", "") for c in captions], captions
