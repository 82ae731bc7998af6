"""The static HTML board: one page per region and language beside the feeds, readable without the dashboard."""

import datetime as dt

import pytest
from lxml import html

from supplywatch import channels
from supplywatch.alerts.model import AlertText
from supplywatch.channels.board_html import board_html

from .conftest import BASE_URL, NOW, make_alert
from .test_publish_all import scenario


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    folder = tmp_path_factory.mktemp("public")
    channels.publish_all(*scenario(), folder, BASE_URL, NOW)
    return folder


def page(public, name):
    return html.fromstring((public / "board" / name).read_bytes())


def test_one_page_per_region_and_language_named_like_the_feeds(public):
    assert sorted(p.name for p in (public / "board").iterdir()) == [
        "alerts-fr.html", "alerts.html", "fraser-fr.html", "fraser.html",
        "vancouver-coastal-fr.html", "vancouver-coastal.html",
    ]


@pytest.mark.parametrize(
    ("name", "lang", "h1", "severities", "todo"),
    [
        ("alerts.html", "en", "Drug alerts", ["⊘ WARNING", "⚠ CAUTION · UPDATED"], "What to do"),
        ("alerts-fr.html", "fr", "Alertes sur les drogues", ["⊘ AVERTISSEMENT", "⚠ PRUDENCE · MISE À JOUR"],
         "Que faire"),
        ("fraser.html", "en", "Drug alerts · Fraser", ["⚠ CAUTION · UPDATED"], "What to do"),
    ],
)
def test_page_in_its_language_most_severe_first_with_what_to_do(public, name, lang, h1, severities, todo):
    doc = page(public, name)
    assert doc.get("lang") == lang
    assert doc.findtext(".//h1") == h1
    assert [p.text_content() for p in doc.iterfind(".//article/p[@class='severity']")] == severities
    assert {h.text_content() for h in doc.iterfind(".//article/h3")} >= {todo}
    assert doc.xpath("//script") == [] and doc.xpath("//@*[starts-with(name(), 'on')]") == []


def test_every_relative_link_names_a_file_that_was_written(public):
    for name in ("alerts.html", "alerts-fr.html", "fraser-fr.html"):
        hrefs = page(public, name).xpath("//a/@href")
        local = [h for h in hrefs if not h.startswith("https://")]
        assert len(local) >= 6, hrefs
        for href in local:
            assert (public / "board" / href).resolve().is_file(), (name, href)
    fr = page(public, "alerts-fr.html").xpath("//article[1]//a/@href")
    assert fr == ["../alerts/SW-1-fr.html", "../posters/SW-1-v1-fr.pdf", "../cap/SW-1-v1.xml", "../sms/SW-1-v1-fr.txt",
                  "https://alerts.example.org/alerts?alert=SW-1&lang=fr"]


def test_alert_text_is_text():
    hostile = AlertText(headline='<script>alert(1)</script> "quoted" & co, x<y and y>z',
                        details="<img src=x onerror=alert(2)>", what_to_do="- <b>one</b>\n- two")
    alert = make_alert(text={"en": hostile, "fr": hostile}, alert_id='SW-"1')
    out = board_html([alert], "en", None, ["Fraser"], BASE_URL, NOW).decode()
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    doc = html.fromstring(out)
    # markup is stripped before any channel (supplywatch.plain_text); what is left is escaped, and reads as text
    assert doc.findtext(".//article/h2") == '"quoted" & co, x<y and y>z'
    assert "x&lt;y and y&gt;z" in out
    assert [li.text for li in doc.iterfind(".//article/ul[1]/li")] == ["one", "two"]


def test_no_active_alert_says_so():
    doc = html.fromstring(board_html([], "fr", "Fraser", ["Fraser"], BASE_URL, NOW + dt.timedelta(days=1)))
    assert doc.findtext(".//main/p") == "Aucune alerte en cours pour cette région en ce moment."
    assert doc.xpath("//nav//a[@aria-current='page']/text()") == ["Fraser"]
