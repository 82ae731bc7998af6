"""A keyboard user sees where they are: Tab onto a sidebar link draws an outline at least 2 px wide whose colour
stands out from the sidebar at 3:1 or more (WCAG 2.2 2.4.7 focus visible, 2.4.13 focus appearance), in English
and French."""

import re

import pytest

from . import ui

pytestmark = pytest.mark.browser

_FOCUSED = """() => {
  const a = document.activeElement;
  if (!a || !a.closest('[data-testid="stSidebarNav"]')) return null;
  const s = getComputedStyle(a);
  let bg = 'rgba(0, 0, 0, 0)';
  for (let e = a; e && /rgba\\(.*, 0\\)|transparent/.test(bg); e = e.parentElement) bg = getComputedStyle(e).backgroundColor;
  return {text: a.innerText.trim(), style: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor,
          background: bg};
}"""


def rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""
    def lum(c):
        r, g, b = (v / 255 / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("a, b, ratio", [("rgb(0, 0, 0)", "rgb(255, 255, 255)", 21.0),
                                         ("rgb(118, 118, 118)", "rgb(255, 255, 255)", 4.54),
                                         ("rgb(240, 242, 246)", "rgb(255, 255, 255)", 1.12)])
def test_contrast_follows_the_wcag_formula(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio, abs=0.005)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_tab_to_a_sidebar_link_shows_a_visible_outline(page, app, lang):
    ui.open_page(page, f"{app.url}/trends?lang={lang}")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # start from the top
    focused = None
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused:
            break
    assert focused, "Tab never reached a sidebar link"
    assert focused["style"] not in ("none", "hidden") and focused["width"] >= 2, focused
    assert contrast(focused["colour"], focused["background"]) >= 3, focused
