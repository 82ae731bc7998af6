"""Staff alert flow in real browsers: poster drafts and submits, reviewer approves, the public and the feeds see it;
hostile alert text stays inert text everywhere."""

import json
import re
import uuid

import pytest

from supplywatch.alerts.text import clean_text

from . import stack, ui

pytestmark = pytest.mark.browser


def card(page, text: str, button: str):
    """The innermost alert card showing ``text`` that offers ``button``."""
    return (page.locator('[data-testid="stVerticalBlock"]').filter(has_text=text)
            .filter(has=page.get_by_role("button", name=button, exact=True)).last)


def click_in_card(page, text: str, button: str, flash: str) -> None:
    card(page, text, button).get_by_role("button", name=button, exact=True).click()
    ui.wait_idle(page)
    page.get_by_text(flash, exact=True).wait_for()
    assert ui.problems(page) == []


def draft_and_submit(page, app, en: dict, fr: dict, region: str = "Capital") -> None:
    """User A (poster) signs in, fills the new-draft form in both languages, saves and submits it for review."""
    name, _role, password = stack.POSTER
    ui.sign_in(page, app.url, name, password)
    ui.nav(page, "Draft and review")
    page.get_by_text("New draft alert", exact=True).click()
    page.get_by_label("Regions (comma-separated)").first.fill(region)
    for i, text in enumerate((en, fr)):
        page.get_by_label("Headline (one sentence)").nth(i).fill(text["headline"])
        page.get_by_label("Details").nth(i).fill(text["details"])
    page.get_by_role("button", name="Save draft").first.click()
    ui.wait_idle(page)
    page.get_by_text("Draft saved.", exact=True).wait_for()
    assert ui.problems(page) == []
    shown = clean_text(en["headline"], one_line=True)
    # a poster may submit but never approve
    assert card(page, shown, "Approve and publish").count() == 0
    click_in_card(page, shown, "Submit for review", "Submitted for review.")


def approve(page, app, headline: str) -> None:
    """User B (reviewer) signs in in another context and approves the alert."""
    name, _role, password = stack.REVIEWER
    ui.sign_in(page, app.url, name, password)
    ui.nav(page, "Draft and review")
    click_in_card(page, headline, "Approve and publish", "Published.")


def feed_texts(app) -> dict[str, str]:
    feeds = app.public / "feeds"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(feeds.glob("alerts*.*"))}


def test_poster_drafts_reviewer_approves_public_and_feeds_show_it(new_page, app):
    tag = uuid.uuid4().hex[:6]
    en = {"headline": f"Carfentanil found in down sold as heroin ({tag}).",
          "details": "Two samples at the Capital site this week."}
    fr = {"headline": f"Carfentanil trouvé dans du down vendu comme héroïne ({tag}).",
          "details": "Deux échantillons au site Capital cette semaine."}
    draft_and_submit(new_page(), app, en, fr)
    approve(new_page(), app, en["headline"])

    public = new_page()  # anonymous reader
    ui.open_page(public, app.url + "/alerts")
    public.get_by_text(en["headline"], exact=True).wait_for()
    assert ui.problems(public) == []
    ui.choose(public, "Language", "Français")
    public.get_by_text(fr["headline"], exact=True).wait_for()

    # the supply pages show the published alert too, and the Overdoses page marks its date without breaking
    ui.open_page(public, app.url + "/")
    public.get_by_text(en["headline"], exact=False).first.wait_for()
    ui.open_page(public, app.url + "/overdoses")
    assert ui.problems(public) == []

    feeds = feed_texts(app)
    assert {"alerts.atom", "alerts.json", "alerts-fr.atom", "alerts-fr.json"} <= set(feeds), sorted(feeds)
    assert en["headline"] in feeds["alerts.atom"]
    assert fr["headline"] in feeds["alerts-fr.atom"]
    items = json.loads(feeds["alerts.json"])["items"]
    titles = [item.get("title", "") + " " + item.get("content_text", "") for item in items]
    assert any(en["headline"] in t for t in titles), titles


def test_hostile_alert_text_is_inert_everywhere(new_page, app):
    tag = uuid.uuid4().hex[:6]
    en = {"headline": f"Benzo alert {tag} <img src=x onerror=alert(1)> read below.",
          "details": "Details: [click](javascript:alert(1)) and <script>alert(2)</script> end."}
    fr = {"headline": f"Alerte benzo {tag} <img src=x onerror=alert(1)> lire plus bas.",
          "details": "Détails : [clic](javascript:alert(1)) fin."}
    shown = clean_text(en["headline"], one_line=True)
    assert tag in shown and "onerror" not in shown
    poster = new_page()
    draft_and_submit(poster, app, en, fr)
    reviewer = new_page()
    approve(reviewer, app, shown)

    public = new_page()
    ui.open_page(public, app.url + "/alerts")
    public.get_by_text(shown, exact=True).wait_for()
    public.get_by_text("Details", exact=True).first.click()  # open every details expander on the board
    for p in (poster, reviewer, public):
        ui.wait_idle(p)
        assert p.locator("img[src='x'], img[onerror], [onerror], script:not([src])").evaluate_all(
            "els => els.filter(e => e.tagName !== 'SCRIPT' || /alert\\(/.test(e.textContent)).length") == 0
        hrefs = p.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        bad = [h for h in hrefs if re.match(r"\s*(javascript|vbscript|data):", h, re.I)]
        assert bad == [], bad
        assert ui.problems(p) == []
    main = public.locator('[data-testid="stMain"]').inner_text()
    assert "click" in main and "javascript" not in main.lower()
    assert new_page.dialogs == []
    for name, text in feed_texts(app).items():
        assert "onerror" not in text and "javascript:" not in text, name
