"""Signals run as of the newest data by default: a warehouse that ends a month ago (the demo) still suggests.

Every rule looks back ``recent_days`` (28) from its "today". Before this, the page and the CLI used the clock, so
on data ending more than 28 days ago they said "0 new suggestions" with no reason.
"""

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import auth, db, signals

from .conftest import NOW, TODAY, Warehouse
from .test_page import PASSWORD

UTC = dt.timezone.utc
OLD = TODAY - dt.timedelta(days=40)  # 2026-10-18: more than recent_days before NOW and before the real clock
KEY = f"first_detection|Harbour|carfentanil|{OLD.isoformat()}"


def stale_warehouse(path=None) -> Warehouse:
    """Like the demo: data that end 40 days before 2026-11-27 (a carfentanil first detection on the last day)."""
    wh = Warehouse()
    wh.sample(60, found=("caffeine",))
    wh.sample(40, found=("carfentanil",), sample_id="DC-9")
    if path is not None:
        with db.writing_snapshot(path) as con:
            for table in ("substances", "samples", "detections"):
                rows = wh.con.execute(f"SELECT * FROM {table}").fetchall()
                con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in rows[0])})", rows)
    return wh


@pytest.mark.parametrize(
    ("last_sample_days_ago", "overdose_days", "expected"),
    [
        (40, 0, dt.datetime(2026, 10, 18, 23, 59, 59, tzinfo=UTC)),  # samples end 40 days ago: end of that day
        (40, 31, dt.datetime(2026, 10, 27, 23, 59, 59, tzinfo=UTC)),  # overdose counts newer than the samples win
        (0, 0, NOW),  # data reach today: the clock
        (None, 0, NOW),  # empty warehouse: the clock
    ],
)
def test_as_of_is_the_newest_data_day_or_now(last_sample_days_ago, overdose_days, expected):
    wh = Warehouse()
    if last_sample_days_ago is not None:
        wh.sample(last_sample_days_ago)
    if overdose_days:
        wh.overdoses("Harbour", [3, 4])  # a daily count series ending TODAY, moved back overdose_days
        wh.con.execute(f"UPDATE overdose_events SET period_start = period_start - {overdose_days}, "
                       f"period_end = period_end - {overdose_days}")
    assert signals.as_of(wh.con, NOW) == expected


def test_data_in_the_future_do_not_move_the_clock_forward():
    wh = Warehouse()
    wh.sample(-3)  # a mistyped collection date three days ahead
    assert signals.as_of(wh.con, NOW) == NOW


@pytest.mark.parametrize(
    ("lang", "at", "expected"),
    [
        ("en", dt.datetime(2026, 10, 18, 23, 59, 59, tzinfo=UTC),
         "Checked as of October 18, 2026, the day of the newest data: the samples and overdose counts end there, "
         "so the signals look back from that day."),
        ("fr", dt.datetime(2026, 10, 18, 23, 59, 59, tzinfo=UTC),
         "Vérifié au 18 octobre 2026, jour des données les plus récentes : les échantillons et les nombres de "
         "surdoses s'arrêtent là, donc les signaux remontent à partir de ce jour."),
        ("en", NOW, "Checked as of today, November 27, 2026."),
        ("fr", NOW, "Vérifié à la date d'aujourd'hui, 27 novembre 2026."),
    ],
)
def test_the_date_is_said_plainly(lang, at, expected):
    assert signals.as_of_note(at, NOW, lang) == expected


def test_cli_without_at_checks_as_of_the_newest_data(isolated_db, capsys):
    stale_warehouse(isolated_db)
    assert signals.main([]) == 0
    assert capsys.readouterr().out == (
        "Checked as of October 18, 2026, the day of the newest data: the samples and overdose counts end there, "
        "so the signals look back from that day.\n"
        "1 new suggestion(s)\n"
        f"  [caution] Carfentanil found for the first time in Harbour  ({KEY})\n"
    )
    [stored] = signals.stored_suggestions("new")
    assert stored.suggestion.key == KEY


def test_cli_at_still_picks_the_time(isolated_db, capsys):
    stale_warehouse(isolated_db)
    assert signals.main(["--at", "2026-11-27T09:00", "--dry-run"]) == 0
    assert capsys.readouterr().out == "Checked as of 2026-11-27T09:00+00:00 (--at).\n0 found suggestion(s)\n"


def page(lang: str) -> AppTest:
    at = AppTest.from_file("../../app_pages/signals.py", default_timeout=30)
    at.session_state["sw_user"] = {"username": "pat", "role": "poster"}
    at.session_state["lang"] = lang
    return at.run()


@pytest.mark.parametrize(
    ("lang", "caption", "success", "headline"),
    [
        ("en", "Checked as of October 18, 2026, the day of the newest data",
         "1 new suggestions. Checked as of October 18, 2026, the day of the newest data",
         "Carfentanil found for the first time in Harbour"),
        ("fr", "Vérifié au 18 octobre 2026, jour des données les plus récentes",
         "1 nouvelles suggestions. Vérifié au 18 octobre 2026, jour des données les plus récentes",
         "Premier signalement : carfentanil (Harbour)"),
    ],
)
def test_page_offers_suggestions_on_month_old_data_and_names_the_date(isolated_db, lang, caption, success, headline):
    stale_warehouse(isolated_db)
    auth.add_user("pat", "poster", PASSWORD, "test", NOW)
    at = page(lang)
    assert not at.exception
    assert [c.value for c in at.caption if c.value.startswith(caption[:10])][0].startswith(caption)
    at.button[0].click().run()
    assert not at.exception and not at.error
    [message] = [s.value for s in at.success]
    assert message.startswith(success)
    assert headline in "\n".join(t.value for t in at.text)
    assert [s.suggestion.key for s in signals.stored_suggestions("new")] == [KEY]
