"""The first reader after a server (re)start who follows a link to a page gets that page, with no error box.

Streamlit treats a pages/ folder beside the entry point as its older folder-based navigation until the first
st.navigation run in the process; links whose path differs from a file name (/alerts, /expected) then opened
under a "Page not found" box. The pages live in app_pages/ for that reason (dashboard.py).
"""

import pytest

from . import stack as app_stack
from . import ui


@pytest.mark.parametrize("path, heading", [("alerts", "Drug alerts"), ("expected", "Expected vs found")])
def test_a_link_opened_first_after_a_restart_shows_its_page(app, browser, path, heading):
    fresh = app_stack.start(app_stack.Stack(folder=app.folder, env=app.env))  # no session has run yet
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        ui.open_page(page, f"{fresh.url}/{path}")
        assert ui.problems(page) == []
        assert page.locator("h1").first.inner_text() == heading
    finally:
        context.close()
        app_stack.stop(fresh)
