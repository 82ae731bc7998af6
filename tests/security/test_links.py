"""Links cannot inject: parsed (scheme, host, no breakout characters), refused in the store, dropped again by every
channel, and shown on the board by an element that takes a URL, never by markdown built around it."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import i18n, views, weblinks
from supplywatch.alerts import store
from supplywatch.alerts.text import allowed_link, escape_markdown
from supplywatch.channels import cap, feeds, links, poster, sms
from tests.browser import ui
from tests.channels.conftest import BASE_URL, NOW, make_alert
from tests.security.conftest import GOOD_LINK, HEADLINE, PIXEL

FEED = dict(feed_url=f"{BASE_URL}/public/feeds/alerts.json", base_url=BASE_URL, now=NOW)


@pytest.mark.parametrize("url, published", [
    ("https://example.org/naloxone", "https://example.org/naloxone"),
    ("  HTTPS://Example.ORG/Path?q=1#top ", "https://example.org/Path?q=1#top"),
    ("http://192.0.2.7:8080/x", "http://192.0.2.7:8080/x"),
    ("https://en.wikipedia.org/wiki/Fentanyl_(disambiguation)", "https://en.wikipedia.org/wiki/Fentanyl_(disambiguation)"),
    ("https://bücher.example/é", "https://xn--bcher-kva.example/é"),  # look-alike letters show as punycode
    ("mailto:help@example.org", "mailto:help@example.org"),
    ("mailto:help@Example.org?subject=Alert", "mailto:help@example.org?subject=Alert"),
    ("tel:+1-800-555-1234", "tel:+1-800-555-1234"),
    ("tel:+1(800)5551234", "tel:+1(800)5551234"),
])
def test_good_links_are_kept(url, published):
    assert weblinks.public_link(url) == published
    assert allowed_link(url) == published
    assert links.safe_link(url) == published


@pytest.mark.parametrize("url, why", [
    (PIXEL, "it contains '['"),
    ("https://example.org/)(x", "its parentheses are not balanced"),
    ('https://example.org/"onmouseover="alert(1)', "it contains '\"'"),
    ("https://example.org/'><img src=x>", "it contains \"'\""),
    ("https://example.org/<script>", "it contains '<'"),
    ("https://example.org/`x`", "it contains '`'"),
    ("https:\\\\evil.example", "it contains '\\\\'"),
    ("https://example.org/a b", "it contains a space or an invisible character (U+0020)"),
    ("https://example.org/\u202egnp.exe", "it contains a space or an invisible character (U+202E)"),
    ("https://exa\u200bmple.org", "it contains a space or an invisible character (U+200B)"),
    ("java\tscript:alert(1)", "it contains a space or an invisible character (U+0009)"),
    ("javascript:alert(1)", "only http, https, mailto and tel links are allowed"),
    ("JAVASCRIPT:alert(1)", "only http, https, mailto and tel links are allowed"),
    ("data:text/html;base64,PHNjcmlwdD4=", "only http, https, mailto and tel links are allowed"),
    ("vbscript:msgbox(1)", "only http, https, mailto and tel links are allowed"),
    ("ftp://example.org", "only http, https, mailto and tel links are allowed"),
    ("//example.org", "only http, https, mailto and tel links are allowed"),
    ("https://", "a https link needs a host (https://example.org/...)"),
    ("https:example.org", "a https link needs a host (https://example.org/...)"),
    ("https://example.org@evil.example/", "a user name or password before the host is not allowed"),
    ("https://intranet/x", "'intranet' is not a host name"),
    ("https://-bad-.example/", "'-bad-.example' is not a host name"),
    ("https://1.2.3.999/", "'1.2.3.999' is not a host name"),
    ("https://example.org:99999/", "it does not parse (Port out of range 0-65535)"),
    ("mailto:", "a mailto link needs one address (mailto:name@example.org)"),
    ("mailto:a@b@example.org", "a mailto link needs one address (mailto:name@example.org)"),
    ("tel:call-me", "a tel link needs a phone number (tel:+18005551234)"),
    ("", "empty"),
])
def test_bad_links_are_refused_with_the_reason(url, why):
    assert weblinks.public_link(url) is None
    assert weblinks.link_problem(url) == why
    assert allowed_link(url) is None and links.safe_link(url) is None


def test_store_refuses_the_pixel_link_naming_it(staff, now, published_calls):
    with pytest.raises(store.AlertError) as err:
        store.create_draft(text={"en": {"headline": "Nitazene found.", "details": "", "what_to_do": ""}}, severity="caution", regions=["Victoria"],
                           actor="pat", now=now, links=["https://example.org/a", PIXEL])
    assert str(err.value) == (f"link {PIXEL!r} refused: a link needs a real host or address and no spaces, quotes, "
                              "brackets or unbalanced parentheses")
    assert err.value.translated(i18n.translator("fr")) == (
        f"lien {PIXEL!r} refusé : un lien doit avoir un vrai hôte ou une vraie adresse, sans espaces, guillemets, "
        "crochets ni parenthèses non appariées")


def test_every_channel_drops_a_link_that_got_past_the_store():
    """An alert stored before the parser (or written by hand) still never carries the pixel into a channel."""
    alert = make_alert(links=("https://example.org/naloxone", PIXEL, "tel:+18005551234"))
    item = json.loads(feeds.json_feed([alert], lang="en", **FEED))["items"][0]
    assert item["_supplywatch"]["links"] == ["https://example.org/naloxone", "tel:+18005551234"]
    assert "evil.example" not in json.dumps(item)
    atom = feeds.atom_feed([alert], lang="fr", **FEED)
    assert b"evil.example" not in atom and b"https://example.org/naloxone" in atom
    assert b"evil.example" not in cap.cap_xml(alert, base_url=BASE_URL)


@pytest.mark.parametrize("base", [PIXEL, "javascript:alert(1)//", "https://example.org@evil.example", "https://a b.org"])
def test_base_url_is_parsed_like_any_link(base):
    with pytest.raises(links.ChannelError, match=r"^base_url must be an http:// or https:// address"):
        links.check_base_url(base)


def test_sms_and_poster_refuse_an_unsafe_url(alert):
    assert sms.sms_text(alert, "en", PIXEL) == sms.sms_text(alert, "en", None)
    assert "evil" not in sms.sms_text(alert, "en", PIXEL)
    with pytest.raises(links.ChannelError, match=r"^poster link refused: it contains '\['$"):
        poster.poster_pdf(alert, "en", PIXEL)


def test_board_shows_links_with_an_element_that_takes_a_url(monkeypatch, isolated_db):
    alert = make_alert(links=("https://example.org/naloxone", PIXEL, "mailto:help@example.org"))
    monkeypatch.setattr(views, "public_board", lambda now: ([alert], []))
    at = AppTest.from_file("../../app_pages/alerts_board.py", default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    markdown = "\n".join(m.value for m in at.markdown)
    assert "](" not in markdown and "evil.example" not in markdown  # no markdown link is built at all
    buttons = [(b.proto.label, b.proto.url) for b in at.get("link_button")]
    assert buttons[:2] == [("https\u2060\\://example\\.org/naloxone", "https://example.org/naloxone"),
                           ("mailto\\:help@\u2060example\\.org", "mailto:help@example.org")]
    assert all("evil.example" not in url for _, url in buttons)
    assert [label for label, _ in buttons[2:]] == ["This alert on its own page (to share)", "Printable poster (PDF)",
                                                   "CAP 1.2 XML", "SMS text", "Atom feed", "JSON feed",
                                                   "Plain web page (no app needed)"]
    assert all(url.startswith("/public/") for _, url in buttons[2:])  # our files, on this origin


@pytest.mark.parametrize("url, kept", [
    ("/public/posters/SW-2026-0001-1-en.pdf", True),
    ("/public/feeds/alerts-fr.atom", True),
    ("//evil.example/public/x.pdf", False),
    ("/public//evil.example/x", False),
    ("/public/../secrets", False),
    ("/public/x)![t](https://evil.example/pixel.png", False),
    ("javascript:alert(1)", False),
    ("/public/x\"onmouseover=alert(1)", False),
])
def test_only_our_own_public_paths_pass_as_same_origin_links(url, kept):
    from supplywatch.alerts.board import own_path
    assert (own_path(url) == url) is kept


def test_urls_written_in_alert_text_do_not_become_links():
    """Streamlit's markdown links bare URLs, www. names and e-mail addresses after escapes are resolved; an
    invisible word joiner after the scheme, www or @ keeps them text (links go through the parsed links field)."""
    assert escape_markdown('=HYPERLINK("https://evil.example") see www.evil.example or a@evil.example') == (
        '=HYPERLINK\\("https\u2060\\://evil\\.example"\\) see www\u2060\\.evil\\.example or '
        'a@\u2060evil\\.example')


@pytest.mark.browser
def test_no_visitor_fetches_the_pixel_in_chromium(page, hostile_app):
    """The attack itself: an alert holding the pixel link (stored before links were parsed) is opened on the board
    in Chromium, details expanded; the browser asks nothing of evil.example and shows only the good link."""
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    ui.open_page(page, f"{hostile_app.url}/alerts")
    shown = HEADLINE.split("evil.example", 1)[1]  # the headline's URL is shown with a word joiner (see above)
    card = page.locator('[data-testid="stVerticalBlock"]').filter(has_text=shown).last
    card.get_by_text("Details", exact=True).click()
    ui.wait_idle(page)
    assert [url for url in asked if "evil.example" in url] == []
    assert page.locator('img[src*="evil.example"]').count() == 0
    hrefs = [h for h in card.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
             if not h.startswith("#")]  # a heading's own anchor is not a link out
    assert "https://example.org/naloxone" in hrefs
    assert [h for h in hrefs if "evil" in h or ")" in h] == []  # neither the pixel nor a URL in the headline
    assert ui.problems(page) == []


@pytest.mark.browser
def test_alerts_issued_elsewhere_link_only_when_the_link_parses(page, hostile_app):
    """The ETL's own pattern lets the pixel link into the warehouse; the overview's "Read the alert" button shows
    the good link only."""
    ui.open_page(page, hostile_app.url)
    page.get_by_text("Pixel advisory", exact=False).first.wait_for()
    hrefs = page.get_by_role("link", name="Read the alert").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    assert GOOD_LINK in hrefs
    assert [h for h in hrefs if "evil" in h] == []
    assert ui.problems(page) == []
