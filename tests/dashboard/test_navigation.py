"""Each role sees exactly its pages in the menu; staff pages it may not open stay at their address as stand-ins."""

from __future__ import annotations

import pytest

from supplywatch.web import navigation

SUPPLY = ["overview", "trends", "concentration", "expected", "emerging", "samples"]
PUBLIC_ALERTS = ["alerts", "subscribe", "get-help"]


@pytest.mark.parametrize(("role", "staff"), [
    (None, []),
    ("poster", ["staff-alerts", "signals"]),
    ("reviewer", ["staff-alerts", "signals", "staff-delivery"]),
    ("admin", ["staff-alerts", "signals", "staff-delivery", "admin"]),
])
def test_each_role_sees_exactly_its_pages(role, staff):
    assert navigation.menu(role) == {"Supply": SUPPLY, "Overdoses": ["overdoses"],
                                     "Alerts": [*PUBLIC_ALERTS, *staff, "sign-in"], "Data": ["data"]}


def test_every_address_is_served_once_and_home_is_the_default():
    entries = [e for section in navigation.SECTIONS.values() for e in section]
    paths = [e.url_path for e in entries]
    assert len(paths) == len(set(paths))
    assert [e.url_path for e in entries if e.default] == ["home"]
    assert [e.url_path for e in entries if not e.in_menu] == ["home"]


class Page:
    """Stands for st.Page, which needs a running script to resolve a page's file."""

    def __init__(self, page, *, title, url_path, default=False, visibility="visible"):
        self.page, self.title, self.url_path, self.default, self.visibility = page, title, url_path, default, visibility


def test_a_page_the_role_may_not_open_is_a_hidden_stand_in(monkeypatch):
    monkeypatch.setattr(navigation.st, "Page", Page)
    made = []

    def stand_in(url_path, roles, sign_in_page):
        made.append((url_path, roles, sign_in_page.url_path))
        return f"stand-in for {url_path}"

    sections = navigation.build("poster", lambda text: text.upper(), stand_in)
    assert made == [("staff-delivery", ("reviewer", "admin"), "sign-in"), ("admin", ("admin",), "sign-in")]
    assert list(sections) == ["SUPPLY", "OVERDOSES", "ALERTS", "DATA"]
    alerts = [(p.url_path, p.title, p.visibility, p.page) for p in sections["ALERTS"]]
    assert alerts[3:] == [
        ("staff-alerts", "DRAFT AND REVIEW", "visible", "app_pages/staff_alerts.py"),
        ("signals", "SIGNALS", "visible", "app_pages/signals.py"),
        ("staff-delivery", "ALERT DELIVERY", "hidden", "stand-in for staff-delivery"),
        ("admin", "STAFF ACCOUNTS", "hidden", "stand-in for admin"),
        ("sign-in", "STAFF SIGN-IN", "visible", "app_pages/sign_in.py"),
    ]
    home = sections["SUPPLY"][0]
    assert (home.url_path, home.default, home.visibility) == ("home", True, "hidden")
