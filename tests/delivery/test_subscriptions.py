"""Subscriptions end to end through a real SMTP server on the loopback interface: double opt-in, what is sent
in each language, headers, unsubscribe, and nothing for drafts or unconfirmed addresses."""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import pytest

from supplywatch import db, local_time
from supplywatch.alerts import store
from supplywatch.delivery import keys, queue, subscribers, worker
from supplywatch.delivery.subscribers import SubscriptionError

from .conftest import body, confirm_token

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone.utc)
ANA = "ana@outreach.example.org"
pytestmark = pytest.mark.usefixtures("app_backend")  # subscribers on the app file and in PostgreSQL alike
BEA = "bea@pharmacie.example.org"


def drain(at=NOW):
    return worker.drain(now=lambda: at)


def publish(draft, **kw):
    alert = draft(**kw)
    store.submit_for_review(alert.alert_id, "pat", NOW)
    return store.approve(alert.alert_id, "rae", NOW)


def subscribed(inbox, address, regions=("Victoria",), min_severity="caution", lang="en"):
    """Subscribe and follow the confirmation link from the mail the server received."""
    subscribers.subscribe(address, regions, min_severity, lang, NOW)
    drain()
    assert subscribers.confirm(confirm_token(inbox.to(address)[-1]), NOW)


def rows(sql, params=()):
    with db.app_connection() as con:
        return con.execute(sql, list(params)).fetchall()


def test_nothing_but_the_confirmation_before_the_link_is_followed(inbox, draft):
    answer = subscribers.subscribe(ANA, ["Victoria"], "caution", "en", NOW)
    assert answer == "check your inbox: follow the link in the message we sent to confirm"
    publish(draft)
    report = drain()
    assert (report.sent, report.retried, report.dead) == (1, 0, 0)
    [mail] = inbox.to(ANA)
    assert mail["Subject"] == "Confirm your Supply Watch drug alert subscription"
    assert mail["From"] == "Supply Watch <alerts@supplywatch.test>"
    assert "for: Victoria." in body(mail)
    assert rows("SELECT count(*) FROM deliveries WHERE kind = 'alert'") == [(0,)]

    assert subscribers.confirm(confirm_token(mail), NOW) is True
    second = publish(draft, severity="warning")
    assert drain().sent == 1
    assert [m["Subject"] for m in inbox.to(ANA)][1] == (
        "Warning: Carfentanil found in down sold as fentanyl.")
    assert rows("SELECT alert_id, version, status FROM deliveries WHERE kind = 'alert'") == [
        (second.alert_id, 1, "sent")]


def test_a_wrong_or_late_confirmation_link_confirms_nothing(inbox):
    subscribers.subscribe(ANA, [], "information", "en", NOW)
    drain()
    token = confirm_token(inbox.to(ANA)[0])
    assert subscribers.confirm(token[:-1] + ("A" if token[-1] != "A" else "B"), NOW) is False
    assert subscribers.confirm(token, NOW + dt.timedelta(days=7, seconds=1)) is False
    assert rows("SELECT confirmed_at FROM subscribers") == [(None,)]


def test_address_and_tokens_are_never_stored_in_clear(inbox, subscriber_key, app_backend):
    subscribers.subscribe(ANA, ["Victoria"], "caution", "en", NOW)
    drain()
    token = confirm_token(inbox.to(ANA)[0])
    [(address_enc, address_hash, confirm_hash)] = rows(
        "SELECT address_enc, address_hash, confirm_hash FROM subscribers")
    assert confirm_hash == hashlib.sha256(token.encode()).hexdigest()
    assert address_hash == keys.keyed_hash("address", ANA)
    assert ANA not in address_enc and keys.decrypt(address_enc) == ANA
    assert rows("SELECT token_enc FROM deliveries") == [(None,)]  # erased once sent
    audit = rows("SELECT action, address_hash, detail FROM subscription_audit ORDER BY audit_id")
    assert audit == [("subscribed", address_hash, "regions=Victoria min_severity=caution lang=en")]
    if app_backend == "file":  # the file's bytes too (PostgreSQL's were checked through the rows above)
        app_file = db.app_db_path()
        with duckdb.connect(str(app_file)) as con:
            con.execute("CHECKPOINT")
        raw = app_file.read_bytes()
        assert ANA.encode() not in raw and token.encode() not in raw


