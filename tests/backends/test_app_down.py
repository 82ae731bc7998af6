"""PostgreSQL down (or restarting): staff pages and sign-in say so in one plain line, the public board keeps the
alerts this server last read under a banner, and nothing shows a traceback."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import app_version, db, views
from supplywatch.web import session
from supplywatch.alerts import store

PAGES = "../../app_pages/"
DOWN_URL = "postgresql://sw:secret@127.0.0.1:1/sw"  # nothing listens on port 1: refused at once
STORE_DOWN = {
    "en": "Staff accounts and alert drafting cannot be reached right now. Public pages still work; try again in a few"
          " minutes.",
    "fr": "Les comptes du personnel et la rédaction des alertes sont injoignables pour le moment. Les pages publiques"
          " fonctionnent toujours ; réessayez dans quelques minutes.",
}
STALE = ("The alert list could not be refreshed just now: it shows what this server last read. The feeds, posters and"
         " plain web page keep the last published alerts.")


def run(name: str, lang: str = "en", user: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGES + name, default_timeout=60)
    at.session_state["lang"] = lang
    if user:
        at.session_state["sw_user"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def down(isolated_db, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", DOWN_URL)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sign_in_page_says_it_in_one_line(down, lang):
    at = run("sign_in.py", lang)
    assert [e.value for e in at.error] == [STORE_DOWN[lang]]
    assert not at.text_input  # no form to fill in while nothing could be checked


def test_staff_page_of_a_signed_in_reviewer_says_it_in_one_line(down):
    at = run("staff_alerts.py", user={"username": "rae", "role": "reviewer"})
    assert [e.value for e in at.error] == [STORE_DOWN["en"]]
    assert not at.button


@pytest.mark.parametrize("app_backend", ["postgres"], indirect=True)
def test_board_keeps_the_last_alerts_it_read_under_a_banner(app_backend, staff, make_text, published_calls,
                                                           monkeypatch, pg_cluster):
    now = dt.datetime.now(dt.timezone.utc)
    monkeypatch.setattr(session, "now", lambda: now)
    clock = [0.0]  # this process's memory of the outage stays in this test, on its own clock
    version = app_version.AppVersion(lambda: clock[0])
    monkeypatch.setattr(app_version, "APP_VERSION", version)
    a = store.create_draft(text=make_text(), severity="warning", regions=["Victoria"], actor="pat", now=now)
    store.submit_for_review(a.alert_id, "pat", now)
    store.approve(a.alert_id, "rae", now)
    headline = "Carfentanil found in down sold as fentanyl"
    url = os.environ["SUPPLYWATCH_APP_DB"]
    board = run("alerts_board.py")
    assert headline in "\n".join(m.value for m in board.markdown) and not board.warning
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", DOWN_URL)  # the database goes away
    clock[0] += 1.1  # a second later: the token read for the last page is too old to reuse
    board = run("alerts_board.py")
    assert [w.value for w in board.warning] == [STALE]
    assert headline in "\n".join(m.value for m in board.markdown)
    version.last = None  # a server that never read the alerts: an empty board, the same banner
    views._public_history.clear()
    asked = []
    monkeypatch.setattr(db, "app_version", lambda: asked.append(1) or pytest.fail("asked again within 15 s"))
    board = run("alerts_board.py")
    assert [w.value for w in board.warning] == [STALE]
    assert headline not in "\n".join(m.value for m in board.markdown)
    assert asked == []  # the failure a moment ago is remembered: no new 5 s connect per page
    clock[0] += 15  # 15 s later
    monkeypatch.setattr(db, "app_version", lambda: asked.append(1) or "pg-9")
    views._public_history.clear()
    monkeypatch.setenv("SUPPLYWATCH_APP_DB", url)  # back: the next page asks again and shows the alert, no banner
    board = run("alerts_board.py")
    assert asked == [1] and not board.warning


def test_session_start_link_goes_to_sign_in_without_a_cookie(down):
    from supplywatch import staff_sessions

    # the one-hop /session/start route: a 303 to the sign-in page (which then says why), not a server error
    assert staff_sessions.start_response("a-ticket", True, dt.datetime.now(dt.timezone.utc)) == ("/sign-in", None)
