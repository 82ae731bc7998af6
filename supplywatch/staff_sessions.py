"""Server-side staff sessions: what keeps a staff member signed in across reloads and new tabs.

A Streamlit page can read cookies but not set them, so a sign-in goes through one hop (docs/operating.md):

1. the sign-in page checks the password and asks :func:`new_ticket` for a one-time ticket (single use, valid
   TICKET_SECONDS) that remembers the page to go back to;
2. the browser is sent to ``/session/start?t=<ticket>``; that route (:func:`start_response`) redeems the ticket,
   opens a session, sets the ``sw_session`` cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) and answers
   303 to the remembered page;
3. every later script run restores the user from the cookie with :func:`resume`, which ends sessions idle for
   longer than ``SUPPLYWATCH_SESSION_IDLE_HOURS`` (default 8) or older than ``SUPPLYWATCH_SESSION_MAX_HOURS``
   (default 24) and otherwise records the visit.

Only the SHA-256 of each random token is stored, so a copy of the app file opens no session. Signing out
deletes the session; disabling an account or resetting its password deletes all of its sessions
(:func:`end_all_in`, inside the account change's own transaction). Every function takes an explicit ``now``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from urllib.parse import urlsplit

from . import db
from .utc import naive_utc

COOKIE = "sw_session"
TICKET_SECONDS = 60
DEFAULT_NEXT = "/sign-in"
# A page of this app: one or more lower-case slug segments, nothing else (no query, no scheme, no host).
_PAGE_PATH = re.compile(r"^(/[a-z0-9][a-z0-9-]*)+$")


def idle_limit() -> dt.timedelta:
    """How long a session may go unused (SUPPLYWATCH_SESSION_IDLE_HOURS, default 8)."""
    return dt.timedelta(hours=_hours("SUPPLYWATCH_SESSION_IDLE_HOURS", 8.0))


def absolute_limit() -> dt.timedelta:
    """How long a session may last however active (SUPPLYWATCH_SESSION_MAX_HOURS, default 24)."""
    return dt.timedelta(hours=_hours("SUPPLYWATCH_SESSION_MAX_HOURS", 24.0))


def _hours(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number of hours") from None
    if not 0 < value <= 24 * 90:
        raise ValueError(f"{name}={raw!r} must be more than 0 and at most 2160 hours")
    return value


def digest(token: str) -> str:
    """The stored form of a token: hex SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def safe_next(path: str | None) -> str:
    """``path`` when it names a page of this site (``/staff-alerts``), else DEFAULT_NEXT: never another origin.

    The value is parsed, not pattern-matched for "http": anything with a scheme, a host (``//evil.example``),
    a backslash, a query, a fragment or characters outside a page slug is refused.
    """
    if not path or "\\" in path or any(ord(c) < 33 for c in path):
        return DEFAULT_NEXT
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or parts.query or parts.fragment or not _PAGE_PATH.match(parts.path):
        return DEFAULT_NEXT
    return parts.path


def new_ticket(username: str, next_path: str | None, now: dt.datetime) -> str:
    """A one-time ticket for ``username`` that opens a session when redeemed within TICKET_SECONDS."""
    ticket = secrets.token_urlsafe(32)
    t = naive_utc(now)
    with db.app_connection() as con:
        con.execute("DELETE FROM staff_sessions WHERE expires_at <= ?", [t])  # old tickets and sessions go
        con.execute(
            "INSERT INTO staff_sessions VALUES (?, 'ticket', ?, ?, ?, ?, ?)",
            [digest(ticket), username, safe_next(next_path), t, t, t + dt.timedelta(seconds=TICKET_SECONDS)],
        )
    return ticket