def test_subscribing_a_known_address_changes_nothing_and_says_the_same(inbox):
    subscribed(inbox, ANA, regions=("Victoria",), min_severity="warning")
    answer = subscribers.subscribe(ANA, ["Nanaimo"], "information", "fr", NOW + dt.timedelta(hours=2))
    assert answer == "check your inbox: follow the link in the message we sent to confirm"
    assert rows("SELECT regions, min_severity, lang FROM subscribers") == [(["Victoria"], "warning", "en")]
    assert drain().sent == 0


@pytest.mark.parametrize("lang, subject, todo, until, page_label, poster", [
    ("en", "Caution: Carfentanil found in down sold as fentanyl.", "What to do: - Carry naloxone.",
     "Until: 2026-12-11, 12:00\u202fa.m. PST", "The full alert online: https://alerts.example.org/public/alerts/SW-2026-0001.html",
     "Poster to print (PDF): https://alerts.example.org/public/posters/SW-2026-0001-v1-en.pdf"),
    ("fr", "Prudence: Carfentanil trouvé dans du down vendu comme fentanyl.", "Que faire: - Ayez de la naloxone.",
     "Jusqu’au: 2026-12-11 00 h 00 HNP",
     "L’alerte complète en ligne: https://alerts.example.org/public/alerts/SW-2026-0001-fr.html",
     "Affiche à imprimer (PDF): https://alerts.example.org/public/posters/SW-2026-0001-v1-fr.pdf"),
])
def test_alert_mail_in_the_subscribers_language(inbox, draft, monkeypatch, lang, subject, todo, until, page_label,
                                                poster):
    # the alert runs until 08:00 UTC on 11 December: midnight starting that day in Vancouver (PST, UTC-8)
    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    subscribed(inbox, ANA, lang=lang)
    publish(draft)
    drain()
    mail = inbox.to(ANA)[-1]
    assert mail["Subject"] == subject
    assert mail["Content-Language"] == lang
    text = body(mail)
    assert text.startswith(subject + "\n\n")
    for line in (todo, until, page_label, poster):  # the link is the alert's static page in the reader's language
        assert line in text.splitlines()
    assert ("Régions: Victoria" if lang == "fr" else "Regions: Victoria") in text.splitlines()
    html = body(mail, "html")
    assert f"<h1>{subject}</h1>" in html
    page = page_label.rpartition(": ")[2]
    assert f'<a href="{page}">{page_label.rpartition(": ")[0]}</a>' in html
    assert "<img" not in html  # no tracking pixels


@pytest.mark.parametrize("lang, until", [
    ("en", "Until: 2026-12-10, 6:30\u202fp.m. PST"),
    ("fr", "Jusqu’au: 2026-12-10 18 h 30 HNP"),
])
def test_mail_until_is_the_deployments_day_and_time(monkeypatch, lang, until):
    # 02:30 UTC on 11 December is still the evening of the 10th in Vancouver (PST, UTC-8)
    from supplywatch.delivery.message import alert_mail
    from supplywatch.delivery.subscribers import Subscriber
    from tests.channels.conftest import make_alert

    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    monkeypatch.setenv(keys.ENV, keys.new_key())
    alert = make_alert(expires_at=dt.datetime(2026, 12, 11, 2, 30))
    mail = alert_mail(alert, Subscriber("0" * 32, ANA, ("Victoria",), "caution", lang),
                      base_url="https://alerts.example.org", sender="a@b.example", now=NOW)
    assert until in mail.get_body(preferencelist=("plain",)).get_content().splitlines()


def test_alert_text_is_escaped_in_the_html_part():
    from supplywatch.alerts.model import AlertText
    from supplywatch.delivery.message import alert_mail
    from supplywatch.delivery.subscribers import Subscriber
    from tests.channels.conftest import make_alert

    text = AlertText(headline="Pills <script>alert(1)</script> & more", details="<img src=x onerror=alert(1)>"
                     " Doses of x<y mg and y>z mg", what_to_do="Test <b>first</b>")
    alert = make_alert(text={"en": text}, links=("javascript:alert(1)", "https://help.example.org/?a=1&b=2"))
    sub = Subscriber("0" * 32, ANA, ("Victoria",), "caution", "en")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(keys.ENV, keys.new_key())
        html = alert_mail(alert, sub, base_url="https://alerts.example.org", sender="a@b.example", now=NOW
                          ).get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html and "<img" not in html and "<b>" not in html and "javascript:" not in html
    # markup is stripped before any channel (supplywatch.plain_text); what is left is escaped
    assert "<h1>Warning: Pills &amp; more</h1>" in html
    assert "<p>Doses of x&lt;y mg and y&gt;z mg</p>" in html
    assert '<a href="https://help.example.org/?a=1&amp;b=2">' in html


