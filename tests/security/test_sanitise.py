"""Text is plain everywhere: every payload of a published XSS evasion list, cleaned as the store cleans alert text,
leaves no tag in any channel (board, alert page, JSON feed, Atom, CAP, SMS, poster), and ordinary text with < and > survives."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from supplywatch import views
from supplywatch.alerts import store
from supplywatch.alerts.model import AlertText
from supplywatch.alerts.text import clean_text
from supplywatch.channels import alert_html, cap, feeds, poster, sms
from tests.channels.conftest import BASE_URL, NOW, make_alert

LIST = Path(__file__).parents[1] / "data" / "security" / "xss_evasion.txt"
PAYLOADS = [line.replace("\\n", "\n") for line in LIST.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("# ")]
FEED = dict(feed_url=f"{BASE_URL}/public/feeds/alerts.json", base_url=BASE_URL, now=NOW)

# Element names a browser gives meaning to (HTML, obsolete HTML, SVG, MathML): written here independently of the
# code under test, so the check does not share its blind spots.
KNOWN = set("""a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big blink
blockquote body br button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir
div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr
html i iframe image img input ins isindex kbd keygen label layer legend li link listing main map mark marquee math
menu meta meter nav nobr noembed noframes noscript object ol optgroup option output p param picture plaintext pre
progress q rp rt ruby s samp script section select slot small source span strike strong style sub summary sup svg
table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr xml xmp animate set
foreignobject g path use text mglyph mtext mi mo mn ms""".split())


class _Tags(HTMLParser):
    """Collects what a browser would treat as markup: a known element (start or end), any element carrying an
    attribute with a value (event handlers, URLs), comments, declarations and processing instructions."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in KNOWN or any(value is not None for _, value in attrs):
            self.found.append(self.get_starttag_text())

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in KNOWN:
            self.found.append(f"</{tag}>")

    def handle_comment(self, data):
        self.found.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.found.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.found.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.found.append(f"<![{data}]>")


def tags_in(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.found


def test_the_checker_sees_tags():
    """The checker itself: it must catch what the sanitiser must remove, and let plain sentences through."""
    assert tags_in("<svg/onload=alert(5)>") == ["<svg/onload=alert(5)>"]
    assert tags_in("a <x onclick=alert(1)>b") == ["<x onclick=alert(1)>"]
    assert tags_in("<!-- x -->") == ["<!-- x -->"]
    assert tags_in("x<y and y>z") == [] and tags_in("counts < 5 and > 2") == []


def test_the_issue_payload_leaves_nothing():
    assert clean_text("<svg/onload=alert(5)> <<img src=x onerror=alert(1)>img src=x onerror=alert(2)>") == ""


@pytest.mark.parametrize("text", [
    "x<y and y>z",
    "Start low (<a quarter point) and wait; doses >0.1 mg hit hard",
    "counts < 5 and > 2 & rising",
    "AT&T <5 deaths, >3 visits",
    "p<0.05; a<b, b>c",
    "<3 the crew at 5<>6 St",
    "Dose 1/4 point -> wait 5 min => then more",
    "Fentanyl « très fort » : dose < 1 point",
])
def test_ordinary_text_with_angle_brackets_survives(text):
    assert clean_text(text) == text


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"line{i}" for i in range(len(PAYLOADS))])
def test_no_tag_survives_cleaning(payload):
    for one_line in (False, True):
        cleaned = clean_text(payload, one_line=one_line)
        assert tags_in(cleaned) == [], cleaned
        assert clean_text(cleaned, one_line=one_line) == cleaned  # stable: cleaning again changes nothing
        assert not re.search(r"(?i)\bon[a-z]+\s*=|javascript\s*:", cleaned), cleaned


def test_the_list_is_the_published_one():
    assert len(PAYLOADS) == 164
    assert "<svg/onload=alert(5)> <<img src=x onerror=alert(1)>img src=x onerror=alert(2)>" in PAYLOADS
    assert """<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>""" in PAYLOADS


def _payload_alert(chunk: list[str], stored_raw: bool = False):
    """An alert whose every field holds payloads, cleaned as the store cleans them (limits aside), or with
    ``stored_raw`` as written (a version stored before nh3 cleaned text: the channels must still emit no tag)."""
    clean = (lambda text, one_line=False: text) if stored_raw else clean_text
    body = clean("\n".join(chunk))
    text = AlertText(headline=clean(" ".join(chunk), one_line=True) or "x", details=body, what_to_do=body)
    return make_alert(text={"en": text, "fr": text}, regions=(clean(chunk[0], one_line=True) or "North",),
                      substances=(clean(chunk[-1], one_line=True) or "fentanyl",))


