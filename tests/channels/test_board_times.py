"""Board times are in the deployment's time zone (SUPPLYWATCH_TIMEZONE) with its abbreviation, never UTC."""

import datetime as dt

import pytest
from lxml import html

from supplywatch import local_time
from supplywatch.channels.board_html import board_html

from .conftest import BASE_URL, NOW, make_alert

# make_alert: published 2026-11-27 08:00 UTC, expires 2026-12-11 09:00 UTC; NOW is 09:00 UTC (winter: PST = UTC-8,
# EST = UTC-5). Babel puts a narrow no-break space (U+202F) before a.m.
CASES = [
    ("America/Vancouver", "en", "Vancouver Coastal, Île-de-Montréal · published 2026-11-27, 12:00\u202fa.m. PST · "
     "until 2026-12-11, 1:00\u202fa.m. PST", "Updated 2026-11-27, 1:00\u202fa.m. PST"),
    ("America/Toronto", "en", "Vancouver Coastal, Île-de-Montréal · published 2026-11-27, 3:00\u202fa.m. EST · "
     "until 2026-12-11, 4:00\u202fa.m. EST", "Updated 2026-11-27, 4:00\u202fa.m. EST"),
    ("America/Toronto", "fr", "Vancouver Coastal, Île-de-Montréal · publiée le 2026-11-27 03 h 00 HNE · "
     "jusqu'au 2026-12-11 04 h 00 HNE", "Mise à jour 2026-11-27 04 h 00 HNE"),
]


@pytest.mark.parametrize(("zone", "lang", "meta", "updated"), CASES)
def test_static_board_shows_local_time_with_the_zone(monkeypatch, zone, lang, meta, updated):
    monkeypatch.setenv(local_time.ENV, zone)
    doc = html.fromstring(board_html([make_alert()], lang, None, [], BASE_URL, NOW))
    assert doc.findtext(".//article/p[@class='meta']") == meta
    assert doc.findtext(".//header/p[@class='meta']") == updated
    assert "UTC" not in doc.text_content()


def test_summer_time_uses_the_summer_abbreviation(monkeypatch):
    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    assert local_time.format_local(dt.datetime(2026, 7, 1, 18, 30), "en") == "2026-07-01, 11:30\u202fa.m. PDT"
    assert local_time.format_local(dt.datetime(2026, 7, 1, 18, 30), "fr") == "2026-07-01 11 h 30 HAP"


def test_default_zone_is_vancouver(monkeypatch):
    monkeypatch.delenv(local_time.ENV, raising=False)
    assert local_time.zone().key == "America/Vancouver"


def test_an_unknown_zone_is_a_one_line_error(monkeypatch):
    monkeypatch.setenv(local_time.ENV, "Mars/Olympus")
    with pytest.raises(local_time.TimeZoneError) as err:
        local_time.zone()
    assert str(err.value) == ("SUPPLYWATCH_TIMEZONE='Mars/Olympus' is not a time zone name; "
                              "use an IANA name such as America/Vancouver")
