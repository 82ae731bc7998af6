"""Browser fixtures: one fixture app + streamlit server and one chromium per session, a fresh context per test.

Each test's page records every JavaScript dialog (none may ever open) and leaves a screenshot in screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from . import stack as app_stack
from . import ui

SHOTS = app_stack.ROOT / "screenshots"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The fixture app running under streamlit; its output is shown if it fails to start or dies."""
    if not os.path.exists(app_stack.CHROMIUM):
        pytest.skip(f"{app_stack.CHROMIUM} is missing: `make browser` installs Debian chromium")
    s = app_stack.build(tmp_path_factory.mktemp("browser-app"))
    app_stack.start(s)
    yield s
    app_stack.stop(s)


@pytest.fixture(scope="session")
def browser(app):
    with app_stack.chromium() as b:
        yield b


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so teardown knows whether the test failed."""
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


class Dialogs(list):
    """JavaScript dialogs seen by a context (each is dismissed at once)."""


@pytest.fixture
def new_page(browser, app, request):
    """Factory for pages in fresh contexts (a new Streamlit session each); screenshots and dialog checks on exit."""
    made = []
    dialogs = Dialogs()

    def make(**context_args):
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_args})
        context.set_default_timeout(ui.TIMEOUT_MS)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
        made.append((context, page))
        return page

    make.dialogs = dialogs
    yield make
    SHOTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    for i, (context, page) in enumerate(made):
        try:
            page.screenshot(path=str(SHOTS / f"{name}{'' if i == 0 else f'-{i}'}.png"), full_page=True)
        except Exception:  # a page that is already broken still lets the others be saved
            pass
        context.close()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:  # the server's own log says what the redacted error box hides
        print(f"--- streamlit server log (tail) ---\n{app.server_output()[-6000:]}")
    if not app.alive():
        pytest.fail(f"the streamlit server died during the test:\n{app.server_output()[-4000:]}")
    assert not dialogs, f"JavaScript dialogs opened: {list(dialogs)}"


@pytest.fixture
def page(new_page):
    """One page in a fresh context."""
    return new_page()
