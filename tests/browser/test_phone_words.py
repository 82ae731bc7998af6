"""On a phone, a French heading or label is never cut in the middle of a word ("l'approvisionnem / ent"): every
word of the page's headings, widget labels, tabs and buttons sits on one line."""

import pytest

from . import ui
from .test_accessibility import VIEWPORTS
from .test_pages import PUBLIC

pytestmark = pytest.mark.browser

# Each word of each visible heading/label/tab/button, and how many lines its box spans (a cut word spans two).
_CUT_WORDS = """() => {
  const sel = '[data-testid="stMain"] :is(h1, h2, h3, label, [role="tab"], button), [data-testid="stSidebar"] a';
  const cut = [];
  document.querySelectorAll(sel).forEach(el => {
    if (!el.offsetParent) return;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let m;
      while ((m = re.exec(node.nodeValue))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) cut.push(m[0]);
      }
    }
  });
  return cut;
}"""


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_word_is_cut_on_a_phone(new_page, app, lang):
    page = new_page(viewport=VIEWPORTS["phone"], is_mobile=True, has_touch=True)
    found = {}
    for path in PUBLIC:
        ui.open_page(page, f"{app.url}{path}?lang={lang}")
        found[path] = page.evaluate(_CUT_WORDS)
    assert {p: v for p, v in found.items() if v} == {}