def test_headers_unsubscribe_in_one_click_and_thread_updates(inbox, draft, make_text):
    subscribed(inbox, ANA)
    first = publish(draft)
    drain()
    mail = inbox.to(ANA)[-1]
    [(subscriber_id,)] = rows("SELECT subscriber_id FROM subscribers")
    token = subscribers.unsubscribe_token(subscriber_id)
    assert mail["List-Unsubscribe"] == f"<https://alerts.example.org/subscribe?unsubscribe={token}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Message-ID"].strip() == f"<SW-2026-0001.v1.{subscriber_id}@supplywatch.test>"
    assert mail["In-Reply-To"] is None

    store.correct(first.alert_id, actor="pat", now=NOW, text=make_text(headline="Carfentanil in down: update."),
                  severity="caution", regions=("Victoria",), substances=("carfentanil",))
    store.submit_for_review(first.alert_id, "pat", NOW)
    store.approve(first.alert_id, "rae", NOW)
    store.retract(first.alert_id, "rae", "samples re-tested negative", NOW)
    drain()
    update, cancel = inbox.to(ANA)[-2:]
    assert update["Subject"] == "Update: Caution: Carfentanil in down: update."
    assert update["In-Reply-To"].strip() == mail["Message-ID"].strip() == update["References"].strip()
    assert cancel["Subject"] == "Retracted: Caution: Carfentanil in down: update."
    assert cancel["In-Reply-To"].strip() == f"<SW-2026-0001.v2.{subscriber_id}@supplywatch.test>"
    assert "This alert was retracted: disregard the earlier message about it." in body(cancel)


def test_unsubscribe_deletes_the_address_and_what_is_queued(inbox, draft, subscriber_key):
    subscribed(inbox, ANA)
    publish(draft)  # queued, not yet sent
    [(subscriber_id, address_hash)] = rows("SELECT subscriber_id, address_hash FROM subscribers")
    token = subscribers.unsubscribe_token(subscriber_id)
    assert subscribers.unsubscribe(token[:-1] + ("0" if token[-1] != "0" else "1"), NOW) is False
    assert subscribers.unsubscribe(token, NOW) is True
    assert rows("SELECT count(*) FROM subscribers") == [(0,)]
    assert rows("SELECT kind, status FROM deliveries ORDER BY delivery_id") == [("confirm", "sent")]
    assert rows("SELECT action, address_hash FROM subscription_audit WHERE action = 'unsubscribed'") == [
        ("unsubscribed", address_hash)]
    assert subscribers.unsubscribe(token, NOW) is False
    publish(draft)
    assert drain().sent == 0
    assert len(inbox.to(ANA)) == 1  # the confirmation only


def test_staff_remove_an_address_on_request(inbox):
    subscribed(inbox, ANA)
    assert subscribers.remove(" ANA@outreach.example.org ", "ada", NOW) is True
    assert subscribers.remove(ANA, "ada", NOW) is False
    assert rows("SELECT actor, action FROM subscription_audit WHERE action = 'removed'") == [("ada", "removed")]


def test_drafts_reviews_and_unconfirmed_addresses_get_nothing(inbox, draft):
    subscribers.subscribe(ANA, [], "information", "en", NOW)  # never confirmed
    subscribed(inbox, BEA, regions=(), min_severity="information")
    pending = draft()
    store.submit_for_review(pending.alert_id, "pat", NOW)
    draft()
    assert rows("SELECT count(*) FROM deliveries WHERE kind = 'alert'") == [(0,)]
    store.approve(pending.alert_id, "rae", NOW)
    drain()
    assert [m["Subject"] for m in inbox.to(ANA)] == ["Confirm your Supply Watch drug alert subscription"]
    assert len(inbox.to(BEA)) == 2


@pytest.mark.parametrize("regions, min_severity, expected", [
    ((), "information", ["caution Nanaimo", "information Victoria", "warning Victoria"]),
    (("Victoria",), "information", ["information Victoria", "warning Victoria"]),
    (("Victoria", "Nanaimo"), "caution", ["caution Nanaimo", "warning Victoria"]),
    (("Nanaimo",), "warning", []),
])
def test_only_matching_regions_and_severities_are_sent(inbox, draft, make_text, regions, min_severity, expected):
    subscribed(inbox, ANA, regions=regions, min_severity=min_severity)
    for severity, region in (("information", "Victoria"), ("caution", "Nanaimo"), ("warning", "Victoria")):
        publish(draft, severity=severity, regions=(region,), text=make_text(headline=f"{severity} {region}."))
    drain()
    got = [m["Subject"].split(": ", 1)[1].rstrip(".") for m in inbox.to(ANA)[1:]]
    assert sorted(got) == expected


