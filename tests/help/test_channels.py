"""Where to get help reaches every channel: the JSON feed item (and so each webhook body), the static board, the
SMS text, the poster, and the mail (text and HTML), in English and French, only for the alert's regions."""

from __future__ import annotations

import datetime as dt
import io
import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from pypdf import PdfReader

from supplywatch import help_directory
from supplywatch.channels import feeds, poster, sms
from supplywatch.channels.board_html import board_html
from supplywatch.delivery import message, webhooks
from supplywatch.delivery.subscribers import Subscriber
from tests.channels.conftest import make_alert

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = help_directory.parse(ROOT / "tests" / "data" / "help" / "channels.csv")
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)
BASE = "https://alerts.example.org"
PAGE = f"{BASE}/alerts?alert=SW-2026-0007"


def test_json_feed_item_and_webhook_body_carry_the_entries():
    item = json.loads(feeds.json_feed([make_alert()], lang="fr", feed_url=f"{BASE}/public/feeds/alerts-fr.json",
                                      base_url=BASE, now=NOW, help_entries=ENTRIES))["items"][0]
    assert item["_supplywatch"]["help"] == [
        {"kind": "drug_checking", "kind_label": "Analyse de drogues", "region": "Vancouver Coastal",
         "name": "Analyse rue Main", "address": "301 Main St.", "hours": "mar.-dim. 11 h-19 h", "open_24_7": False,
         "phone": "555-0111", "url": "https://check.example.org/main", "notes": "Gratuit et confidentiel"},
        {"kind": "spotting_line", "kind_label": "Ligne d'accompagnement (ne consommez pas seul·e)", "region": "*",
         "name": "Ligne d'accompagnement", "address": None, "hours": "24 h sur 24, 7 jours sur 7", "open_24_7": True,
         "phone": "555-0160", "url": None, "notes": None}]
    assert json.loads(webhooks.body(make_alert(), "fr", BASE, NOW, ENTRIES)) == item
    none = json.loads(feeds.json_feed([make_alert()], lang="en", feed_url=f"{BASE}/f.json", base_url=BASE, now=NOW))
    assert none["items"][0]["_supplywatch"]["help"] == []


@pytest.mark.parametrize("lang, expected", [
    ("en", '<h3>Where to get help</h3><ul><li>Drug checking: Main St Drug Checking, 301 Main St., Tue-Sun 11-19, '
           '555-0111 (Free and confidential) <a href="https://check.example.org/main">https://check.example.org/main</a>'
           "</li><li>Spotting line (don&#x27;t use alone): Spotting Line, 24/7, 555-0160</li></ul>"),
    ("fr", "<h3>Où trouver de l&#x27;aide</h3><ul><li>Analyse de drogues : Analyse rue Main, 301 Main St., "
           "mar.-dim. 11 h-19 h, 555-0111 (Gratuit et confidentiel) "
           '<a href="https://check.example.org/main">https://check.example.org/main</a></li>'
           "<li>Ligne d&#x27;accompagnement (ne consommez pas seul·e) : Ligne d&#x27;accompagnement, "
           "24 h sur 24, 7 jours sur 7, 555-0160</li></ul>"),
])
def test_static_board_lists_them_under_the_alert(lang, expected):
    page = board_html([make_alert()], lang, None, ["Vancouver Coastal"], BASE, NOW, ENTRIES).decode()
    assert expected in page
    other = board_html([make_alert(regions=("Kootenay",))], lang, None, [], BASE, NOW, ENTRIES).decode()
    assert ("555-0160" in other) and ("555-0111" not in other)  # only everywhere-entries for another region


@pytest.mark.parametrize("lang, tail", [("en", "Help: 555-0111 " + PAGE), ("fr", "Aide: 555-0111 " + PAGE)])
def test_sms_gets_the_first_phone_when_there_is_room(lang, tail):
    short = make_alert(text={l: t.__class__(headline="Xylazine in down", details="", what_to_do="Carry naloxone.")
                             for l, t in make_alert().text.items()})
    text = sms.sms_text(short, lang, PAGE, ENTRIES)
    assert text.endswith(tail) and sms.gsm7_length(text) <= 160
    long = make_alert(text={l: t.__class__(headline="Carfentanil " * 11, details="", what_to_do="Carry naloxone.")
                            for l, t in make_alert().text.items()})
    assert sms.sms_text(long, lang, PAGE, ENTRIES) == sms.sms_text(long, lang, PAGE)  # no room: as before


