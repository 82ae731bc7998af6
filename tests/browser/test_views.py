"""Filters drive the numbers and the URL, a shared URL restores the view, and the language switch turns French."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

from supplywatch import i18n

from . import ui

pytestmark = pytest.mark.browser
FR = i18n.translator("fr")
ALL = "All"


def test_region_filter_changes_numbers_and_url_and_the_url_restores_the_view(new_page, app):
    page = new_page()
    ui.open_page(page, app.url + "/")
    before = ui.metrics(page)
    assert before["Samples checked"], "the overview shows how many samples were checked"
    assert ui.selected(page, "Region") == ALL
    regions = [r for r in ui.options(page, "Region") if r != ALL]
    assert len(regions) >= 2, "the demo warehouse has several regions"
    region = regions[0]

    ui.choose(page, "Region", region)
    after = ui.metrics(page)
    assert ui.selected(page, "Region") == region
    assert parse_qs(urlparse(page.url).query).get("region") == [region], page.url
    assert after != before, "choosing a region must change the numbers shown"
    assert ui.problems(page) == []

    shared = page.url
    other = new_page()  # a different person opening the shared link: a new browser context and session
    ui.open_page(other, shared)
    assert ui.selected(other, "Region") == region
    assert ui.metrics(other) == after
    assert parse_qs(urlparse(other.url).query).get("region") == [region]

    ui.choose(page, "Region", ALL)
    assert "region" not in parse_qs(urlparse(page.url).query)
    assert ui.metrics(page) == before


def test_filters_survive_moving_between_pages(page, app):
    ui.open_page(page, app.url + "/")
    region = [r for r in ui.options(page, "Region") if r != ALL][-1]
    ui.choose(page, "Region", region)
    ui.nav(page, "Trends")
    assert ui.selected(page, "Region") == region
    assert parse_qs(urlparse(page.url).query).get("region") == [region]
    assert ui.problems(page) == []


def test_language_switch_turns_the_page_french_and_back(page, app):
    ui.open_page(page, app.url + "/")
    title = page.locator('[data-testid="stMain"] h1').first
    assert title.inner_text().strip() == "This week in the supply"
    ui.choose(page, "Language", "Français")
    french = FR("This week in the supply")
    assert french != "This week in the supply"
    assert title.inner_text().strip() == french
    assert FR("Samples checked") in ui.metrics(page)
    assert page.locator('[data-testid="stSidebarNav"] a', has_text=FR("Drug alerts")).count() == 1
    assert parse_qs(urlparse(page.url).query).get("lang") == ["fr"]
    assert ui.problems(page) == []
    # the French view is shareable too
    ui.open_page(page, page.url)
    assert title.inner_text().strip() == french
    ui.choose(page, FR("Language"), "English")
    assert title.inner_text().strip() == "This week in the supply"


def test_phone_viewport_shows_the_overview_without_horizontal_scrolling(new_page, app):
    phone = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    ui.open_page(phone, app.url + "/")
    assert phone.locator('[data-testid="stMetric"]').count() >= 1
    widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide in a {widths[1]}px viewport"
    assert ui.problems(phone) == []
