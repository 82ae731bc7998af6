"""WCAG 2.2 AA measured with axe-core on the signed-in staff pages (draft and review, signals, alert delivery,
staff accounts), in English and French, on a desktop and on a phone: no serious or critical violation."""

import json

import pytest

from supplywatch import i18n

from . import axe, stack, ui
from .test_accessibility import VIEWPORTS

pytestmark = pytest.mark.browser

ADMIN = ("cy", "admin", "cy-admin-pass-2026")
# who opens which staff pages: a reviewer has every alert page, only an admin the staff accounts
PAGES = {stack.REVIEWER: ["staff-alerts", "signals", "staff-delivery"], ADMIN: ["admin"]}


@pytest.fixture(scope="module")
def admin_account(app):
    """An admin account made through the real CLI, once for this module."""
    name, role, password = ADMIN
    stack._run(["-m", "supplywatch", "users", "add", name, "--role", role, "--password-stdin"], app.env,
               password + "\n")
    return ADMIN


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_no_serious_or_critical_axe_violation_on_staff_pages(new_page, app, admin_account, lang, device):
    if axe.missing():
        pytest.fail(axe.missing())  # never a silent pass: `make test` installs it
    found = {}
    for (name, _role, password), paths in PAGES.items():
        page = new_page(viewport=VIEWPORTS[device], is_mobile=device == "phone", has_touch=device == "phone")
        ui.sign_in(page, app.url, name, password)
        for path in paths:
            ui.open_page(page, f"{app.url}/{path}?lang={lang}")
            assert ui.problems(page) == [], path
            refused = i18n.translator(lang)("Your account does not have access to this page.")
            assert page.get_by_text(refused).count() == 0, path
            found[path] = axe.blocking(axe.run(page))
    print(f"axe staff {lang} {device}:", json.dumps(found, indent=1))  # shown when the test fails
    assert {p: v for p, v in found.items() if v} == {}
