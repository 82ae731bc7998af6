"""Every page of the app, its address and who sees it in the menu: the one table dashboard.py builds the
navigation from, by role.

Public pages are listed for everyone. A staff page is listed for the roles that may open it (``auth.has_role``:
admin may open every staff page); for anyone else it is still there, hidden, at its own address, as a stand-in
(``session.stand_in``): typed or reloaded signed out, it sends the reader to sign-in and back; signed in without
the role, it says so. Titles are English message ids, translated when the menu is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st

from .. import auth


def _(text: str) -> str:
    """Marks a title for translation (tests/test_i18n.py checks its French); :func:`build` translates it."""
    return text


@dataclass(frozen=True)
class Entry:
    script: str
    title: str  # English message id
    url_path: str
    roles: tuple[str, ...] = ()  # () for a public page; else the roles that may open it
    default: bool = False  # the page at /
    in_menu: bool = True  # False: reachable at its address, not listed


SIGN_IN = Entry("app_pages/sign_in.py", _("Staff sign-in"), "sign-in")
SECTIONS: dict[str, tuple[Entry, ...]] = {
    _("Supply"): (
        # Streamlit serves the default page at / only and answers its url_path with "Page not found", so the home
        # page is a hidden default at / and "This week" also has its own typed, shared and reloaded /overview.
        Entry("app_pages/overview.py", _("This week"), "home", default=True, in_menu=False),
        Entry("app_pages/overview.py", _("This week"), "overview"),
        Entry("app_pages/trends.py", _("Trends"), "trends"),
        Entry("app_pages/concentration.py", _("Concentration"), "concentration"),
        Entry("app_pages/expected_found.py", _("Expected vs found"), "expected"),
        Entry("app_pages/emerging.py", _("Emerging"), "emerging"),
        Entry("app_pages/samples.py", _("Samples"), "samples"),
    ),
    _("Overdoses"): (
        Entry("app_pages/overdoses.py", _("Overdoses"), "overdoses"),
    ),
    _("Alerts"): (
        Entry("app_pages/alerts_board.py", _("Drug alerts"), "alerts"),
        Entry("app_pages/subscribe.py", _("Alerts by email"), "subscribe"),
        Entry("app_pages/get_help.py", _("Where to get help"), "get-help"),
        Entry("app_pages/staff_alerts.py", _("Draft and review"), "staff-alerts", auth.ALERT_ROLES),
        Entry("app_pages/signals.py", _("Signals"), "signals", auth.ALERT_ROLES),
        Entry("app_pages/staff_delivery.py", _("Alert delivery"), "staff-delivery", ("reviewer", "admin")),
        Entry("app_pages/admin_users.py", _("Staff accounts"), "admin", auth.ADMIN_ROLES),
        SIGN_IN,
    ),
    _("Data"): (
        Entry("app_pages/data.py", _("Data"), "data"),
    ),
}


def may_open(entry: Entry, role: str | None) -> bool:
    return not entry.roles or auth.has_role(role, *entry.roles)


def menu(role: str | None) -> dict[str, list[str]]:
    """The addresses listed in the menu for ``role`` (None: a public reader), section by section."""
    return {section: [e.url_path for e in entries if e.in_menu and may_open(e, role)]
            for section, entries in SECTIONS.items()}


def build(role: str | None, translate: Callable[[str], str], stand_in: Callable) -> dict[str, list]:
    """The ``st.navigation`` sections for ``role``, titles in the reader's language; ``stand_in(url_path, roles,
    sign_in_page)`` makes the page shown at a staff address to a reader who may not open it."""
    sign_in = st.Page(SIGN_IN.script, title=translate(SIGN_IN.title), url_path=SIGN_IN.url_path)

    def page(e: Entry):
        if e is SIGN_IN:
            return sign_in
        if not may_open(e, role):
            return st.Page(stand_in(e.url_path, e.roles, sign_in), title=translate(e.title), url_path=e.url_path,
                           visibility="hidden")
        return st.Page(e.script, title=translate(e.title), url_path=e.url_path, default=e.default,
                       visibility="visible" if e.in_menu else "hidden")

    return {translate(section): [page(e) for e in entries] for section, entries in SECTIONS.items()}