def test_a_version_is_queued_at_most_once_per_subscriber(inbox, draft):
    subscribed(inbox, ANA)
    alert = publish(draft)
    with db.app_connection() as con:
        assert queue.enqueue_alert(con, alert, NOW) == 0
    assert rows("SELECT count(*) FROM deliveries WHERE kind = 'alert'") == [(1,)]


@pytest.mark.parametrize("address, expected", [
    ("  Ana@Outreach.Example.ORG ", "ana@outreach.example.org"),
    ("a.b+alerts@x.example", "a.b+alerts@x.example"),
])
def test_addresses_are_normalised(address, expected):
    assert subscribers.normalise_address(address) == expected


@pytest.mark.parametrize("address", [
    "ana@example.org\r\nBcc: everyone@example.org", "Ana <ana@example.org>", "ana", "ana@localhost", "",
    "ana@@example.org", "a" * 250 + "@example.org",
])
def test_anything_but_one_address_is_refused(address):
    with pytest.raises(SubscriptionError, match="is not an email address"):
        subscribers.normalise_address(address)


def test_subscriptions_refuse_to_start_without_a_key(isolated_db, monkeypatch):
    monkeypatch.delenv(keys.ENV, raising=False)
    with pytest.raises(keys.KeyMissing, match="^subscriptions are off: set SUPPLYWATCH_SUBSCRIBER_KEY to a key"):
        subscribers.subscribe(ANA, [], "caution", "en", NOW)
    monkeypatch.setenv(keys.ENV, "not-a-key")
    with pytest.raises(keys.KeyMissing, match="^SUPPLYWATCH_SUBSCRIBER_KEY is not a valid key"):
        subscribers.subscribe(ANA, [], "caution", "en", NOW)
    assert rows("SELECT count(*) FROM subscribers") == [(0,)]


def test_staff_counts_per_region_and_language(inbox):
    subscribed(inbox, ANA, regions=("Victoria", "Nanaimo"), lang="fr")
    subscribed(inbox, BEA, regions=(), lang="en")
    subscribers.subscribe("pending@example.org", ["Victoria"], "caution", "en", NOW)
    assert subscribers.counts() == [
        {"region": "*", "lang": "en", "subscribers": 1},
        {"region": "Nanaimo", "lang": "fr", "subscribers": 1},
        {"region": "Victoria", "lang": "fr", "subscribers": 1},
    ]


def test_whoever_got_an_alert_gets_its_update_and_retraction_even_outside_their_choices(inbox, draft, make_text):
    """A correction may move an alert to another region or lower its severity; people told of the first version
    must still hear that it changed or was retracted."""
    subscribed(inbox, ANA, regions=("Victoria",), min_severity="warning")
    subscribed(inbox, BEA, regions=("Nanaimo",), min_severity="warning")
    first = publish(draft, severity="warning")
    drain()
    store.correct(first.alert_id, actor="pat", now=NOW, text=make_text(headline="Only in Nanaimo after all."),
                  severity="caution", regions=("Nanaimo",), substances=("carfentanil",))
    store.submit_for_review(first.alert_id, "pat", NOW)
    store.approve(first.alert_id, "rae", NOW)
    store.retract(first.alert_id, "rae", "samples re-tested negative", NOW)
    drain()
    assert [m["Subject"] for m in inbox.to(ANA)[1:]] == [
        "Warning: Carfentanil found in down sold as fentanyl.",
        "Update: Caution: Only in Nanaimo after all.",
        "Retracted: Caution: Only in Nanaimo after all.",
    ]
    assert len(inbox.to(BEA)) == 1  # a caution is below Bea's minimum, and she never got this alert


def test_a_line_break_in_a_headline_cannot_add_mail_headers():
    from supplywatch.alerts.model import AlertText
    from supplywatch.delivery.message import alert_mail
    from supplywatch.delivery.subscribers import Subscriber
    from tests.channels.conftest import make_alert

    text = AlertText(headline="Pills\r\nBcc: everyone@example.org", details="d", what_to_do="w")
    sub = Subscriber("0" * 32, ANA, (), "caution", "en")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(keys.ENV, keys.new_key())
        mail = alert_mail(make_alert(text={"en": text}), sub, base_url="https://alerts.example.org",
                          sender="a@b.example", now=NOW)
    assert mail["Subject"] == "Warning: Pills Bcc: everyone@example.org"
    assert mail["Bcc"] is None
    headers = mail.as_string().split("\n\n", 1)[0]
    assert "\nBcc:" not in headers
