"""Atom (feedgen) and JSON Feed 1.1 documents listing active alerts, one language per file.

Entries are plain text (Atom ``type="text"``, JSON ``content_text``): no HTML ever
leaves this module, so a headline like ``<script>`` is shown, never run.
"""

from __future__ import annotations

import json
from datetime import datetime

from feedgen.feed import FeedGenerator
from lxml import etree

from .cap import CAP_LANGUAGE, sent_time
from .help_block import json_items
from .links import (
    alert_page_url, alert_static_url, cap_path, file_url, iso, plain, poster_path, safe_link, sms_path, text_for, utc,
)

FEED_TITLE = {"en": "Supply Watch drug alerts", "fr": "Alertes drogues de Supply Watch"}
REGION_TITLE = {"en": "Supply Watch drug alerts: {region}", "fr": "Alertes drogues de Supply Watch : {region}"}
SEVERITY_WORD = {
    "en": {"information": "Information", "caution": "Caution", "warning": "Warning"},
    "fr": {"information": "Information", "caution": "Prudence", "warning": "Avertissement"},
}
HEADINGS = {
    "en": ("What to do", "Regions", "Expires"),
    "fr": ("Que faire", "Régions", "Expire le"),
}


def feed_title(lang: str, region: str | None = None) -> str:
    """Title of the all-regions feed, or of one region's feed."""
    return REGION_TITLE[lang].format(region=region) if region else FEED_TITLE[lang]


def entry_text(alert, lang: str) -> str:
    """The body of a feed entry: details, what to do, regions, expiry; plain text."""
    text = text_for(alert, lang)
    todo, regions, expires = HEADINGS[lang]
    parts = [plain(text.details), f"{todo}: {plain(text.what_to_do)}"]
    if alert.regions:
        parts.append(f"{regions}: {', '.join(plain(r) for r in alert.regions)}")
    if alert.expires_at is not None:
        parts.append(f"{expires}: {iso(alert.expires_at)}")
    links = alert_links(alert)
    if links:
        parts.append("\n".join(links))
    return "\n\n".join(p for p in parts if p)


def alert_links(alert) -> list[str]:
    """The alert's extra links that are http, https, mailto or tel; anything else is dropped again here."""
    return [url for url in (safe_link(u) for u in getattr(alert, "links", ()) or ()) if url]


def entry_title(alert, lang: str) -> str:
    """'Warning: Carfentanil found in down sold as fentanyl' (the severity is a word, not a colour)."""
    return f"{SEVERITY_WORD[lang][alert.severity]}: {plain(text_for(alert, lang).headline)}"


def _ordered(alerts) -> list:
    """Newest first; at the same time the more severe first."""
    rank = {"warning": 0, "caution": 1, "information": 2}
    return sorted(alerts, key=lambda a: (-utc(sent_time(a)).timestamp(), rank.get(a.severity, 3), a.alert_id))


def atom_feed(alerts, *, lang: str, feed_url: str, base_url: str, now: datetime, region: str | None = None) -> bytes:
    """An Atom 1.0 document of ``alerts`` (already filtered to what the feed should hold)."""
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(feed_title(lang, region))
    fg.author({"name": "Supply Watch"})
    fg.link(href=feed_url, rel="self", type="application/atom+xml")
    fg.link(href=f"{base_url.rstrip('/')}/alerts", rel="alternate", type="text/html")
    fg.language(CAP_LANGUAGE[lang])
    fg.updated(utc(now))
    for alert in _ordered(alerts):
        fe = fg.add_entry(order="append")
        page = alert_static_url(base_url, alert, lang)
        # The entry id never changes (readers de-duplicate on it); the link is the alert's static page.
        fe.id(f"{alert_page_url(base_url, alert)}&version={int(alert.version)}")
        fe.title(entry_title(alert, lang))
        fe.summary(plain(text_for(alert, lang).headline), type="text")
        fe.content(entry_text(alert, lang), type="text")
        fe.link(href=page, rel="alternate", type="text/html")
        fe.link(href=file_url(base_url, cap_path(alert)), rel="alternate", type="application/cap+xml")
        fe.published(utc(sent_time(alert)))
        fe.updated(utc(sent_time(alert)))
        fe.category(term=alert.severity, label=SEVERITY_WORD[lang][alert.severity])
        for substance in alert.substances:
            fe.category(term=plain(substance))
    return _fix_entry_links(fg.atom_str(pretty=True))


def _fix_entry_links(atom: bytes) -> bytes:
    """Put back rel/type on entry links: feedgen 1.0.0 drops every attribute but href there.

    Each entry has exactly two links, written in this order: the page, then the CAP file.
    """
    root = etree.fromstring(atom)
    for entry in root.iterfind("{http://www.w3.org/2005/Atom}entry"):
        links = entry.findall("{http://www.w3.org/2005/Atom}link")
        for link, mime in zip(links, ("text/html", "application/cap+xml")):
            link.set("rel", "alternate")
            link.set("type", mime)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def json_feed(alerts, *, lang: str, feed_url: str, base_url: str, now: datetime, region: str | None = None,
              help_entries=()) -> bytes:
    """A JSON Feed 1.1 document of ``alerts``; our extra fields sit under ``_supplywatch`` (``help``: where to get
    help in the alert's regions, from the staff's help directory)."""
    items = []
    for alert in _ordered(alerts):
        page = alert_static_url(base_url, alert, lang)
        items.append(
            {
                "id": f"{alert_page_url(base_url, alert)}&version={int(alert.version)}",  # never changes (see Atom)
                "url": page,
                "title": entry_title(alert, lang),
                "summary": plain(text_for(alert, lang).headline),
                "content_text": entry_text(alert, lang),
                "date_published": iso(sent_time(alert)),
                "date_modified": iso(sent_time(alert)),
                "language": CAP_LANGUAGE[lang],
                "tags": [alert.severity, *(plain(s) for s in alert.substances), *(plain(r) for r in alert.regions)],
                "_supplywatch": {
                    "alert_id": alert.alert_id,
                    "version": int(alert.version),
                    "msg_type": alert.msg_type,
                    "severity": alert.severity,
                    "regions": [plain(r) for r in alert.regions],
                    "substances": [plain(s) for s in alert.substances],
                    "expires": iso(alert.expires_at) if alert.expires_at else None,
                    "cap": file_url(base_url, cap_path(alert)),
                    "poster": file_url(base_url, poster_path(alert, lang)),
                    "sms": file_url(base_url, sms_path(alert, lang)),
                    "links": alert_links(alert),
                    "help": json_items(alert, help_entries, lang),
                },
            }
        )
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed_title(lang, region),
        "home_page_url": f"{base_url.rstrip('/')}/alerts",
        "feed_url": feed_url,
        "language": CAP_LANGUAGE[lang],
        "authors": [{"name": "Supply Watch"}],
        "_supplywatch": {"generated_at": iso(now), "region": region},
        "items": items,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
