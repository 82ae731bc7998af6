"""RFC 8058 one-click unsubscribe against the real app (`streamlit run app.py`, as `make run` starts it): a POST of
List-Unsubscribe=One-Click to the mail's List-Unsubscribe address deletes the subscriber with no page interaction;
a GET of the same address (what link scanners do) still only shows the page."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request

import pytest

from supplywatch import db
from supplywatch.delivery import keys, message, subscribers
from tests.browser import stack as app_stack

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone.utc)


def request(url: str, body: bytes | None = None, content_type: str = "application/x-www-form-urlencoded"):
    """(status, body text, headers) of a GET (no body) or POST, never following a redirect."""
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    if body is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """The app with a subscriber key and two subscribers made before it starts; yields (stack, {address: id})."""
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("one-click")
    s = app_stack.build(folder, samples=200)
    key = keys.new_key()
    s.env["SUPPLYWATCH_SUBSCRIBER_KEY"] = key
    for name in ("SUPPLYWATCH_DB", "SUPPLYWATCH_APP_DB", "SUPPLYWATCH_PUBLIC_DIR", "SUPPLYWATCH_SUBSCRIBER_KEY"):
        mp.setenv(name, s.env[name])
    ids = {}
    for address in ("ana@outreach.example.org", "bea@pharmacie.example.org"):
        subscribers.subscribe(address, ["Victoria"], "caution", "en", NOW)
    with db.app_connection() as con:
        for (sid,) in con.execute("SELECT subscriber_id FROM subscribers ORDER BY created_at, subscriber_id").fetchall():
            ids[sid] = sid
    app_stack.start(s)
    try:
        yield s, list(ids)
    finally:
        app_stack.stop(s)
        mp.undo()


def remaining() -> set[str]:
    with db.app_connection() as con:
        return {r[0] for r in con.execute("SELECT subscriber_id FROM subscribers").fetchall()}


def test_one_click_post_unsubscribes_and_get_does_not(running):
    s, (first, second) = running
    url = message.unsubscribe_url(s.url, first)  # exactly the mail's List-Unsubscribe address

    status, text, headers = request(url)  # a link scanner
    assert status == 200 and "<html" in text.lower()
    assert first in remaining()

    for wrong in (b"", b"List-Unsubscribe=Yes", b"unsubscribe=1"):
        status, text, _ = request(url, wrong)
        assert (status, text) == (400, "not a one-click unsubscribe: the body must be List-Unsubscribe=One-Click\n")
    assert first in remaining()

    status, text, headers = request(url, b"List-Unsubscribe=One-Click")
    assert (status, text) == (200, "you are unsubscribed and your address is deleted\n")
    assert headers["Content-Type"].startswith("text/plain") and headers["Cache-Control"] == "no-store"
    assert remaining() == {second}
    assert request(url, b"List-Unsubscribe=One-Click")[:2] == (
        404, "this link is not valid, or the address was already removed\n")


def test_multipart_one_click_and_a_forged_token(running):
    s, (_first, second) = running
    url = message.unsubscribe_url(s.url, second)
    forged = url[:-1] + ("0" if url[-1] != "0" else "1")
    boundary = "sw-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n"
            f"--{boundary}--\r\n").encode()
    multipart = f"multipart/form-data; boundary={boundary}"
    assert request(forged, body, multipart)[0] == 404
    assert second in remaining()
    assert request(url, body, multipart)[:2] == (200, "you are unsubscribed and your address is deleted\n")
    assert second not in remaining()
