"""The dashboard's Alerts block: staff pages exist in the navigation only for signed-in users with the role."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import auth


@pytest.fixture(autouse=True)
def no_cache_warming(monkeypatch):
    """The dashboard's default page warms its cache in a daemon thread; a DuckDB query still running in it at
    interpreter exit aborts the test process, so keep it off here."""
    monkeypatch.setenv("SUPPLYWATCH_WARM_CACHE", "0")


def open_page(target, user=None):
    at = AppTest.from_file("../../dashboard.py", default_timeout=90)
    if user:
        at.session_state["sw_user"] = {"username": user, "role": auth.get_user(user).role}
    at.run()
    at.switch_page(target)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("user, target, title", [
    (None, "app_pages/sign_in.py", "Staff sign-in"),
    (None, "app_pages/alerts_board.py", "Drug alerts"),
    ("pat", "app_pages/staff_alerts.py", "Draft and review alerts"),
    ("ada", "app_pages/admin_users.py", "Staff accounts"),
])
def test_pages_listed_for_the_role(staff, user, target, title):
    assert open_page(target, user).title[0].value == title


@pytest.mark.parametrize("user, target", [
    (None, "app_pages/staff_alerts.py"), (None, "app_pages/admin_users.py"), ("pat", "app_pages/admin_users.py"),
])
def test_pages_not_listed_for_others(staff, user, target):
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in this user's navigation
        open_page(target, user)
