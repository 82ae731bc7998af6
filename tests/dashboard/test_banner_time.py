"""The "last loaded" time every supply page shows is in the deployment's time zone (SUPPLYWATCH_TIMEZONE), never
UTC: a reader in Vancouver sees Vancouver time with its abbreviation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from supplywatch import db, load_report, local_time

from .test_pages import frame, run, texts


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


def test_the_load_history_shows_its_times_in_the_deployment_zone(fixture_db, monkeypatch):
    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    con = db.connect_readonly(fixture_db)
    runs = load_report.load_history(con)
    con.close()
    at = run("data")
    history = frame(at, "Rows loaded")
    assert "Started (UTC)" not in history and len(history) == len(runs)
    for shown, started, finished in zip(history.to_dict("records"), runs["started_at"], runs["finished_at"]):
        for column, value in (("Started", started), ("Finished", finished)):
            here = value.to_pydatetime().replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo("America/Vancouver"))
            assert shown[column].startswith(f"{here:%Y-%m-%d}, ") and shown[column][-4:] in (" PST", " PDT"), shown
