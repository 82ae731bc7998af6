"""Screen-reader users move through a page by its headings: every page, in English and French, has one H1 (its
title), no heading that skips a level on the way down (H1 -> H3), and a document title of its own."""

import pytest

from . import stack, ui
from .test_pages import PUBLIC

pytestmark = pytest.mark.browser

STAFF = ["/staff-alerts", "/signals"]  # signed in as a poster
_HEADINGS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stMain"] :is(h1, h2, h3, h4, h5, h6, [role="heading"])')).map(h => [
  h.getAttribute('aria-level') ? +h.getAttribute('aria-level') : +h.tagName.slice(1), h.innerText.trim()])"""


def outline_problems(headings: list[list]) -> list[str]:
    """What is wrong with a page's heading outline: not exactly one H1, not first, or a level skipped."""
    found = []
    h1 = [text for level, text in headings if level == 1]
    if len(h1) != 1:
        found.append(f"{len(h1)} H1: {h1}")
    if headings and headings[0][0] != 1:
        found.append(f"first heading is H{headings[0][0]} {headings[0][1]!r}")
    for (before, text_before), (level, text) in zip(headings, headings[1:]):
        if level > before + 1:
            found.append(f"H{before} {text_before!r} -> H{level} {text!r}")
    return found


@pytest.mark.parametrize("headings, expected", [
    ([[1, "A"], [2, "B"], [3, "C"], [2, "D"], [4, "E"]], ["H2 'D' -> H4 'E'"]),
    ([[1, "A"], [3, "B"]], ["H1 'A' -> H3 'B'"]),
    ([[1, "A"], [1, "B"]], ["2 H1: ['A', 'B']"]),
    ([[2, "A"], [1, "B"]], ["first heading is H2 'A'"]),
    ([[1, "A"], [2, "B"], [3, "C"], [1, "D"]], ["2 H1: ['A', 'D']"]),
    ([[1, "A"], [2, "B"], [3, "C"], [2, "D"]], []),
])
def test_the_outline_check_itself(headings, expected):
    assert outline_problems(headings) == expected


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_has_one_h1_no_skipped_level_and_its_own_title(page, app, lang):
    found, titles = {}, {}
    for path in PUBLIC:
        ui.open_page(page, f"{app.url}{path}?lang={lang}")
        found[path] = outline_problems(page.evaluate(_HEADINGS))
        titles[path] = page.evaluate("() => document.title")
    name, _role, password = stack.POSTER
    ui.sign_in(page, app.url, name, password)
    for path in STAFF:
        ui.open_page(page, f"{app.url}{path}?lang={lang}")
        found[path] = outline_problems(page.evaluate(_HEADINGS))
        titles[path] = page.evaluate("() => document.title")
    assert {p: v for p, v in found.items() if v} == {}
    # "/" is the home page's own "/overview": the one pair allowed to share a title
    assert all(t.endswith(" · Supply Watch") and t != " · Supply Watch" for t in titles.values()), titles
    assert len(set(titles.values())) == len(titles) - 1, titles
