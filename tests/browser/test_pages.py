"""Every page of the running app loads in a real browser with no error box and no exception text."""

import pytest

from . import stack, ui

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/overview", "/trends", "/concentration", "/expected", "/emerging", "/samples", "/overdoses", "/alerts", "/data",
          "/subscribe", "/get-help", "/sign-in"]


def test_navigation_lists_every_public_page(page, app):
    ui.open_page(page, app.url + "/")
    hrefs = {h.replace(app.url, "") or "/" for h in
             page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.href)")}
    # the home page is "This week" at its own /overview (Streamlit's root page has no URL of its own to type)
    assert hrefs == set(PUBLIC) - {"/"}, "the sidebar should link every public page and no staff page before sign-in"


@pytest.mark.parametrize("path", PUBLIC)
def test_public_page_loads_without_errors(page, app, path):
    ui.open_page(page, app.url + path)
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip()
    assert ui.problems(page) == []


def test_staff_pages_load_after_sign_in(page, app):
    """The poster's staff pages (the reviewer's Draft and review page is driven in test_alerts)."""
    name, _role, password = stack.POSTER
    ui.sign_in(page, app.url, name, password)
    nav = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert "Draft and review" in nav and "Signals" in nav and "Staff accounts" not in nav
    for title in ("Draft and review", "Signals"):
        ui.nav(page, title)
        assert ui.problems(page) == [], f"{title} as {name}"
    # signed-in staff see exact counts on the supply pages, still without errors
    ui.nav(page, "This week")
    assert page.get_by_text("Signed in as staff: exact counts are shown.").count() == 1
    assert ui.problems(page) == []


def test_staff_page_refuses_anonymous_reader(page, app):
    ui.open_page(page, app.url + "/staff-alerts")
    # an anonymous reader is sent to sign-in (and back after it, tests/browser/test_staff_session.py), never shown it
    assert page.get_by_text("Draft and review alerts").count() == 0
    assert page.url == app.url + "/sign-in" and page.locator('[role="dialog"]').count() == 0
    assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
