"""Each alert's static page (public/alerts/<id>.html, <id>-fr.html): what every channel links to.

A crowd following an alert's link must get a static file, not a dashboard session; an old SMS or poster must still
open a page that says plainly when the alert was retracted or has ended, on the deployment's clock.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from lxml import etree, html
from pypdf import PdfReader

from supplywatch import channels, help_directory, local_time
from supplywatch.alerts.model import AlertText
from supplywatch.channels import alert_html, sms
from supplywatch.channels.links import alert_static_url
from supplywatch.delivery import keys, message, webhooks
from supplywatch.delivery.subscribers import Subscriber

from .conftest import BASE_URL, NOW, make_alert

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = help_directory.parse(ROOT / "tests" / "data" / "help" / "channels.csv")
ATOM = {"a": "http://www.w3.org/2005/Atom"}
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
PAGE = f"{BASE_URL}/public/alerts/SW-1.html"
PAGE_FR = f"{BASE_URL}/public/alerts/SW-1-fr.html"


@pytest.fixture(autouse=True)
def vancouver(monkeypatch):
    """Times on the pages are on the deployment's clock: Vancouver, PST (UTC-8) in late November."""
    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    monkeypatch.delenv("SUPPLYWATCH_PUBLIC_URL", raising=False)


def scenario():
    """SW-1 active in Vancouver Coastal; SW-2 corrected (v2 active); SW-3 retracted an hour ago with a reason;
    SW-5 ended yesterday at 17:00 UTC; SW-4 a draft."""
    warning = make_alert(alert_id="SW-1", regions=("Vancouver Coastal",))
    corrected = [make_alert(alert_id="SW-2", status="superseded", severity="caution", regions=("Fraser",)),
                 make_alert(alert_id="SW-2", version=2, msg_type="Update", references="SW-2@1", severity="caution",
                            regions=("Fraser",),
                            text={"en": AlertText("Now also in pressed pills", "Three samples.", "Test first."),
                                  "fr": AlertText("Aussi dans des comprimés pressés", "Trois.", "Faites analyser.")})]
    retracted = [make_alert(alert_id="SW-3", status="superseded", regions=("Fraser",)),
                 make_alert(alert_id="SW-3", version=2, status="cancelled", msg_type="Cancel", references="SW-3@1",
                            regions=("Fraser",), status_reason="A lab re-test found no carfentanil")]
    ended = make_alert(alert_id="SW-5", status="expired", regions=("Fraser",), severity="caution",
                       expires_at=dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.timezone.utc))
    draft = make_alert(alert_id="SW-4", status="draft", published_at=None, regions=("Interior",))
    active = [warning, corrected[1]]
    return active, [*corrected, *retracted, ended, warning, draft]


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    folder = tmp_path_factory.mktemp("public")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(local_time.ENV, "America/Vancouver")
        mp.delenv("SUPPLYWATCH_PUBLIC_URL", raising=False)
        channels.publish_all(*scenario(), folder, BASE_URL, NOW, help_entries=ENTRIES)
    return folder


def page(public, name):
    return html.fromstring((public / "alerts" / name).read_bytes())


def texts(doc, xpath):
    return [re.sub(r"[ \t\n]+", " ", e.text_content()).strip() for e in doc.xpath(xpath)]  # keeps U+202F


def test_one_page_per_alert_and_language_never_for_a_draft(public):
    assert sorted(p.name for p in (public / "alerts").iterdir()) == [
        f"SW-{n}{lang}.html" for n in (1, 2, 3, 5) for lang in ("-fr", "")]
    index = json.loads((public / "index.json").read_text())
    assert {a["alert_id"]: a["pages"] for a in index["alerts"]}["SW-3"] == {
        "en": "alerts/SW-3.html", "fr": "alerts/SW-3-fr.html"}


