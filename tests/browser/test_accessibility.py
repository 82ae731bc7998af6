"""WCAG 2.2 AA measured with axe-core on every page, in English and French, on a desktop and on a phone: no serious
or critical violation anywhere."""

import json

import pytest

from . import axe, stack, ui

pytestmark = pytest.mark.browser

PUBLIC = ["", "overview", "trends", "concentration", "expected", "emerging", "overdoses", "alerts", "subscribe",
          "get-help", "sign-in", "data", "samples"]
STAFF = ["staff-alerts", "signals"]  # signed in as a poster
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_no_serious_or_critical_axe_violation(new_page, app, lang, device):
    if axe.missing():
        pytest.fail(axe.missing())  # never a silent pass: `make test` installs it
    page = new_page(viewport=VIEWPORTS[device], is_mobile=device == "phone", has_touch=device == "phone")
    found = {}
    for path in PUBLIC:
        ui.open_page(page, f"{app.url}/{path}?lang={lang}")
        found[path or "/"] = axe.blocking(axe.run(page))
    name, _role, password = stack.POSTER
    ui.sign_in(page, app.url, name, password)
    for path in STAFF:
        ui.open_page(page, f"{app.url}/{path}?lang={lang}")
        found[path] = axe.blocking(axe.run(page))
    print(f"axe {lang} {device}:", json.dumps(found, indent=1))  # shown when the test fails
    assert {p: v for p, v in found.items() if v} == {}
