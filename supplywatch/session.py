"""Streamlit glue for staff sign-in: who is signed in, which alert pages they see, and page guards.

``st.session_state["sw_user"] = {"username": ..., "role": ...}`` while signed in (the
dashboard reads exactly this key). Nothing here goes into ``st.cache_*``: sessions
are per user. Every guard re-reads the account from the database, so a disabled or
demoted user loses access on their next click, and every refusal is audited.
"""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from . import auth, i18n

KEY = "sw_user"
STAFF_ROLES = ("poster", "reviewer")
ADMIN_ROLES = ("admin",)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def lang() -> str:
    return st.session_state.get("lang", "en")


def signed_in() -> dict | None:
    """The signed-in user as stored in the session ({'username', 'role'}), or None."""
    user = st.session_state.get(KEY)
    return user if isinstance(user, dict) and user.get("username") else None


def sign_in(username: str, password: str, at: dt.datetime | None = None) -> dict:
    """Check the password (slow-down and lockout apply) and remember the user in this session only."""
    user = auth.authenticate(username, password, at or now())
    st.session_state[KEY] = {"username": user.username, "role": user.role}
    return st.session_state[KEY]


def sign_out(at: dt.datetime | None = None) -> None:
    user = signed_in()
    if user:
        auth.sign_out(user["username"], at or now())
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
    st.session_state[KEY] = {"username": fresh.username, "role": fresh.role}
    return st.session_state[KEY] if not roles or auth.has_role(fresh.role, *roles) else None


def require_role(*roles: str, page: str = "staff page") -> dict:
    """Stop the page with a sign-in prompt unless the user holds one of ``roles``; refusals are audited."""
    user = current(*roles)
    if user is not None:
        return user
    _ = i18n.translator(lang())
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


def alert_pages(_) -> list:
    """The Alerts section of the navigation: public board and sign-in always; staff pages by role."""
    pages = [st.Page("app_pages/alerts_board.py", title=_("Drug alerts"), url_path="alerts"),
             st.Page("app_pages/subscribe.py", title=_("Alerts by email"), url_path="subscribe")]
    user = current()
    role = user["role"] if user else None
    if auth.has_role(role, *STAFF_ROLES):
        pages.append(st.Page("app_pages/staff_alerts.py", title=_("Draft and review"), url_path="staff-alerts"))
        pages.append(st.Page("app_pages/signals.py", title=_("Signals"), url_path="signals"))
    if auth.has_role(role, *ADMIN_ROLES):
        pages.append(st.Page("app_pages/admin_users.py", title=_("Staff accounts"), url_path="admin"))
    pages.append(st.Page("app_pages/sign_in.py", title=_("Staff sign-in"), url_path="sign-in"))
    return pages
