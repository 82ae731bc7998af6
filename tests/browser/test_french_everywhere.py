"""In French, no page shows English: every visible string (expanders opened, every tab shown), chart label and
placeholder is checked against the English catalogue (a msgid whose French differs must not be seen), Streamlit's
own English texts and English month names.

Left out on purpose, and said so on the pages: data the services wrote (site names, external alert titles) and the
data dictionary and methods documents, which exist in English only (the Data page says so in French)."""

import re

import pytest

from supplywatch import i18n

from . import stack, ui
from .test_accessibility import PUBLIC, STAFF, VIEWPORTS

pytestmark = pytest.mark.browser

# Streamlit's own English texts that a page can show (select placeholders, form hints, empty lists).
STREAMLIT_ENGLISH = ("Choose options", "Choose an option", "Press Enter to submit form", "Press Enter to apply",
                     "No results", "Add an option")
ENGLISH_ONLY_FR = i18n.translator("fr")("This document is written in English only for now.")
ENGLISH_MONTH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* \d{4}\b")
_COLLECT = """() => {
  const out = document.body.innerText.split('\\n');
  document.querySelectorAll('svg text').forEach(t => out.push(t.textContent));
  // a placeholder is seen only while its field is empty
  document.querySelectorAll('input[placeholder], textarea[placeholder]').forEach(i => {
    if (!i.value) out.push(i.placeholder); });
  return out.map(s => s.trim()).filter(s => s);
}"""


def english_left(texts: list[str]) -> list[str]:
    fr = i18n.catalogue("fr")
    english = {en for en, fr_text in fr.items() if en != fr_text and "{" not in en}
    found = []
    for text in texts:
        parts = {text, *(p.strip() for p in re.split(r" · |: ", text))}
        hits = sorted(p for p in parts if p in english)
        hits += [s for s in STREAMLIT_ENGLISH if s in text]
        hits += ENGLISH_MONTH.findall(text)
        found += [f"{h!r} in {text[:120]!r}" for h in hits]
    return found


def seen(page) -> list[str]:
    """Everything a reader can see on the page: as drawn, then with every expander opened and every tab shown."""
    def open_expanders():
        for summary in page.locator('[data-testid="stExpander"] summary').all():
            if summary.is_visible() and not summary.evaluate("s => s.parentElement.open"):
                summary.click()

    texts = page.evaluate(_COLLECT)
    open_expanders()
    texts += page.evaluate(_COLLECT)
    for tab in page.get_by_role("tab").all():
        tab.click()
        open_expanders()
        if page.get_by_text(ENGLISH_ONLY_FR, exact=True).count():
            continue  # an English-only document, and the tab says so in French
        texts += page.evaluate(_COLLECT)
    return texts


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_no_english_on_any_page_in_french(new_page, app, device):
    page = new_page(viewport=VIEWPORTS[device], is_mobile=device == "phone", has_touch=device == "phone")
    found = {}
    for path in PUBLIC:
        ui.open_page(page, f"{app.url}/{path}?lang=fr")
        if path == "sign-in":  # Streamlit's typing hint shows once something is typed
            page.locator('[data-testid="stMain"] input[type="text"]').first.fill("x")
            page.wait_for_selector('[data-testid="InputInstructions"]')
        found[path or "/"] = english_left(seen(page))
    name, _role, password = stack.POSTER
    ui.sign_in(page, app.url, name, password)
    for path in STAFF:
        ui.open_page(page, f"{app.url}/{path}?lang=fr")
        found[path] = english_left(seen(page))
    assert {p: v for p, v in found.items() if v} == {}
