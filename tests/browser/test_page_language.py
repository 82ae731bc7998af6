"""<html lang> follows the reader's language (screen readers pick their voice from it): on a French link, after the
language switch, and across page changes, without inline script."""

import pytest

from . import ui

pytestmark = pytest.mark.browser


def html_lang(page) -> str:
    return page.evaluate("() => document.documentElement.lang")


def test_a_french_link_is_served_as_french(page, app):
    ui.open_page(page, app.url + "/trends?lang=fr")
    assert html_lang(page) == "fr"
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Tendances"


def test_switching_language_and_page_keeps_lang_in_step(page, app):
    ui.open_page(page, app.url + "/overview")
    assert html_lang(page) == "en"
    ui.choose(page, "Language", "Français")
    page.wait_for_function("() => document.documentElement.lang === 'fr'", timeout=ui.TIMEOUT_MS)
    ui.nav(page, "Tendances")
    assert html_lang(page) == "fr"
    ui.choose(page, "Langue", "English")
    page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=ui.TIMEOUT_MS)


def test_each_page_has_its_own_title_in_the_reader_language(page, app):
    ui.open_page(page, app.url + "/trends?lang=fr")
    page.wait_for_function("() => document.title === 'Tendances · Supply Watch'", timeout=ui.TIMEOUT_MS)
    ui.open_page(page, app.url + "/alerts")
    page.wait_for_function("() => document.title === 'Drug alerts · Supply Watch'", timeout=ui.TIMEOUT_MS)
