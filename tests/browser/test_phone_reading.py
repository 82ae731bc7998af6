"""The 3 a.m. phone test, on a phone and on a desktop, in English and French: the reader's region's alerts come
before any number and open the full alert with what to do; a Trends link keeps its choices; the sample list
starts with what was found."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from supplywatch import i18n

from . import stack, ui

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
SCREENS = {"phone": PHONE, "desktop": DESKTOP}
WHAT_TO_DO = {"en": "Carry naloxone and do not use alone.", "fr": "Ayez de la naloxone et ne consommez pas seul."}


@pytest.fixture(scope="module")
def alerts(app):
    """Two published alerts (Capital and Valley), made as staff make them (a poster drafts, a reviewer approves)."""
    import os

    saved = {k: os.environ.get(k) for k in app.env if k.startswith("SUPPLYWATCH_")}
    os.environ.update({k: v for k, v in app.env.items() if k.startswith("SUPPLYWATCH_")})
    try:
        from supplywatch.alerts import store

        now = dt.datetime.now(dt.timezone.utc)
        made = {}
        for region in ("Capital", "Valley"):
            tag = uuid.uuid4().hex[:6]
            text = {lang: {"headline": f"{region} {tag}: " + ("carfentanil in down" if lang == "en"
                                                                else "carfentanil dans le down"),
                           "details": "Two samples this week.", "what_to_do": WHAT_TO_DO[lang]}
                    for lang in ("en", "fr")}
            alert = store.create_draft(actor=stack.POSTER[0], now=now, text=text, severity="warning",
                                       regions=[region], substances=["carfentanil"], evidence=["demo samples"])
            store.submit_for_review(alert.alert_id, stack.POSTER[0], now)
            store.approve(alert.alert_id, stack.REVIEWER[0], now)
            made[region] = {lang: text[lang]["headline"] for lang in text}
        return made
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_home_shows_the_regions_alerts_above_the_numbers_and_each_opens_the_full_alert(
        new_page, app, alerts, screen, lang):
    _ = i18n.translator(lang)
    page = new_page(**SCREENS[screen])
    ui.open_page(page, f"{app.url}/?region=Capital" + ("&lang=fr" if lang == "fr" else ""))
    headline = alerts["Capital"][lang]
    card = page.get_by_text(headline, exact=False).first
    card.wait_for()
    assert page.get_by_text(alerts["Valley"][lang], exact=False).count() == 0  # another region's alert
    first_number = page.locator('[data-testid="stMetric"]').first
    link = page.get_by_role("link", name=_("What to do and the full alert"))
    assert link.count() >= 1
    alert_box, link_box, number_box = card.bounding_box(), link.first.bounding_box(), first_number.bounding_box()
    assert alert_box["y"] + alert_box["height"] <= number_box["y"], (alert_box, number_box)
    assert link_box["y"] + link_box["height"] <= number_box["y"], (link_box, number_box)
    if screen == "phone":  # the alert is on the first screen, not two screens down
        assert alert_box["y"] + alert_box["height"] <= 844 * 1.5, alert_box
    assert ui.problems(page) == []

    link.first.click()
    page.wait_for_url(re.compile(r"/alerts\?.*alert="))
    ui.wait_idle(page)
    page.get_by_text(WHAT_TO_DO[lang], exact=True).first.wait_for()
    assert page.get_by_text(_("What to do"), exact=True).first.is_visible()
    assert page.get_by_text(headline, exact=True).first.is_visible()
    assert ui.problems(page) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_trends_link_reloads_to_the_same_choices(new_page, app, screen, lang):
    _ = i18n.translator(lang)
    page = new_page(**SCREENS[screen])
    ui.open_page(page, f"{app.url}/trends?substance=carfentanil&interval=month&population=opioid&compare=1"
                 + ("&lang=fr" if lang == "fr" else ""))
    assert ui.problems(page) == []

    def choices(p) -> tuple:
        checked = [r.inner_text().strip() for r in p.locator('[data-testid="stRadio"] label:has(input:checked)').all()]
        toggle = p.get_by_label(_("Compare methods"), exact=True).is_checked()
        return ui.selected(p, _("Substance or class")), checked, toggle

    want = (_("Carfentanil"), [_("Monthly"), _("Nothing"), _("Sold as an opioid")], True)
    assert choices(page) == want
    page.reload()
    page.wait_for_selector('[data-testid="stApp"]')
    ui.wait_idle(page)
    assert choices(page) == want
    query = parse_qs(urlparse(page.url).query)
    assert {k: query.get(k) for k in ("substance", "interval", "population", "compare")} == {
        "substance": ["carfentanil"], "interval": ["month"], "population": ["opioid"], "compare": ["1"]}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_sample_list_starts_with_what_was_found(new_page, app, screen, lang):
    _ = i18n.translator(lang)
    page = new_page(**SCREENS[screen])
    name, _role, password = stack.REVIEWER
    ui.sign_in(page, app.url, name, password)
    ui.open_page(page, f"{app.url}/samples" + ("?lang=fr" if lang == "fr" else ""))
    headers = page.locator('[data-testid="stDataFrame"] [role="columnheader"]')
    headers.first.wait_for(state="attached")  # the grid draws on a canvas; its accessible table is hidden
    texts = [t.strip() for t in headers.all_inner_texts() if t.strip()]
    assert texts[:2] == [_("FTIR found"), _("Lab found")], texts
    assert ui.problems(page) == []


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_expected_found_matrices_are_tables_on_a_phone_and_heat_maps_on_a_desktop(new_page, app, screen):
    page = new_page(**SCREENS[screen])
    ui.open_page(page, f"{app.url}/expected")
    wide = page.locator(".st-key-wide-ef-matrix [data-testid='stPlotlyChart']")
    narrow = page.locator(".st-key-narrow-ef-matrix [data-testid='stDataFrame']")
    wide.wait_for(state="attached")
    narrow.wait_for(state="attached")
    assert (wide.is_visible(), narrow.is_visible()) == ((False, True) if screen == "phone" else (True, False))
    assert ui.problems(page) == []