@pytest.mark.parametrize("lang, lines", [
    ("en", ["Where to get help", "Drug checking: Main St Drug Checking, 301 Main St., Tue-Sun 11-19, 555-0111",
            "Spotting line (don't use alone): Spotting Line, 24/7, 555-0160"]),
    ("fr", ["Où trouver de l'aide", "Analyse de drogues : Analyse rue Main, 301 Main St., mar.-dim. 11 h-19 h, 555-0111",
            "Ligne d'accompagnement (ne consommez pas seul·e) : Ligne d'accompagnement, 24 h sur 24, 7 jours sur 7,"]),
])
def test_poster_shows_them_and_stays_one_page(lang, lines):
    reader = PdfReader(io.BytesIO(poster.poster_pdf(make_alert(), lang, PAGE, ENTRIES)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    for line in lines:
        assert line in text
    many = help_directory.parse(ROOT / "data" / "help_directory.csv")
    crowded = make_alert(regions=("Capital", "Metro"))
    assert len(PdfReader(io.BytesIO(poster.poster_pdf(crowded, lang, PAGE, many))).pages) == 1


@pytest.mark.parametrize("lang, text_part, html_part", [
    ("en", "Where to get help:\n- Drug checking: Main St Drug Checking, 301 Main St., Tue-Sun 11-19, 555-0111 (Free and"
           " confidential) https://check.example.org/main\n- Spotting line (don't use alone): Spotting Line, 24/7,"
           " 555-0160\n\n", "<h2>Where to get help</h2><ul><li>Drug checking: Main St Drug Checking"),
    ("fr", "Où trouver de l'aide :\n- Analyse de drogues : Analyse rue Main, 301 Main St., mar.-dim. 11 h-19 h, "
           "555-0111 (Gratuit et confidentiel) https://check.example.org/main\n- Ligne d'accompagnement (ne consommez "
           "pas seul·e) : Ligne d'accompagnement, 24 h sur 24, 7 jours sur 7, 555-0160\n\n",
           "<h2>Où trouver de l&#x27;aide</h2><ul><li>Analyse de drogues : Analyse rue Main"),
])
def test_mail_text_and_html_say_where(subscriber_key, lang, text_part, html_part):
    sub = Subscriber("0" * 32, "ana@outreach.example.org", ("Vancouver Coastal",), "caution", lang)
    mail = message.alert_mail(make_alert(), sub, base_url=BASE, sender="alerts@example.org", now=NOW,
                              help_entries=ENTRIES)
    parsed = message_from_bytes(mail.as_bytes(), policy=policy.default)
    plain = parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = parsed.get_body(("html",)).get_content()
    assert text_part in plain and html_part in html
    assert "<b>" not in plain + html  # markup in the file was removed when it was loaded


def test_the_worker_mails_and_posts_the_entries_it_finds_in_the_directory(inbox, draft):
    from tests.delivery.conftest import body
    from tests.delivery.test_subscriptions import drain, publish, subscribed
    from tests.delivery.test_webhooks import Receiver

    help_directory.load(ROOT / "tests" / "data" / "help" / "clean.csv", "ada", NOW)
    subscribed(inbox, "ana@outreach.example.org", lang="fr")
    receiver = Receiver()
    try:
        webhooks.register("Outreach chat", receiver.url, [], "information", "en", "ada", NOW)
        publish(draft)
        assert drain().sent == 2
        assert "- Ligne d'accompagnement (ne consommez pas seul·e) : Ligne d'accompagnement, 24 h sur 24, 7 jours " \
               "sur 7, 555-0160" in body(inbox.to("ana@outreach.example.org")[-1])
        assert [h["name"] for h in json.loads(receiver.requests[0][1])["_supplywatch"]["help"]] == ["Spotting line"]
    finally:
        receiver.stop()
