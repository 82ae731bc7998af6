"""The home page's alert list dates each community alert by its day in the deployment's zone (SUPPLYWATCH_TIMEZONE):
an alert published at 22:44 Pacific is shown on that day, not on the next day's UTC date."""

from __future__ import annotations

import datetime as dt

import pytest

from supplywatch import local_time
from supplywatch.web import alert_lists
from tests.channels.conftest import make_alert

from .test_pages import run, texts

# 06:44 UTC on 16 January is 10:44 p.m. on 15 January in Vancouver (PST, UTC-8)
LATE_EVENING = make_alert(published_at=dt.datetime(2026, 1, 16, 6, 44), created_at=dt.datetime(2026, 1, 16, 6, 0),
                          expires_at=dt.datetime(2099, 1, 1))


@pytest.mark.parametrize("lang, line", [
    ("en", "Jan 15, 2026 · Warning · Carfentanil found in down sold as fentanyl"),
    ("fr", "15 janv. 2026 · Avertissement · Carfentanil trouvé dans du down vendu comme fentanyl"),
])
def test_home_alert_is_dated_by_the_deployments_day(fixture_db, monkeypatch, lang, line):
    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    monkeypatch.setattr(alert_lists, "_public_history", lambda version: [LATE_EVENING])
    shown = texts(run(params={"lang": lang}))
    assert line in shown, [t for t in shown if "2026" in t]


def test_community_alerts_date_is_the_local_day(monkeypatch):
    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    monkeypatch.setattr(alert_lists, "_public_history", lambda version: [LATE_EVENING])
    assert [r["date"] for r in alert_lists.community_alerts(None)] == [dt.date(2026, 1, 15)]
