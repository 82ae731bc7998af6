"""Staff stay signed in across reloads and new tabs until they sign out, staff URLs lead through sign-in and back,
and every page's own URL works when typed."""

import re

import pytest

from . import stack, ui

pytestmark = pytest.mark.browser

STAFF_TITLE = "Draft and review alerts"


def title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def signed_in_poster(new_page, app):
    name, _role, password = stack.POSTER
    page = new_page()
    ui.sign_in(page, app.url, name, password)
    return page


def test_a_reload_and_a_new_tab_keep_staff_signed_in(new_page, app):
    page = signed_in_poster(new_page, app)
    ui.open_page(page, app.url + "/staff-alerts")  # typed: a new Streamlit session
    assert title(page) == STAFF_TITLE
    page.reload()
    page.wait_for_selector('[data-testid="stApp"]')
    ui.wait_idle(page)
    assert title(page) == STAFF_TITLE and ui.problems(page) == []
    tab = page.context.new_page()
    ui.open_page(tab, app.url + "/staff-alerts")
    assert title(tab) == STAFF_TITLE and ui.problems(tab) == []
    assert "Draft and review" in tab.locator('[data-testid="stSidebarNav"] a').all_inner_texts()


def test_the_session_cookie_is_http_only_and_same_site_strict(new_page, app):
    page = signed_in_poster(new_page, app)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert (cookies["sw_session"]["httpOnly"], cookies["sw_session"]["sameSite"]) == (True, "Strict")
    assert page.evaluate("() => document.cookie").find("sw_session") == -1  # no script can read it


def test_sign_out_ends_the_session_in_every_tab(new_page, app):
    page = signed_in_poster(new_page, app)
    tab = page.context.new_page()
    ui.open_page(tab, app.url + "/staff-alerts")
    assert title(tab) == STAFF_TITLE
    page.get_by_role("button", name="Sign out").click()
    ui.wait_idle(page)
    page.reload()
    page.wait_for_selector('[data-testid="stApp"]')
    ui.wait_idle(page)
    assert page.get_by_label("Username").count() == 1 and page.get_by_text("Signed in as").count() == 0
    tab.reload()
    tab.wait_for_selector('[data-testid="stApp"]')
    ui.wait_idle(tab)
    assert tab.url == app.url + "/sign-in" and tab.get_by_text(STAFF_TITLE).count() == 0


def test_a_signed_out_visit_to_a_staff_url_signs_in_and_comes_back(page, app):
    name, _role, password = stack.POSTER
    ui.open_page(page, app.url + "/staff-alerts")
    assert page.url == app.url + "/sign-in" and title(page) == "Staff sign-in"
    assert page.locator('[role="dialog"]').count() == 0  # no "Page not found"
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation(url=re.compile(r"/staff-alerts$")):
        page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_selector('[data-testid="stApp"]')
    ui.wait_idle(page)
    assert title(page) == STAFF_TITLE and ui.problems(page) == []


def test_a_staff_url_without_the_role_says_so(new_page, app):
    page = signed_in_poster(new_page, app)
    ui.open_page(page, app.url + "/admin")
    assert page.url == app.url + "/admin" and page.locator('[role="dialog"]').count() == 0
    assert page.get_by_text("Your account does not have access to this page.").count() == 1
    assert page.get_by_text("Staff accounts", exact=True).locator("visible=true").count() == 0


@pytest.mark.parametrize("lang, heading", [("en", "Staff sign-in"), ("fr", "Connexion du personnel")])
def test_every_page_url_works_when_typed(page, app, lang, heading):
    for path in ("/overview", "/trends", "/alerts", "/sign-in"):
        ui.open_page(page, f"{app.url}{path}?lang={lang}" if lang != "en" else app.url + path)
        assert page.url.split("?")[0] == app.url + path, path
        assert page.locator('[role="dialog"]').count() == 0, f"{path}: {page.locator('[role=dialog]').all_inner_texts()}"
        assert ui.problems(page) == [], path
    assert title(page) == heading
