"""Staff sessions that survive reloads: one-time tickets, idle and absolute limits, sign-out, hash-only storage,
sessions ended by disabling an account or resetting its password, and no open redirect after sign-in."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path

import pytest

from supplywatch import auth, db, staff_sessions

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def ana(isolated_db, monkeypatch):
    for name in ("SUPPLYWATCH_SESSION_IDLE_HOURS", "SUPPLYWATCH_SESSION_MAX_HOURS"):
        monkeypatch.delenv(name, raising=False)
    auth.add_user("ana", "poster", "ana-poster-pass-2026", actor="test", now=T0)
    return "ana"


def rows() -> list[tuple]:
    with db.app_connection() as con:
        return con.execute("SELECT token_hash, kind, username, next_path FROM staff_sessions ORDER BY kind").fetchall()


def open_session(username: str, at: dt.datetime = T0, next_path: str = "/staff-alerts") -> str:
    token, where = staff_sessions.redeem(staff_sessions.new_ticket(username, next_path, at), at)
    assert where == next_path
    return token


def test_only_the_sha256_of_tickets_and_sessions_is_stored(ana):
    ticket = staff_sessions.new_ticket(ana, "/staff-alerts", T0)
    assert rows() == [(hashlib.sha256(ticket.encode()).hexdigest(), "ticket", "ana", "/staff-alerts")]
    token, _ = staff_sessions.redeem(ticket, T0)
    stored = rows()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), "session", "ana", None)]
    with db.app_connection() as con:
        dump = " ".join(str(v) for r in con.execute("SELECT * FROM staff_sessions").fetchall() for v in r)
    assert ticket not in dump and token not in dump
    assert len(token) >= 43 and token != ticket  # 32 random bytes, url-safe


def test_a_ticket_opens_one_session_once(ana):
    ticket = staff_sessions.new_ticket(ana, "/signals", T0)
    first = staff_sessions.redeem(ticket, T0 + dt.timedelta(seconds=5))
    assert first is not None and first[1] == "/signals"
    assert staff_sessions.redeem(ticket, T0 + dt.timedelta(seconds=6)) is None
    assert [r[1] for r in rows()] == ["session"]


@pytest.mark.parametrize("after, opens", [(59, True), (60, False), (3600, False)])
def test_a_ticket_lasts_sixty_seconds(ana, after, opens):
    ticket = staff_sessions.new_ticket(ana, "/staff-alerts", T0)
    assert (staff_sessions.redeem(ticket, T0 + dt.timedelta(seconds=after)) is not None) is opens
    assert [r[1] for r in rows()] == (["session"] if opens else [])  # a spent or stale ticket is gone


@pytest.mark.parametrize("ticket", [None, "", "not-a-ticket", "x" * 43])
def test_an_unknown_ticket_opens_nothing(ana, ticket):
    assert staff_sessions.redeem(ticket, T0) is None
    assert staff_sessions.start_response(ticket, secure=True, now=T0) == ("/sign-in", None)


def test_a_ticket_for_an_account_disabled_since_opens_nothing(ana):
    ticket = staff_sessions.new_ticket(ana, "/staff-alerts", T0)
    with db.app_connection() as con:  # disabled by another admin on another server between the two steps
        con.execute("UPDATE users SET disabled = true WHERE username = 'ana'")
    assert staff_sessions.redeem(ticket, T0) is None
    assert rows() == []


def test_a_session_resumes_and_each_visit_restarts_the_idle_clock(ana):
    token = open_session(ana)
    at = T0
    for _ in range(3):  # three visits 7 h 59 min apart: 23 h 57 min in all, inside the 24 h limit
        at += dt.timedelta(hours=7, minutes=59)
        assert staff_sessions.resume(token, at) == "ana"


@pytest.mark.parametrize("idle, alive", [(dt.timedelta(hours=7, minutes=59, seconds=59), True),
                                         (dt.timedelta(hours=8), False)])
def test_a_session_unused_for_eight_hours_has_ended(ana, idle, alive):
    token = open_session(ana)
    assert staff_sessions.resume(token, T0 + idle) == ("ana" if alive else None)
    assert len(rows()) == (1 if alive else 0)


def test_the_idle_timeout_is_configurable(ana, monkeypatch):
    monkeypatch.setenv("SUPPLYWATCH_SESSION_IDLE_HOURS", "0.5")
    token = open_session(ana)
    assert staff_sessions.resume(token, T0 + dt.timedelta(minutes=29)) == "ana"
    assert staff_sessions.resume(token, T0 + dt.timedelta(minutes=59)) is None


@pytest.mark.parametrize("value", ["eight", "0", "-1", "9999"])
def test_a_bad_idle_setting_is_refused_in_one_line(ana, monkeypatch, value):
    monkeypatch.setenv("SUPPLYWATCH_SESSION_IDLE_HOURS", value)
    with pytest.raises(ValueError) as err:
        staff_sessions.idle_limit()
    assert str(err.value).startswith(f"SUPPLYWATCH_SESSION_IDLE_HOURS={value!r} ")


def test_an_active_session_still_ends_at_the_absolute_limit(ana):
    token = open_session(ana)
    for hour in range(1, 24):
        assert staff_sessions.resume(token, T0 + dt.timedelta(hours=hour)) == "ana"
    assert staff_sessions.resume(token, T0 + dt.timedelta(hours=24)) is None
    assert rows() == []


def test_sign_out_ends_the_session_and_no_other(ana):
    auth.add_user("bo", "reviewer", "bo-reviewer-pass-2026", actor="test", now=T0)
    mine, theirs = open_session(ana), open_session("bo")
    staff_sessions.end(mine)
    assert staff_sessions.resume(mine, T0) is None
    assert staff_sessions.resume(theirs, T0) == "bo"


@pytest.mark.parametrize("change, ends", [
    (lambda: auth.set_disabled("ana", True, "admin", T0), True),
    (lambda: auth.reset_password("ana", "a-brand-new-password", "admin", T0), True),
    (lambda: auth.set_role("ana", "reviewer", "admin", T0), False),  # the role is re-read on every run instead
], ids=["disabled", "password_reset", "role_changed"])
def test_disabling_or_resetting_an_account_ends_its_sessions(ana, change, ends):
    token = open_session(ana)
    pending = staff_sessions.new_ticket(ana, "/staff-alerts", T0)
    change()
    assert staff_sessions.resume(token, T0) == (None if ends else "ana")
    assert (staff_sessions.redeem(pending, T0) is None) is ends


@pytest.mark.parametrize("asked, goes", [
    ("/staff-alerts", "/staff-alerts"),
    ("/signals", "/signals"),
    ("/admin", "/admin"),
    (None, "/sign-in"),
    ("", "/sign-in"),
    ("https://evil.example/staff-alerts", "/sign-in"),
    ("//evil.example/staff-alerts", "/sign-in"),
    ("/\\evil.example", "/sign-in"),
    ("\\\\evil.example", "/sign-in"),
    ("javascript:alert(1)", "/sign-in"),
    ("/staff-alerts?next=//evil.example", "/sign-in"),
    ("/staff-alerts#x", "/sign-in"),
    ("/../etc/passwd", "/sign-in"),
    ("/%2f%2fevil.example", "/sign-in"),
    ("/ //evil.example", "/sign-in"),
    ("/staff-alerts\r\nSet-Cookie: x=1", "/sign-in"),
    ("staff-alerts", "/sign-in"),
])
def test_after_sign_in_the_browser_only_goes_to_a_page_of_this_site(ana, asked, goes):
    assert staff_sessions.safe_next(asked) == goes
    location, cookie = staff_sessions.start_response(staff_sessions.new_ticket(ana, asked, T0), False, T0)
    assert location == goes and cookie.startswith("sw_session=")


@pytest.mark.parametrize("secure, tail", [(False, ""), (True, "; Secure")])
def test_the_session_cookie_is_http_only_strict_and_secure_over_https(ana, secure, tail):
    location, cookie = staff_sessions.start_response(staff_sessions.new_ticket(ana, "/signals", T0), secure, T0)
    token = cookie.split(";")[0].removeprefix("sw_session=")
    assert location == "/signals"
    assert cookie == f"sw_session={token}; Max-Age=86400; Path=/; HttpOnly; SameSite=Strict{tail}"
    assert staff_sessions.resume(token, T0) == "ana"


@pytest.mark.parametrize("scheme, proto, https", [
    ("http", None, False), ("https", None, True), ("http", "https", True), ("http", "https, http", True),
    ("http", "http", False),
])
def test_https_is_seen_directly_or_through_the_proxy(scheme, proto, https):
    assert staff_sessions.served_over_https(scheme, proto) is https


def test_the_shipped_csp_allows_exactly_the_sign_in_redirect_script():
    """Behind the shipped nginx the redirect after sign-in runs only if its hash is in the policy (or staff would
    be signed in for one tab only, with no error anywhere)."""
    from supplywatch.web import session

    policy = (ROOT / "deploy" / "nginx" / "security-headers.conf").read_text()
    wanted = base64.b64encode(hashlib.sha256(session.REDIRECT_SCRIPT.encode()).digest()).decode()
    assert f"'sha256-{wanted}'" in policy


def test_the_redirect_html_carries_the_address_as_text():
    from supplywatch.web import session

    assert session.redirect_html('/session/start?t=a"b<c>') == (
        '<script data-go="/session/start?t=a&quot;b&lt;c&gt;">location.replace(document.currentScript.dataset.go)'
        "</script>")