def redeem(ticket: str | None, now: dt.datetime) -> tuple[str, str] | None:
    """(session token, page to go back to) for a valid ticket, which is used up; None when unknown or expired.

    The ticket is deleted and the session created in one transaction, so a ticket opens at most one session even
    when the same link is opened twice at once. A ticket for an account disabled since is refused.
    """
    if not ticket:
        return None
    t = naive_utc(now)
    token = secrets.token_urlsafe(32)
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        row = con.execute(
            "DELETE FROM staff_sessions WHERE token_hash = ? AND kind = 'ticket' RETURNING username, next_path,"
            " expires_at",
            [digest(ticket)],
        ).fetchone()
        enabled = row is not None and con.execute(
            "SELECT 1 FROM users WHERE username = ? AND NOT disabled", [row[0]]).fetchone()
        if row is None or row[2] <= t or not enabled:
            con.execute("COMMIT")  # the ticket is spent either way
            return None
        con.execute(
            "INSERT INTO staff_sessions VALUES (?, 'session', ?, NULL, ?, ?, ?)",
            [digest(token), row[0], t, t, t + absolute_limit()],
        )
        con.execute("COMMIT")
    return token, safe_next(row[1])


def resume(token: str | None, now: dt.datetime) -> str | None:
    """The username of a live session (and its last visit set to ``now``), or None; an ended session is deleted."""
    if not token or not isinstance(token, str):
        return None
    t = naive_utc(now)
    key = digest(token)
    with db.app_connection() as con:
        row = con.execute(
            "SELECT username, last_seen, expires_at FROM staff_sessions WHERE token_hash = ? AND kind = 'session'",
            [key],
        ).fetchone()
        if row is None:
            return None
        username, last_seen, expires_at = row
        if t >= expires_at or t - last_seen >= idle_limit():
            con.execute("DELETE FROM staff_sessions WHERE token_hash = ?", [key])
            return None
        con.execute("UPDATE staff_sessions SET last_seen = ? WHERE token_hash = ?", [max(t, last_seen), key])
    return username


def end(token: str | None) -> None:
    """Sign-out: the session behind ``token`` ends at once (in every tab that shares the cookie)."""
    if token:
        with db.app_connection() as con:
            con.execute("DELETE FROM staff_sessions WHERE token_hash = ?", [digest(token)])


def end_all_in(con, username: str) -> None:
    """End every session and ticket of ``username`` on the caller's connection (inside its transaction)."""
    con.execute("DELETE FROM staff_sessions WHERE username = ?", [username])


def cookie_header(token: str, secure: bool) -> str:
    """The Set-Cookie value of a new session: script cannot read it, no other site sends it."""
    seconds = int(absolute_limit().total_seconds())
    return f"{COOKIE}={token}; Max-Age={seconds}; Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")


def start_response(ticket: str | None, secure: bool, now: dt.datetime) -> tuple[str, str | None]:
    """(Location, Set-Cookie or None) for ``/session/start``: the remembered page, or the sign-in page when the
    ticket is unknown, used or expired, or the app database cannot be reached (the sign-in page then says so)."""
    try:
        opened = redeem(ticket, now)
    except db.AppStoreUnavailable:
        return DEFAULT_NEXT, None
    if opened is None:
        return DEFAULT_NEXT, None
    token, next_path = opened
    return next_path, cookie_header(token, secure)


def served_over_https(scheme: str, forwarded_proto: str | None) -> bool:
    """True when the reader's browser talks HTTPS: directly, or to the proxy in front (X-Forwarded-Proto)."""
    return scheme == "https" or (forwarded_proto or "").split(",")[0].strip().lower() == "https"


async def session_start(request):
    """Starlette endpoint for ``GET /session/start?t=<ticket>``: set the session cookie and go back (303)."""
    from starlette.responses import Response

    secure = served_over_https(request.url.scheme, request.headers.get("x-forwarded-proto"))
    location, cookie = start_response(request.query_params.get("t"), secure, dt.datetime.now(dt.timezone.utc))
    headers = {"Location": location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    response = Response(status_code=303, headers=headers)
    if cookie:
        response.headers.append("Set-Cookie", cookie)
    return response
