"""The public page app_pages/subscribe.py: subscribe, confirm and unsubscribe by button, in English and French."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import db
from supplywatch.web import session
from supplywatch.delivery import keys, subscribers

from .conftest import confirm_token
from .test_subscriptions import ANA, NOW, drain

PAGE = "../../app_pages/subscribe.py"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(session, "now", lambda: NOW)


def run(lang="en", **query):
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = lang
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at, address):
    at.text_input[0].input(address)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_subscribe_confirm_unsubscribe_by_button(inbox, frozen):
    at = submit(run(), ANA)
    assert [s.value for s in at.success] == ["Check your inbox: follow the link in the message we sent to confirm."]
    drain()
    token = confirm_token(inbox.to(ANA)[0])
    at = run(confirm=token)
    with db.app_connection() as con:
        assert con.execute("SELECT confirmed_at FROM subscribers").fetchall() == [(None,)]  # the visit alone: no
    at.button[0].click()
    at.run()
    assert [s.value for s in at.success] == ["Subscription confirmed: you will get the alerts you chose."]
    with db.app_connection() as con:
        [(subscriber_id,)] = con.execute("SELECT subscriber_id FROM subscribers").fetchall()
    at = run(lang="fr", unsubscribe=subscribers.unsubscribe_token(subscriber_id))
    at.button[0].click()
    at.run()
    assert [s.value for s in at.success] == ["Vous êtes désabonné·e et votre adresse est supprimée."]
    with db.app_connection() as con:
        assert con.execute("SELECT count(*) FROM subscribers").fetchall() == [(0,)]


def test_a_bad_address_is_refused_in_the_readers_language(inbox, frozen):
    at = submit(run(lang="fr"), "pas une adresse")
    assert [e.value for e in at.error] == ["'pas une adresse' n’est pas une adresse courriel"]


def test_without_a_key_the_page_says_email_alerts_are_off(isolated_db, frozen, monkeypatch):
    monkeypatch.delenv(keys.ENV, raising=False)
    at = run()
    assert [i.value for i in at.info] == [
        "Email alerts are not set up on this site yet. Follow the alerts on the public board or its feeds."]
    assert not at.text_input
