"""The newcomer's path on the demo: Signals says which day it checks as of, offers suggestions, one becomes a draft.

The demo ends a month before today; before signals ran as of the newest data, this page said "0 new suggestions"
with no reason and a newcomer could not go from a signal to an alert without knowing the CLI's --at.
"""

import re

import duckdb
import pytest

from supplywatch import i18n, signals

from . import stack, ui

pytestmark = pytest.mark.browser


def test_signals_on_the_demo_name_the_date_offer_suggestions_and_draft_one(page, app):
    with duckdb.connect(str(app.warehouse), read_only=True) as con:
        newest = signals.newest_data_date(con)
    day_en, day_fr = (i18n.format_date(newest, lang, "long") for lang in ("en", "fr"))
    name, _role, password = stack.POSTER
    ui.sign_in(page, app.url, name, password)
    ui.nav(page, "Signals")
    page.get_by_text(f"Checked as of {day_en}, the day of the newest data", exact=False).wait_for()

    page.get_by_role("button", name="Check the data now").click()
    ui.wait_idle(page)
    message = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    found = re.match(rf"(\d+) new suggestions\. Checked as of {re.escape(day_en)}, the day of the newest data", message)
    assert found and int(found.group(1)) >= 1, message
    assert ui.problems(page) == []

    page.get_by_role("button", name="Accept: create a draft").first.click()
    ui.wait_idle(page)
    flash = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    assert re.fullmatch(r"Draft SW-\d{4}-\d{4} created\. Open 'Draft and review' to edit and submit it\.", flash)
    ui.nav(page, "Draft and review")
    assert ui.problems(page) == []

    ui.choose(page, "Language", "Français")
    ui.nav(page, "Signaux")
    page.get_by_text(f"Vérifié au {day_fr}, jour des données les plus récentes", exact=False).wait_for()
    assert ui.problems(page) == []
