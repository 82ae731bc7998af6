"""Every link on the public board opens what it names, on the same origin, with its real content type.

The app runs as `make run` starts it (app.py: dashboard + /public/). Before, Streamlit answered /public/... with
its own page shell, so the poster, CAP, SMS and feed links opened a blank page. Checked in English and French:
the poster is a PDF, the CAP parses with this version's identifier and headline, the SMS text is the published
file, the feeds parse and list the alert, and the static board page is plain HTML in the reader's language.
"""

import json
import uuid
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree, html

from . import ui
from .test_alerts import approve, draft_and_submit

pytestmark = pytest.mark.browser

CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ATOM = {"a": "http://www.w3.org/2005/Atom"}
TYPES = {
    "pdf": "application/pdf",
    "xml": "application/cap+xml; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def fetch(page, url: str):
    """GET ``url`` in the reader's browser context: (content type, body bytes); any status but 200 fails."""
    resp = page.request.get(url)
    assert resp.status == 200, f"{url}: HTTP {resp.status}"
    assert resp.headers["x-content-type-options"] == "nosniff", url
    return resp.headers["content-type"], resp.body()


def check_file(page, app, url: str, lang: str, headline: str) -> str:
    """Fetch one public link and check its type and content against what it names; returns its extension."""
    path = urlsplit(url).path
    assert urlsplit(url).netloc == urlsplit(app.url).netloc, f"{url} is not on the app's origin"
    assert path.startswith("/public/"), url
    ext = path.rsplit(".", 1)[-1]
    content_type, body = fetch(page, url)
    assert content_type == TYPES[ext], (url, content_type)
    assert body == (app.public / path.removeprefix("/public/")).read_bytes(), f"{url} is not the published file"
    if ext == "pdf":
        assert body.startswith(b"%PDF-")
    elif ext == "xml":
        doc = etree.fromstring(body)
        stem = path.rsplit("/", 1)[-1].removesuffix(".xml")
        assert doc.findtext("cap:identifier", namespaces=CAP) == stem
        assert headline in [h.text for h in doc.iterfind("cap:info/cap:headline", CAP)] or lang == "fr"
    elif ext == "txt":
        assert headline.split(" (")[0][:20] in body.decode("utf-8") or lang == "fr"
    elif ext == "atom":
        titles = etree.fromstring(body).xpath("//a:entry/a:title/text()", namespaces=ATOM)
        assert any(headline in t for t in titles), titles
    elif ext == "json":
        items = json.loads(body)["items"]
        assert any(headline in item["title"] for item in items), [i["title"] for i in items]
    return ext


def check_static_board(page, app, url: str, lang: str, headline: str, title: str) -> None:
    """The plain HTML board: right language, the alert with severity word and symbol, no script, live links."""
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == title
    article = page.locator("article").filter(has=page.get_by_role("heading", name=headline, exact=True))
    assert article.count() == 1
    severity = article.locator(".severity").inner_text()
    assert severity[0] in "ℹ⚠⊘" and severity[2:].split(" ·")[0] in (
        {"INFORMATION", "CAUTION", "WARNING"} if lang == "en" else {"INFORMATION", "PRUDENCE", "AVERTISSEMENT"})
    assert page.locator("script").count() == 0
    kinds = set()
    for href in article.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        target = urljoin(url, href)
        if "/public/" in target:
            kinds.add(check_file(page, app, target, lang, headline))
    assert kinds == {"html", "pdf", "xml", "txt"}  # the alert's own page, its poster, CAP file and SMS text
    feeds = page.locator("footer a[href$='.atom'], footer a[href$='.json']").evaluate_all(
        "els => els.map(e => e.href)")
    assert sorted(check_file(page, app, u, lang, headline) for u in feeds) == ["atom", "json"]


def test_every_board_link_opens_what_it_names_in_english_and_french(new_page, app):
    tag = uuid.uuid4().hex[:6]
    en, fr = ({"headline": f"{head} ({tag}).", "details": details} for head, details in (
        ("Xylazine found in down sold as fentanyl", "Three samples at the Capital site this week."),
        ("Xylazine trouvée dans du down vendu comme fentanyl", "Trois échantillons au site Capital cette semaine.")))
    draft_and_submit(new_page(), app, en, fr)  # through the staff pages, as people do it
    approve(new_page(), app, en["headline"])

    reader = new_page()
    ui.open_page(reader, app.url + "/alerts")
    for lang, text, details, plain_page in (("en", en, "Details", "Plain web page (no app needed)"),
                                            ("fr", fr, "Détails", "Page web simple (sans l'application)")):
        if lang == "fr":
            ui.choose(reader, "Language", "Français")
        headline = text["headline"]
        box = reader.locator('[data-testid="stVerticalBlock"]').filter(has_text=headline).last  # innermost card
        box.get_by_text(details, exact=True).click()
        ui.wait_idle(reader)
        links = box.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
        kinds = sorted(check_file(reader, app, u, lang, headline) for u in links if "/public/" in u)
        assert kinds == ["html", "pdf", "txt", "xml"], links
        page_end = ".html" if lang == "en" else f"-{lang}.html"
        assert all(u.endswith((f"-{lang}.pdf", f"-{lang}.txt", ".xml", page_end)) for u in links if "/public/" in u)
        assert sum("/public/alerts/" in u for u in links) == 1, links
        suffix = "" if lang == "en" else "-" + lang
        follow = {name: reader.get_by_role("link", name=name, exact=True).get_attribute("href")
                  for name in ("Atom feed" if lang == "en" else "Fil Atom",
                               "JSON feed" if lang == "en" else "Fil JSON", plain_page)}
        feed_kinds = sorted(check_file(reader, app, urljoin(reader.url, h), lang, headline)
                            for h in follow.values())
        assert feed_kinds == ["atom", "html", "json"], follow
        assert all(urlsplit(h).path.endswith(f"alerts{suffix}.{ext}")
                   for h, ext in zip(follow.values(), ("atom", "json", "html")))
        assert ui.problems(reader) == []
        title = "Drug alerts" if lang == "en" else "Alertes sur les drogues"
        check_static_board(new_page(), app, urljoin(reader.url, follow[plain_page]), lang, headline, title)

    # a region's own feeds and static page (still in French)
    ui.choose(reader, "Région", "Capital")
    hrefs = [reader.get_by_role("link", name=name, exact=True).get_attribute("href")
             for name in ("Fil Atom", "Fil JSON", "Page web simple (sans l'application)")]
    assert hrefs == ["/public/feeds/capital-fr.atom", "/public/feeds/capital-fr.json", "/public/board/capital-fr.html"]
    assert [check_file(reader, app, urljoin(reader.url, h), "fr", fr["headline"]) for h in hrefs] == [
        "atom", "json", "html"]
    check_static_board(new_page(), app, urljoin(reader.url, hrefs[2]), "fr", fr["headline"],
                       "Alertes sur les drogues · Capital")
