"""Atom and JSON feeds parse, list active alerts newest first, and carry text, never markup."""

import datetime as dt
import json

from lxml import etree

from supplywatch.alerts.model import AlertText
from supplywatch.channels import feeds

from .conftest import BASE_URL, NOW, make_alert

ATOM = {"a": "http://www.w3.org/2005/Atom"}
FEED_URL = BASE_URL + "/public/feeds/alerts.atom"


def two_alerts():
    older = make_alert(alert_id="SW-2026-0001", severity="caution", published_at=NOW - dt.timedelta(days=2))
    newer = make_alert(alert_id="SW-2026-0002", severity="information", published_at=NOW - dt.timedelta(minutes=5))
    return older, newer


def test_atom_parses_and_lists_newest_first():
    root = etree.fromstring(feeds.atom_feed(two_alerts(), lang="en", feed_url=FEED_URL, base_url=BASE_URL, now=NOW))
    assert root.findtext("a:title", namespaces=ATOM) == "Supply Watch drug alerts"
    entries = root.findall("a:entry", ATOM)
    assert [e.findtext("a:title", namespaces=ATOM) for e in entries] == [
        "Information: Carfentanil found in down sold as fentanyl",
        "Caution: Carfentanil found in down sold as fentanyl",
    ]
    first = entries[0]
    assert first.findtext("a:id", namespaces=ATOM) == f"{BASE_URL}/alerts?alert=SW-2026-0002&version=1"
    assert first.find("a:content", ATOM).get("type") == "text"
    links = {l.get("type"): l.get("href") for l in first.findall("a:link", ATOM)}
    assert links == {
        "text/html": f"{BASE_URL}/public/alerts/SW-2026-0002.html",
        "application/cap+xml": f"{BASE_URL}/public/cap/SW-2026-0002-v1.xml",
    }
    assert first.findtext("a:updated", namespaces=ATOM) == "2026-11-27T08:55:00+00:00"


def test_french_feed_uses_french_text():
    root = etree.fromstring(
        feeds.atom_feed([make_alert()], lang="fr", feed_url=FEED_URL, base_url=BASE_URL, now=NOW, region="Île-de-Montréal")
    )
    assert root.findtext("a:title", namespaces=ATOM) == "Alertes drogues de Supply Watch : Île-de-Montréal"
    entry = root.find("a:entry", ATOM)
    assert entry.findtext("a:title", namespaces=ATOM) == (
        "Avertissement: Carfentanil trouvé dans du down vendu comme fentanyl"
    )
    assert "Que faire: Ne consommez pas seul·e." in entry.findtext("a:content", namespaces=ATOM)


def test_json_feed_1_1_shape():
    doc = json.loads(feeds.json_feed(two_alerts(), lang="en", feed_url=FEED_URL, base_url=BASE_URL, now=NOW))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == FEED_URL and doc["language"] == "en-CA"
    assert [i["_supplywatch"]["alert_id"] for i in doc["items"]] == ["SW-2026-0002", "SW-2026-0001"]
    item = doc["items"][1]
    assert item["date_published"] == "2026-11-25T09:00:00+00:00"
    assert item["_supplywatch"]["cap"] == f"{BASE_URL}/public/cap/SW-2026-0001-v1.xml"
    assert item["_supplywatch"]["expires"] == "2026-12-11T09:00:00+00:00"
    assert "content_html" not in item
    assert item["tags"] == ["caution", "carfentanil", "Vancouver Coastal", "Île-de-Montréal"]


def test_markup_in_alert_text_is_text_in_both_feeds():
    hostile = AlertText(headline="<script>alert(1)</script>", details="<img src=x onerror=alert(1)>",
                        what_to_do="[click](javascript:alert(1))")
    alert = make_alert(text={"en": hostile, "fr": hostile})
    atom = feeds.atom_feed([alert], lang="en", feed_url=FEED_URL, base_url=BASE_URL, now=NOW)
    assert b"<script>" not in atom and b"<img" not in atom
    entry = etree.fromstring(atom).find("a:entry", ATOM)
    assert entry.findtext("a:title", namespaces=ATOM) == "Warning: "  # markup stripped again (stored before nh3)
    item = json.loads(feeds.json_feed([alert], lang="en", feed_url=FEED_URL, base_url=BASE_URL, now=NOW))["items"][0]
    assert item["content_text"].startswith("What to do: [click](javascript:alert(1))")  # text, never a link
    assert "<img" not in item["content_text"] and "onerror" not in json.dumps(item)
    assert all(not k.endswith("html") for k in item)


def test_empty_feed_is_still_valid():
    root = etree.fromstring(feeds.atom_feed([], lang="en", feed_url=FEED_URL, base_url=BASE_URL, now=NOW))
    assert root.findall("a:entry", ATOM) == []
    assert root.findtext("a:updated", namespaces=ATOM) == "2026-11-27T09:00:00+00:00"


def test_only_safe_links_reach_the_feeds():
    alert = make_alert(links=("https://example.org/naloxone", "tel:+18005551234", "javascript:alert(1)",
                              "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", "mailto:hr@example.org"))
    item = json.loads(feeds.json_feed([alert], lang="en", feed_url=FEED_URL, base_url=BASE_URL, now=NOW))["items"][0]
    assert item["_supplywatch"]["links"] == ["https://example.org/naloxone", "tel:+18005551234", "mailto:hr@example.org"]
    atom = feeds.atom_feed([alert], lang="en", feed_url=FEED_URL, base_url=BASE_URL, now=NOW)
    assert b"javascript:" not in atom and b"data:text" not in atom and b"vbscript" not in atom
    assert b"https://example.org/naloxone" in atom
