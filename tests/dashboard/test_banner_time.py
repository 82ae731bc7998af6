"""The "last loaded" time every supply page shows is in the deployment's time zone (SUPPLYWATCH_TIMEZONE), never
UTC: a reader in Vancouver sees Vancouver time with its abbreviation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supplywatch import db, load_report, local_time

from .test_pages import run, texts


@pytest.mark.parametrize("zone, abbreviation", [("America/Vancouver", ("PST", "PDT")),
                                                ("America/Toronto", ("EST", "EDT"))])
def test_the_banner_shows_the_last_load_in_the_deployment_zone(fixture_db, monkeypatch, zone, abbreviation):
    monkeypatch.setenv(local_time.ENV, zone)
    con = db.connect_readonly(fixture_db)
    loaded = load_report.data_status(con)["loaded_at"]  # naive UTC, as stored
    con.close()
    here = loaded.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(zone))
    clock = here.strftime("%-I:%M") + "\u202f" + ("a.m." if here.hour < 12 else "p.m.")
    banner = [t for t in texts(run()) if t.startswith("Data as of Mar 15, 2026 (latest sample); last loaded")]
    assert len(banner) == 1 and "UTC" not in banner[0], banner
    said = banner[0].split("last loaded ", 1)[1]
    assert said.startswith(f"{here:%Y-%m-%d}, {clock} {abbreviation[here.dst() != dt.timedelta(0)]}."), said
