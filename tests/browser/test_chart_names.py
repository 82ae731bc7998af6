"""Every chart on every public page has an accessible name and a one-sentence summary (WCAG 1.1.1) in the page's
language: a screen reader meets a figure named by the caption under it, not a pile of tick labels."""

import re

import pytest

from . import ui
from .test_french_everywhere import english_left
from .test_pages import PUBLIC

pytestmark = pytest.mark.browser

CHART = '[data-testid="stPlotlyChart"]'
# the pages that draw charts with the demo data: a sweep that found no chart at all would prove nothing
WITH_CHARTS = {"/trends": 1, "/concentration": 2, "/expected": 3, "/overdoses": 1}
_NAMES = """(sel) => Array.from(document.querySelectorAll(sel)).map(c => [c.getAttribute('role'),
  (c.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
    .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim()])"""


def chart_names(page) -> list[list[str]]:
    """(role, accessible name) of each chart, once the page script has named every one drawn."""
    page.wait_for_function(
        "(sel) => Array.from(document.querySelectorAll(sel)).every(c => c.getAttribute('aria-labelledby'))",
        arg=CHART, timeout=ui.TIMEOUT_MS)
    return page.evaluate(_NAMES, CHART)


def test_every_chart_is_a_named_figure_in_the_page_language(page, app):
    named = {}
    for lang in ("en", "fr"):
        for path in PUBLIC:
            ui.open_page(page, f"{app.url}{path}?lang={lang}")
            named[lang, path] = chart_names(page)
            # the accessible name a browser computes, not only our attributes
            figures = page.get_by_role("figure", name=re.compile(r"\S"))
            assert figures.count() == len(named[lang, path]), (lang, path, named[lang, path])
    for (lang, path), charts in named.items():
        assert len(charts) >= WITH_CHARTS.get(path, 0), (lang, path, charts)
        assert all(role == "figure" and len(name) > 20 for role, name in charts), (lang, path, charts)
        if lang == "fr":
            assert english_left([name for _role, name in charts]) == [], (path, charts)
            english = [name for _role, name in named["en", path]]
            assert all(name not in english for _role, name in charts), (path, charts)


def test_the_trends_summary_reads_the_newest_point_with_its_n(page, app):
    ui.open_page(page, f"{app.url}/trends")
    (role, name), = chart_names(page)
    assert re.fullmatch(r"Weekly share of tested samples with Fentanyl & analogues, \w{3} \d{1,2}, \d{4} to "
                        r"\w{3} \d{1,2}, \d{4}: last \d{1,3}% \(n=(\d[\d,]*|<5|suppressed)\) \(\w{3} \d{1,2}, \d{4}\)\.",
                        name), name
