"""Driving the Streamlit frontend with playwright: wait for a run to finish, read errors, use widgets, sign in."""

from __future__ import annotations

import re

# Streamlit 1.67 marks the app root with data-test-script-state ("running"/"notRunning") and greys out elements of
# the previous run with data-stale="true"; elements still to come are stSkeleton. Idle = not running, nothing stale
# or pending, a title drawn, for 400 ms in a row.
_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const ok = app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')
    && document.querySelector('[data-testid="stMain"] h1');
  if (!ok) { window.__swIdleSince = 0; return false; }
  if (!window.__swIdleSince) window.__swIdleSince = performance.now();
  return performance.now() - window.__swIdleSince > 400;
}"""
# A Python exception's name (KeyError, IOException, ...) or a traceback in the page text means one leaked out.
EXCEPTION_TEXT = re.compile(r"Traceback \(most recent call last\)|\b[A-Z][A-Za-z]*(?:Error|Exception)\b")
TIMEOUT_MS = 90_000


def wait_idle(page, timeout: int = TIMEOUT_MS) -> None:
    """Block until the current script run has finished and the page has settled."""
    page.evaluate("() => { window.__swIdleSince = 0; }")
    page.wait_for_function(_IDLE_JS, timeout=timeout, polling=100)


def open_page(page, url: str) -> None:
    """Load a URL in a fresh session and wait for its first run."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    wait_idle(page)


def problems(page) -> list[str]:
    """Error boxes, exception elements, modal dialogs (e.g. "Page not found") and exception text (empty when fine)."""
    found = []
    for sel in ('[data-testid="stException"]', '[data-testid="stAlertContentError"]'):
        found += [f"{sel}: {t[:1500]}" for t in page.locator(sel).all_inner_texts()]
    found += [f"dialog: {t[:300]}" for t in page.locator('[role="dialog"]').all_inner_texts()]
    text = page.locator('[data-testid="stMain"]').inner_text()
    found += [f"exception text: {m.group(0)}" for m in EXCEPTION_TEXT.finditer(text)]
    return found


def selectbox(page, label: str):
    """The select box whose label is exactly ``label`` (streamlit 1.67 draws a react-aria combobox)."""
    return page.get_by_role("combobox", name=label, exact=True)


def selected(page, label: str) -> str:
    """Text the reader sees in a select box: its value, or the placeholder streamlit shows for a None value."""
    box = selectbox(page, label)
    return (box.input_value() or box.get_attribute("placeholder") or "").strip()


def _open(page, label: str):
    widget = page.locator('[data-testid="stSelectbox"]').filter(has=selectbox(page, label))
    # scrolled into view first: a box at the bottom edge of the sidebar (the Region box once the navigation grew)
    # took the click but opened no list of options
    widget.scroll_into_view_if_needed()
    # the button is "Open", or "Ouvrir" on a French page (the page shell names Streamlit's controls in French)
    widget.get_by_role("button", name=re.compile(r"^(Open|Ouvrir)$")).click()
    items = page.get_by_role("option")
    items.first.wait_for()
    return items


def options(page, label: str) -> list[str]:
    """The options a select box offers (opens and closes the list)."""
    texts = [t.strip() for t in _open(page, label).all_inner_texts()]
    page.keyboard.press("Escape")
    return texts


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box ``label`` and wait for the rerun."""
    _open(page, label).filter(has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")).first.click()
    wait_idle(page)


def metrics(page) -> dict[str, str]:
    """Label -> shown value of every st.metric on the page."""
    out = {}
    for m in page.locator('[data-testid="stMetric"]').all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def nav(page, title: str) -> None:
    """Follow a sidebar navigation link (same session, so a sign-in is kept)."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=re.compile(rf"^\s*{re.escape(title)}\s*$")).click()
    wait_idle(page)


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the Staff sign-in page; fails unless the page then says who is signed in."""
    open_page(page, f"{base_url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    # A sign-in sends the browser once through /session/start for its session cookie, then back here.
    with page.expect_navigation(url=re.compile(r"/sign-in$")):
        page.locator('[data-testid="stFormSubmitButton"] button').click()
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    wait_idle(page)
    page.get_by_text(f"Signed in as {username}").first.wait_for(timeout=TIMEOUT_MS)
