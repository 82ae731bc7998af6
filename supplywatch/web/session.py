"""Streamlit glue for staff sign-in: who is signed in, the role the navigation is built for, and page guards.

``st.session_state["sw_user"] = {"username": ..., "role": ...}`` while signed in (the
dashboard reads exactly this key). That state lasts one browser tab; the ``sw_session`` cookie
(supplywatch.staff_sessions) carries the sign-in across reloads and new tabs, and :func:`restore`
reads it on every run. Nothing here goes into ``st.cache_*``: sessions are per user. Every guard re-reads the account from the database, so a disabled or
demoted user loses access on their next click, and every refusal is audited.
"""

from __future__ import annotations

import datetime as dt
import html
import os

import streamlit as st

from .. import auth, db, i18n, staff_sessions
from . import language

KEY = "sw_user"
STAFF_ROLES = auth.ALERT_ROLES  # the alert pages' roles (auth holds every role list once)
ADMIN_ROLES = auth.ADMIN_ROLES
NEXT = "sw_next"  # the staff page a signed-out reader asked for, to go back to after sign-in
GO = "sw_go"  # the /session/start address the browser is sent to once, right after sign-in
FROM_COOKIE = "cookie"  # marks a user restored from the session cookie: signed out when that session ends


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def lang() -> str:
    """The reader's language (supplywatch.web.language owns it)."""
    return language.current()


def signed_in() -> dict | None:
    """The signed-in user as stored in the session ({'username', 'role'}), or None."""
    user = st.session_state.get(KEY)
    return user if isinstance(user, dict) and user.get("username") else None


def _cookie() -> str | None:
    try:
        token = st.context.cookies.get(staff_sessions.COOKIE)
    except Exception:  # no browser behind this run (bare script): no cookie
        return None
    return token if isinstance(token, str) else None  # AppTest has no cookies, only a stand-in object


def restore() -> None:
    """Sign in from the ``sw_session`` cookie (reload, new tab), or sign out a tab whose session has ended.

    Called once per run before the navigation is built. A user signed in in this tab a moment ago, before the
    browser has its cookie, is kept.
    """
    user = st.session_state.get(KEY)
    name = staff_sessions.resume(_cookie(), now())
    if name:
        if not (isinstance(user, dict) and user.get("username") == name):
            user = {"username": name, "role": None}
        st.session_state[KEY] = {**user, FROM_COOKIE: True}
    elif isinstance(user, dict) and user.get(FROM_COOKIE):  # signed out elsewhere, idle, disabled or reset
        st.session_state.pop(KEY, None)


def sign_in(username: str, password: str, at: dt.datetime | None = None) -> dict:
    """Check the password (slow-down and lockout apply) and remember the user in this session only."""
    user = auth.authenticate(username, password, at or now())
    st.session_state[KEY] = {"username": user.username, "role": user.role}
    ticket = staff_sessions.new_ticket(user.username, st.session_state.pop(NEXT, None), at or now())
    st.session_state[GO] = f"/session/start?t={ticket}"
    return st.session_state[KEY]


# The one script the app runs itself; constant, so a Content-Security-Policy can allow exactly it by hash
# (deploy/nginx/security-headers.conf). The address travels in an attribute, escaped as HTML.
REDIRECT_SCRIPT = "location.replace(document.currentScript.dataset.go)"


def redirect_html(address: str) -> str:
    """HTML that sends the browser to ``address`` (a path of this site) at once."""
    return f'<script data-go="{html.escape(address, quote=True)}">{REDIRECT_SCRIPT}</script>'


def sign_out(at: dt.datetime | None = None) -> None:
    user = signed_in()
    if user:
        auth.sign_out(user["username"], at or now())
    staff_sessions.end(_cookie())
    st.session_state.pop(KEY, None)


def current(*roles: str) -> dict | None:
    """The signed-in user re-read from the database if enabled and holding one of ``roles``; refreshes the role."""
    user = signed_in()
    if not user:
        return None
    fresh = auth.current_user(user["username"])
    if fresh is None:  # deleted or disabled: forget the session
        st.session_state.pop(KEY, None)
        return None
    st.session_state[KEY] = {**user, "username": fresh.username, "role": fresh.role}
    return st.session_state[KEY] if not roles or auth.has_role(fresh.role, *roles) else None


def require_role(*roles: str, page: str = "staff page") -> dict:
    """Stop the page with a sign-in prompt unless the user holds one of ``roles``; refusals are audited.
    With the app database out of reach, the page stops with one plain line (STORE_DOWN) instead."""
    _ = i18n.translator(lang())
    try:
        user = current(*roles)
    except db.AppStoreUnavailable:
        st.error(_(STORE_DOWN))
        st.stop()
    if user is not None:
        return user
    who = signed_in()
    auth.refuse(who["username"] if who else None, page, roles, now())
    if who:
        st.error(_("Your account does not have access to this page."))
    else:
        st.warning(_("This page is for staff. Sign in with a staff account first (Staff sign-in in the menu)."))
    st.stop()


def admin_from_secrets() -> tuple[str | None, str | None]:
    """Bootstrap admin name and password from the environment, else .streamlit/secrets.toml."""
    name, password = os.environ.get("SUPPLYWATCH_ADMIN_USER"), os.environ.get("SUPPLYWATCH_ADMIN_PASSWORD")
    if name and password:
        return name, password
    try:
        return st.secrets.get("SUPPLYWATCH_ADMIN_USER"), st.secrets.get("SUPPLYWATCH_ADMIN_PASSWORD")
    except Exception:  # no secrets file: nothing to bootstrap from
        return None, None


def role_label(role: str, _) -> str:
    """A staff role as the page's language names it ('Poster' / 'Rédaction'); an unknown code comes back as is."""
    return {"poster": _("Poster"), "reviewer": _("Reviewer"), "admin": _("Admin")}.get(role, role)


# Shown on staff pages and sign-in while the app database (PostgreSQL) cannot be reached; the detail is in the log.
STORE_DOWN = ("Staff accounts and alert drafting cannot be reached right now. Public pages still work; try again in a"
              " few minutes.")


def navigation_role() -> str | None:
    """The role the navigation is built for (supplywatch.web.navigation): the signed-in user's, re-read from the
    database after restoring the session cookie; None for a public reader, or while the app database is out of
    reach (public pages keep working; staff pages say so through require_role and sign-in)."""
    try:
        restore()
        user = current()
    except db.AppStoreUnavailable:
        return None
    return user["role"] if user else None


def stand_in(url_path: str, roles: tuple[str, ...], sign_in_page):
    """What a staff URL shows to a reader who may not open it: sign-in (then back here), or a refusal."""

    def page() -> None:
        if signed_in() is None:
            st.session_state[NEXT] = "/" + url_path
            st.switch_page(sign_in_page)
        _ = i18n.translator(lang())
        st.title(_("Staff page"))
        require_role(*roles, page=url_path.replace("-", "_"))

    page.__name__ = "stand_in_" + url_path.replace("-", "_")
    return page