@pytest.mark.parametrize("name, lang, title, severity, h1, todo, help_heading", [
    ("SW-1.html", "en", "Warning: Carfentanil found in down sold as fentanyl · Supply Watch", "⊘ WARNING",
     "Carfentanil found in down sold as fentanyl", "What to do", "Where to get help"),
    ("SW-1-fr.html", "fr", "Avertissement : Carfentanil trouvé dans du down vendu comme fentanyl · Supply Watch",
     "⊘ AVERTISSEMENT", "Carfentanil trouvé dans du down vendu comme fentanyl", "Que faire",
     "Où trouver de l'aide"),
    ("SW-2.html", "en", "Caution: Now also in pressed pills · Supply Watch", "⚠ CAUTION · UPDATED",
     "Now also in pressed pills", "What to do", None),
])
def test_active_page_holds_the_boards_card_in_its_language(public, name, lang, title, severity, h1, todo,
                                                           help_heading):
    doc = page(public, name)
    assert doc.get("lang") == lang
    assert doc.findtext(".//title") == title
    assert texts(doc, "//main/p[@class='severity']") == [severity]
    assert texts(doc, "//h1") == [h1]  # one h1, the headline; the sections are h2
    assert todo in texts(doc, "//main/h2")
    if help_heading:
        assert help_heading in texts(doc, "//main/h2")
        assert any("555-0111" in li for li in texts(doc, "//main/ul/li"))  # the Main St site, from the directory
    assert doc.xpath("//header") and doc.xpath("//main") and doc.xpath("//footer")  # landmarks
    assert doc.xpath("//meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"]
    assert doc.xpath("//script") == [] and doc.xpath("//@*[starts-with(name(), 'on')]") == []
    assert doc.xpath("//div[@class='state']") == []


def test_links_from_the_page_open_files_that_were_written(public):
    for name in ("SW-1.html", "SW-1-fr.html", "SW-3-fr.html", "SW-5.html"):
        hrefs = page(public, name).xpath("//a/@href")
        local = [h for h in hrefs if not h.startswith(("https://", "tel:", "mailto:"))]
        assert len(local) == 5, hrefs  # the other language, the board, the poster, CAP, SMS
        for href in local:
            assert (public / "alerts" / href).resolve().is_file(), (name, href)
    fr = page(public, "SW-1-fr.html").xpath("//a/@href")
    assert fr[0] == "SW-1.html" and "../board/alerts-fr.html" in fr and "../posters/SW-1-v1-fr.pdf" in fr


@pytest.mark.parametrize("name, box, title", [
    ("SW-3.html", ["RETRACTED", "This alert was retracted on 2026-11-27, 12:00\u202fa.m. PST. Do not rely on it.",
                   "Why: A lab re-test found no carfentanil"], "Retracted: Carfentanil found in down sold as fentanyl"),
    ("SW-3-fr.html", ["RETIRÉE", "Cette alerte a été retirée le 2026-11-27 00 h 00 HNP. Ne vous y fiez plus.",
                      "Pourquoi : A lab re-test found no carfentanil"],
     "Retirée : Carfentanil trouvé dans du down vendu comme fentanyl"),
])
def test_retracted_page_stays_and_says_so_without_its_advice(public, name, box, title):
    doc = page(public, name)
    assert texts(doc, "//div[@class='state']/p") == box
    assert doc.findtext(".//title").startswith(title)
    # what it told people to do is withdrawn: no advice, no details, no severity to act on
    assert set(texts(doc, "//main/h2")) <= {"Where to get help", "Où trouver de l'aide"}
    assert doc.xpath("//p[@class='severity']") == []
    assert "../cap/SW-3-v2.xml" in doc.xpath("//a/@href")  # the retraction's own files


@pytest.mark.parametrize("name, box", [
    ("SW-5.html", ["ENDED", "This alert ended on 2026-11-26, 9:00\u202fa.m. PST.",
                   "Drugs like these may still be around: stay careful, and check the current alerts."]),
    ("SW-5-fr.html", ["TERMINÉE", "Cette alerte a pris fin le 2026-11-26 09 h 00 HNP.",
                      "Des drogues comme celles-ci peuvent encore circuler : restez prudent·e et consultez les "
                      "alertes en cours."]),
])
def test_ended_page_says_when_it_ended_on_the_deployments_clock(public, name, box):
    doc = page(public, name)
    assert texts(doc, "//div[@class='state']/p") == box
    assert doc.findtext(".//title").startswith(("Ended:", "Terminée :"))


