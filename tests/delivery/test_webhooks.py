"""Webhooks against a real HTTP server on loopback: signed JSON feed items, retries, refusals, registration."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from supplywatch import db
from supplywatch.channels.feeds import json_feed
from supplywatch.delivery import queue, webhooks
from supplywatch.delivery.subscribers import SubscriptionError

from .test_subscriptions import NOW, drain, publish, rows

pytestmark = pytest.mark.usefixtures("app_backend")  # webhooks on the app file and in PostgreSQL alike


class Receiver:
    """An HTTP server recording each POST; answers with the queued statuses, then 200."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                payload = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, payload))
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/supplywatch"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(inbox):
    r = Receiver()
    yield r
    r.stop()


def test_each_alert_version_is_posted_as_its_signed_json_feed_item(receiver, draft):
    hook_id, secret = webhooks.register("Island SMS gateway", receiver.url, ["Victoria"], "caution", "fr", "ada", NOW)
    alert = publish(draft)
    publish(draft, regions=("Nanaimo",))  # another region: not sent
    assert drain().sent == 1
    [(headers, payload)] = receiver.requests
    assert webhooks.verify(secret, headers, payload, NOW)
    assert not webhooks.verify("another secret", headers, payload, NOW)
    assert not webhooks.verify(secret, headers, payload + b" ", NOW)
    assert not webhooks.verify(secret, headers, payload, NOW + dt.timedelta(minutes=6))  # replayed later
    expected = json.loads(json_feed([alert], lang="fr", feed_url="https://alerts.example.org/public/feeds/alerts-fr.json",
                                    base_url="https://alerts.example.org", now=NOW))["items"][0]
    assert json.loads(payload) == expected
    assert expected["_supplywatch"]["cap"] == "https://alerts.example.org/public/cap/SW-2026-0001-v1.xml"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["x-supplywatch-delivery"] == str(rows("SELECT delivery_id FROM deliveries WHERE kind = 'webhook'")[0][0])
    assert rows("SELECT subscriber_id, status FROM deliveries WHERE kind = 'webhook'") == [(hook_id, "sent")]


def test_a_receiver_that_was_down_gets_it_on_the_retry_and_a_refusal_is_dead(receiver, draft):
    webhooks.register("Outreach chat", receiver.url, [], "information", "en", "ada", NOW)
    receiver.statuses = [503]
    publish(draft)
    report = drain()
    assert (report.sent, report.retried) == (0, 1)
    assert [p["reason"] for p in queue.problems()] == [f"webhook {receiver.url.split('/')[2]} answered 503"]
    assert drain(NOW + dt.timedelta(minutes=1)).sent == 1
    assert len(receiver.requests) == 2 and receiver.requests[0][1] == receiver.requests[1][1]
    host = receiver.url.split("/")[2]
    receiver.statuses = [410, 302]
    publish(draft)
    publish(draft)
    assert drain().dead == 2
    assert rows("SELECT status, last_error FROM deliveries WHERE kind = 'webhook' ORDER BY delivery_id")[-2:] == [
        ("dead", f"webhook {host} answered 410"),
        ("dead", f"webhook {host} answered 302: redirects are not followed, register the final address")]


@pytest.mark.parametrize("url", ["http://gateway.example.org/hook", "ftp://x.example.org/", "javascript:alert(1)",
                                 "https://", ""])
def test_only_https_or_loopback_receivers(isolated_db, subscriber_key, url):
    with pytest.raises(SubscriptionError, match="refused: use an https:// address"):
        webhooks.register("Org", url, [], "caution", "en", "ada", NOW)


def test_url_and_secret_are_stored_encrypted(isolated_db, subscriber_key):
    _, secret = webhooks.register("Org", "https://hooks.example.org/t/abc123", [], "caution", "en", "ada", NOW)
    [(url_enc, secret_enc)] = rows("SELECT url_enc, secret_enc FROM webhooks")
    assert "abc123" not in url_enc and secret not in secret_enc
    with db.app_connection() as con:
        hook = webhooks.load(con, rows("SELECT webhook_id FROM webhooks")[0][0])
    assert (hook.url, hook.secret) == ("https://hooks.example.org/t/abc123", secret)


def test_staff_register_list_and_remove_webhooks_from_the_command_line(isolated_db, subscriber_key, capsys):
    from supplywatch import cli

    assert cli.main(["webhooks", "add", "Island SMS gateway", "https://sms.example.org/in/t0ken",
                     "--regions", "Victoria,Nanaimo", "--min-severity", "warning", "--lang", "fr"]) == 0
    added, secret_line = capsys.readouterr().out.splitlines()
    hook_id = added.removeprefix("added ")
    assert secret_line.startswith("signing secret (shown once, pass it on safely): ")
    assert cli.main(["webhooks", "list"]) == 0
    assert capsys.readouterr().out == f"{hook_id}  Island SMS gateway  sms.example.org  Victoria, Nanaimo  warning  fr\n"
    assert cli.main(["webhooks", "remove", hook_id]) == 0
    assert cli.main(["webhooks", "remove", hook_id]) == 0
    assert capsys.readouterr().out == "removed\nno such webhook\n"
    assert cli.main(["webhooks", "add", "Org", "http://gateway.example.org/"]) == 1
    assert capsys.readouterr().err == "error: webhook 'http://gateway.example.org/' refused: use an https:// address\n"


def test_a_disabled_webhook_is_sent_nothing_until_enabled_again(receiver, draft, capsys):
    from supplywatch import cli

    hook_id, _secret = webhooks.register("Outreach chat", receiver.url, [], "information", "en", "ada", NOW)
    first = publish(draft)
    assert cli.main(["webhooks", "disable", hook_id]) == 0  # queued before it was disabled: dropped, not sent
    assert drain().dead == 1
    assert receiver.requests == []
    assert rows("SELECT status, last_error FROM deliveries WHERE kind = 'webhook'") == [
        ("dead", "the webhook was removed or disabled")]
    publish(draft)
    assert rows("SELECT count(*) FROM deliveries WHERE kind = 'webhook'") == [(1,)]  # nothing queued while disabled
    assert cli.main(["webhooks", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("  information  en  disabled")
    assert cli.main(["webhooks", "enable", hook_id]) == 0
    assert cli.main(["webhooks", "enable", "wh-none"]) == 0
    assert capsys.readouterr().out == "enabled\nno such webhook\n"
    publish(draft)
    assert drain().sent == 1 and len(receiver.requests) == 1
    assert [r[0] for r in rows("SELECT action FROM subscription_audit WHERE action LIKE 'webhook_%' ORDER BY audit_id")] \
        == ["webhook_added", "webhook_disabled", "webhook_enabled"]
    assert first.alert_id