CHUNKS = [PAYLOADS[i:i + 20] for i in range(0, len(PAYLOADS), 20)]


@pytest.mark.parametrize("stored_raw", [False, True], ids=["cleaned", "stored-raw"])
@pytest.mark.parametrize("chunk", CHUNKS, ids=[f"lines{i * 20}-" for i in range(len(CHUNKS))])
def test_no_tag_reaches_feeds_cap_or_sms(chunk, stored_raw):
    alert = _payload_alert(chunk, stored_raw)
    for lang in ("en", "fr"):
        item = json.loads(feeds.json_feed([alert], lang=lang, **FEED))["items"][0]
        for value in (item["title"], item["summary"], item["content_text"], *item["tags"]):
            assert tags_in(value) == [], value
        atom = etree.fromstring(feeds.atom_feed([alert], lang=lang, **FEED))
        for value in atom.itertext():
            assert tags_in(value) == [], value
        message = sms.sms_text(alert, lang, f"{BASE_URL}/alerts?alert=SW-2026-0007")
        assert tags_in(message) == [], message
    document = etree.fromstring(cap.cap_xml(alert, base_url=BASE_URL))
    assert cap.validation_errors(cap.cap_xml(alert, base_url=BASE_URL)) == []
    for value in document.itertext():
        assert tags_in(value) == [], value


@pytest.mark.parametrize("stored_raw", [False, True], ids=["cleaned", "stored-raw"])
def test_no_tag_reaches_the_poster(stored_raw):
    alert = _payload_alert(PAYLOADS[:80], stored_raw)
    pdf = poster.poster_pdf(alert, "en", f"{BASE_URL}/alerts?alert=SW-2026-0007")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Carry" not in text and tags_in(text) == []
    assert "xxs link" in text  # the payloads' plain words are there: the text was read, not lost


def test_the_store_cleans_and_the_board_shows_no_tag(staff, now, published_calls, monkeypatch):
    payload = "<svg/onload=alert(5)> <<img src=x onerror=alert(1)>img src=x onerror=alert(2)> Nitazene found."
    details = '<a onmouseover="alert(document.cookie)">xxs link</a>'
    assert details in PAYLOADS
    draft = store.create_draft(text={"en": {"headline": payload, "details": details, "what_to_do": ""}},
                               severity="caution", regions=["Victoria"], actor="pat", now=now)
    assert draft.text["en"].headline == "Nitazene found."
    assert draft.text["en"].details == "xxs link"
    alert = _payload_alert(PAYLOADS[:40])
    monkeypatch.setattr(views, "public_board", lambda now: ([alert], []))
    at = AppTest.from_file("../../app_pages/alerts_board.py", default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [re.sub(r"\\(.)", r"\1", e.value) for e in [*at.markdown, *at.caption]]  # markdown escapes undone
    assert any("xxs link" in s for s in shown)
    for value in shown:
        assert tags_in(value) == [], value


# The only elements the static alert page's template writes; anything else came from alert text.
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "main", "footer", "nav", "div", "p", "a",
             "h1", "h2", "ul", "li"}


@pytest.mark.parametrize("stored_raw", [False, True], ids=["cleaned", "stored-raw"])
@pytest.mark.parametrize("chunk", CHUNKS, ids=[f"lines{i * 20}-" for i in range(len(CHUNKS))])
def test_no_tag_reaches_the_static_alert_page(chunk, stored_raw):
    """The page every SMS, poster and feed links to: active, ended and retracted (with a hostile reason)."""
    alert = _payload_alert(chunk, stored_raw)
    retracted = dataclasses.replace(alert, version=2, msg_type="Cancel", status="cancelled",
                                    status_reason="\n".join(chunk))
    for version, active in ((alert, True), (alert, False), (retracted, False)):
        for lang in ("en", "fr"):
            out = alert_html.alert_html(version, lang, active, NOW).decode()
            doc = lxml_html.document_fromstring(out)
            assert {el.tag for el in doc.iter() if isinstance(el.tag, str)} <= PAGE_TAGS
            assert not [name for el in doc.iter() if isinstance(el.tag, str) for name in el.attrib
                        if name.lower().startswith("on")]
            assert all(href.startswith(("../", "SW-")) for href in doc.xpath("//a/@href")), doc.xpath("//a/@href")
            for value in doc.itertext():
                assert tags_in(value) == [], value