def test_a_page_turns_into_a_retraction_or_an_end_when_published_again(tmp_path):
    alert = make_alert(alert_id="SW-9")
    channels.publish_all([alert], [alert], tmp_path, BASE_URL, NOW)
    assert page(tmp_path, "SW-9.html").xpath("//div[@class='state']") == []
    # no one acts: the expiry run at 10:00 UTC the day after it ended rewrites the page
    later = alert.expires_at + dt.timedelta(days=1)
    result = channels.publish_all([], [alert], tmp_path, BASE_URL, later)
    assert tmp_path / "alerts" / "SW-9.html" in result["written"]
    assert texts(page(tmp_path, "SW-9.html"), "//div[@class='state']/p")[:2] == [
        "ENDED", "This alert ended on 2026-12-11, 1:00\u202fa.m. PST."]
    cancel = make_alert(alert_id="SW-9", version=2, status="cancelled", msg_type="Cancel", references="SW-9@1",
                        published_at=later)
    channels.publish_all([], [alert, cancel], tmp_path, BASE_URL, later)
    assert texts(page(tmp_path, "SW-9-fr.html"), "//div[@class='state']/p")[0] == "RETIRÉE"


def test_hostile_text_is_shown_as_text():
    hostile = AlertText(headline='<script>alert(1)</script>"quoted" & co, x<y and y>z',
                        details="<img src=x onerror=alert(2)> <a href='javascript:alert(3)'>see</a>",
                        what_to_do="- <b>one</b>\n- <iframe src=//evil.example></iframe>two")
    alert = make_alert(text={"en": hostile, "fr": hostile}, alert_id='SW-"1<x>', regions=('<svg onload=alert(4)>',))
    for lang in ("en", "fr"):
        for active in (True, False):
            out = alert_html.alert_html(alert, lang, active, NOW).decode()
            for tag in ("<script", "<img", "<b>", "<iframe", "<svg", "javascript:", "onerror", "onload"):
                assert tag not in out, (tag, lang)
            doc = html.fromstring(out)
            assert texts(doc, "//h1") == ['"quoted" & co, x<y and y>z']
    assert texts(html.fromstring(alert_html.alert_html(alert, "en", True, NOW)), "//main/ul[1]/li") == ["one", "two"]
    assert alert_html.alert_pages([alert], set(), NOW).keys() == {"alerts/SW--1-x-.html", "alerts/SW--1-x--fr.html"}


def test_every_channel_links_to_the_page_in_its_language(public, monkeypatch):
    active, history = scenario()
    warning = active[0]
    assert (public / "sms" / "SW-1-v1-en.txt").read_text().rstrip().endswith(" " + PAGE)
    assert (public / "sms" / "SW-1-v1-fr.txt").read_text().rstrip().endswith(" " + PAGE_FR)
    for lang, url in (("en", PAGE), ("fr", PAGE_FR)):
        reader = PdfReader(io.BytesIO((public / "posters" / f"SW-1-v1-{lang}.pdf").read_bytes()))
        lines = reader.pages[0].extract_text().splitlines()
        assert url in lines  # the printed address, on one line of its own
    cap = etree.fromstring((public / "cap" / "SW-1-v1.xml").read_bytes())
    assert cap.xpath("//cap:info/cap:web/text()", namespaces=CAP) == [PAGE, PAGE_FR]
    for suffix, url in (("", PAGE), ("-fr", PAGE_FR)):
        atom = etree.fromstring((public / "feeds" / f"vancouver-coastal{suffix}.atom").read_bytes())
        entry = atom.find("a:entry", ATOM)
        assert entry.find("a:link[@type='text/html']", ATOM).get("href") == url
        # the entry id is as it always was: feed readers de-duplicate on it
        assert entry.findtext("a:id", namespaces=ATOM) == f"{BASE_URL}/alerts?alert=SW-1&version=1"
        item = json.loads((public / "feeds" / f"vancouver-coastal{suffix}.json").read_text())["items"][0]
        assert (item["url"], item["id"]) == (url, f"{BASE_URL}/alerts?alert=SW-1&version=1")
    hook = webhooks.Webhook("w1", "Outreach", "https://hooks.example.org/in", "s3cret", "fr")
    req = webhooks.request(hook, warning, 7, BASE_URL, NOW)
    assert req.get_header("X-supplywatch-alert") == PAGE_FR
    assert json.loads(req.data)["url"] == PAGE_FR
    monkeypatch.setenv(keys.ENV, keys.new_key())
    for lang, label, url in (("en", "The full alert online", PAGE), ("fr", "L’alerte complète en ligne", PAGE_FR)):
        sub = Subscriber("0" * 32, "ana@outreach.example.org", ("Vancouver Coastal",), "caution", lang)
        mail = message_from_bytes(message.alert_mail(warning, sub, base_url=BASE_URL, sender="a@example.org",
                                                     now=NOW).as_bytes(), policy=policy.default)
        assert f"{label}: {url}" in mail.get_body(("plain",)).get_content().splitlines()
        assert f'<a href="{url}">{label}</a>' in mail.get_body(("html",)).get_content()
    # every one of those addresses is a file that was written
    for url in (PAGE, PAGE_FR):
        assert (public / url.removeprefix(f"{BASE_URL}/public/")).is_file()


