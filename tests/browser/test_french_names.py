"""In French, the names a screen reader says for Streamlit's and plotly's own controls are French too: the sidebar,
select boxes' "Open" button, date fields' parts, a help button, chart and table toolbars."""

import re

import pytest

from . import ui

pytestmark = pytest.mark.browser

# English names Streamlit 1.67 and plotly give their own controls (seen on these pages before the rewrite)
ENGLISH = re.compile(r"^(Sidebar|Collapse sidebar|Expand sidebar|App pages|Open|Close|Clear all|Clear value|"
                     r"Choose an option|Choose options|Choose date range|Link to heading|Download plot as a PNG|"
                     r"Pan|Zoom in|Zoom out|Autoscale|Reset axes|Fullscreen|Show/hide columns|Download as CSV|"
                     r"Search)$|^Help for |\b(start|end) date$|^(year|month|day), ")
_NAMES = """() => Array.from(document.querySelectorAll('[aria-label], [title], [placeholder], [data-title]'))
  .flatMap(e => ['aria-label', 'title', 'placeholder', 'data-title'].map(a => e.getAttribute(a)).filter(Boolean))"""


def english_names(page) -> list[str]:
    return sorted({n for n in page.evaluate(_NAMES) if ENGLISH.search(n)})


@pytest.mark.parametrize("name, english", [("Open", True), ("Help for Comparer les méthodes", True),
                                           ("day, Dates start date", True), ("Ouvrir", False),
                                           ("jour, Dates, date de début", False), ("Openness", False)])
def test_the_english_names_pattern(name, english):
    assert bool(ENGLISH.search(name)) is english


def test_controls_are_named_in_french(page, app):
    found = {}
    for path in ("/trends", "/overdoses", "/samples", "/sign-in"):
        ui.open_page(page, f"{app.url}{path}?lang=fr")
        page.get_by_role("button", name="Ouvrir").first.wait_for()  # page.js has run over the page
        found[path] = english_names(page)
    assert {p: v for p, v in found.items() if v} == {}
    ui.open_page(page, f"{app.url}/trends")  # English stays English
    assert "Open" in page.evaluate(_NAMES) and "Ouvrir" not in page.evaluate(_NAMES)