def test_board_links_each_alert_to_its_page(public):
    doc = html.fromstring((public / "board" / "alerts-fr.html").read_bytes())
    first = doc.xpath("//article[1]//ul[@class='files']//a")[0]
    assert (first.get("href"), first.text) == ("../alerts/SW-1-fr.html", "Cette alerte sur sa propre page (à partager)")


# 42 characters: with an id like SW-2026-0007, the French page address is exactly 70, the most an SMS keeps.
PUBLIC_42 = "https://alerts.example-region.org/p/public"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sms_keeps_the_page_link_with_a_42_character_public_address(monkeypatch, lang):
    assert len(PUBLIC_42) == 42
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_URL", PUBLIC_42)
    long = AlertText("Carfentanil and nitazenes found in down sold as fentanyl across the whole region this week",
                     "x", "Don't use alone. Carry naloxone. Start low, go slow. Call 911 in an overdose. Test first.")
    alert = make_alert(alert_id="SW-2026-0007", text={"en": long, "fr": long})
    url = alert_static_url(BASE_URL, alert, lang)
    assert len(url) == {"en": 67, "fr": 70}[lang]
    text = sms.sms_text(alert, lang, url, ENTRIES)
    assert text.endswith(" " + url) and sms.gsm7_length(text) <= 160
    monkeypatch.setenv("SUPPLYWATCH_PUBLIC_URL", PUBLIC_42 + "x")  # one more: the French link no longer fits
    longer = sms.sms_text(alert, "fr", alert_static_url(BASE_URL, alert, "fr"), ENTRIES)
    assert "https://" not in longer and sms.gsm7_length(longer) <= 160


def test_an_old_versions_sms_keeps_its_link_until_a_rebuild(tmp_path):
    """A version's files are never re-rendered on an ordinary publish; `supplywatch publish --rebuild` does it."""
    alert = make_alert(alert_id="SW-8")
    old = "WARNING: Carfentanil found in down sold as fentanyl https://alerts.example.org/alerts?alert=SW-8\n"
    (tmp_path / "sms").mkdir()
    for name in ("sms/SW-8-v1-en.txt", "sms/SW-8-v1-fr.txt", "cap/SW-8-v1.xml", "posters/SW-8-v1-en.pdf",
                 "posters/SW-8-v1-fr.pdf"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(old)
    channels.publish_all([alert], [alert], tmp_path, BASE_URL, NOW)
    assert (tmp_path / "sms" / "SW-8-v1-en.txt").read_text() == old
    channels.publish_all([alert], [alert], tmp_path, BASE_URL, NOW, rebuild=True)
    assert (tmp_path / "sms" / "SW-8-v1-en.txt").read_text().endswith(f" {BASE_URL}/public/alerts/SW-8.html\n")
