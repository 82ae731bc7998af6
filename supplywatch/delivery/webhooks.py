"""Webhooks: organisations' own receivers (chat tool, SMS gateway, their system), registered by staff.

Each alert version is POSTed as JSON: exactly the item the JSON feed carries for it
(so one parser reads both; the CAP file is linked in ``_supplywatch.cap``). Every
request is signed with the webhook's own secret:

    X-SupplyWatch-Timestamp: 1764230400
    X-SupplyWatch-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
    X-SupplyWatch-Delivery: <delivery id>   (the same on a retry: receivers can drop repeats)

A receiver recomputes the HMAC over the raw body and refuses a timestamp more than
five minutes old (:func:`verify` does both). The URL must be https, except to a
loopback address (a gateway on the same machine). URL and secret are stored encrypted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from .. import auth, db
from ..channels.feeds import json_feed
from ..channels.links import alert_static_url, feed_path, file_url
from . import keys
from .smtp import SendFailed
from .subscribers import SubscriptionError, _choices

TIMEOUT = 10  # seconds: a slow receiver must not hold up the others
MAX_AGE = 300  # seconds a receiver should accept a timestamp for


@dataclass(frozen=True)
class Webhook:
    webhook_id: str
    name: str
    url: str
    secret: str
    lang: str


def check_url(url: str) -> str:
    """``url`` if it is https (or http to a loopback address) with a host; otherwise a one-line refusal."""
    parts = urlsplit((url or "").strip())
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not host or parts.scheme not in ("https", "http") or (parts.scheme == "http" and not loopback):
        raise SubscriptionError("webhook {url!r} refused: use an https:// address", url=url)
    return parts.geturl()


def register(name: str, url: str, regions, min_severity: str, lang: str, actor: str, now: dt.datetime) -> tuple[str, str]:
    """Store a webhook; return (id, signing secret). The secret is shown once, to pass to the organisation."""
    keys.check()
    url = check_url(url)
    regions, min_severity, lang = _choices(regions, min_severity, lang)
    name = " ".join((name or "").split())
    if not name:
        raise SubscriptionError("a webhook needs the organisation's name")
    webhook_id, secret = "wh-" + secrets.token_hex(8), secrets.token_urlsafe(32)
    with db.app_connection() as con:
        con.execute("INSERT INTO webhooks (webhook_id, name, url_enc, secret_enc, regions, min_severity, lang,"
                    " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [webhook_id, name, keys.encrypt(url), keys.encrypt(secret), regions, min_severity, lang, actor,
                     auth.naive_utc(now)])
        con.execute("INSERT INTO subscription_audit (logged_at, actor, action, address_hash, detail)"
                    " VALUES (?, ?, 'webhook_added', NULL, ?)", [auth.naive_utc(now), actor, f"{webhook_id} {name}"])
    return webhook_id, secret


def remove(webhook_id: str, actor: str, now: dt.datetime) -> bool:
    """Delete a webhook and what is still queued for it; False when there is none with that id."""
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        gone = con.execute("DELETE FROM webhooks WHERE webhook_id = ? RETURNING webhook_id", [webhook_id]).fetchall()
        if gone:
            con.execute("DELETE FROM deliveries WHERE subscriber_id = ? AND status = 'queued'", [webhook_id])
            con.execute("INSERT INTO subscription_audit (logged_at, actor, action, address_hash, detail)"
                        " VALUES (?, ?, 'webhook_removed', NULL, ?)", [auth.naive_utc(now), actor, webhook_id])
        con.execute("COMMIT")
    return bool(gone)


def set_disabled(webhook_id: str, disabled: bool, actor: str, now: dt.datetime) -> bool:
    """Pause (nothing is queued for it, and what is queued is dropped when its turn comes) or resume a webhook;
    False when there is none with that id."""
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        found = con.execute("UPDATE webhooks SET disabled_at = ? WHERE webhook_id = ? RETURNING webhook_id",
                            [auth.naive_utc(now) if disabled else None, webhook_id]).fetchall()
        if found:
            con.execute("INSERT INTO subscription_audit (logged_at, actor, action, address_hash, detail)"
                        " VALUES (?, ?, ?, NULL, ?)",
                        [auth.naive_utc(now), actor, "webhook_disabled" if disabled else "webhook_enabled", webhook_id])
        con.execute("COMMIT")
    return bool(found)


def listing() -> list[dict]:
    """Registered webhooks for staff: id, organisation, host only (never the path, which may hold a token)."""
    with db.app_connection() as con:
        rows = con.execute("SELECT webhook_id, name, url_enc, regions, min_severity, lang, disabled_at IS NOT NULL"
                           " FROM webhooks ORDER BY created_at, webhook_id").fetchall()
    return [{"webhook_id": r[0], "name": r[1], "host": urlsplit(keys.decrypt(r[2])).netloc, "regions": list(r[3]),
             "min_severity": r[4], "lang": r[5], "disabled": bool(r[6])} for r in rows]


def load(con, webhook_id: str) -> Webhook | None:
    row = con.execute("SELECT webhook_id, name, url_enc, secret_enc, lang FROM webhooks WHERE webhook_id = ?"
                      " AND disabled_at IS NULL", [webhook_id]).fetchone()
    return Webhook(row[0], row[1], keys.decrypt(row[2]), keys.decrypt(row[3]), row[4]) if row else None


def body(alert, lang: str, base_url: str, now: dt.datetime, help_entries=()) -> bytes:
    """The JSON feed's item for ``alert`` in ``lang``, as bytes: the same document a feed reader gets."""
    feed = json_feed([alert], lang=lang, feed_url=file_url(base_url, feed_path(None, lang, "json")),
                     base_url=base_url, now=now, help_entries=help_entries)
    return json.dumps(json.loads(feed)["items"][0], ensure_ascii=False).encode("utf-8")


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), str(timestamp).encode() + b"." + payload, hashlib.sha256).hexdigest()


def verify(secret: str, headers, payload: bytes, now: dt.datetime) -> bool:
    """What a receiver does: the signature matches the raw body and the timestamp is fresh (header names in any case)."""
    lower = {str(k).lower(): str(v) for k, v in dict(headers).items()}
    try:
        timestamp = int(lower["x-supplywatch-timestamp"])
    except (KeyError, ValueError):
        return False
    fresh = abs(now.timestamp() - timestamp) <= MAX_AGE
    return fresh and hmac.compare_digest(signature(secret, timestamp, payload), lower.get("x-supplywatch-signature", ""))


def request(hook: Webhook, alert, delivery_id: int, base_url: str, now: dt.datetime,
            help_entries=()) -> urllib.request.Request:
    payload = body(alert, hook.lang, base_url, now, help_entries)
    timestamp = int(now.timestamp())
    return urllib.request.Request(hook.url, data=payload, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "SupplyWatch-webhook/1",
        "X-SupplyWatch-Timestamp": str(timestamp), "X-SupplyWatch-Signature": signature(hook.secret, timestamp, payload),
        "X-SupplyWatch-Delivery": str(delivery_id), "X-SupplyWatch-Alert": alert_static_url(base_url, alert, hook.lang),
    })


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET without its body (or send it where staff did not register)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(req: urllib.request.Request) -> None:
    """Send or raise :class:`SendFailed` (4xx but 408/429: permanent; 5xx, timeouts, refused: try again)."""
    host = urlsplit(req.full_url).netloc
    try:
        with _OPENER.open(req, timeout=TIMEOUT) as resp:
            resp.read(1024)
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise SendFailed(f"webhook {host} answered {exc.code}: redirects are not followed, register the final "
                             "address", permanent=True) from None
        raise SendFailed(f"webhook {host} answered {exc.code}",
                         permanent=400 <= exc.code < 500 and exc.code not in (408, 429)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendFailed(f"webhook {host} not reached: {type(reason).__name__}: {reason}".splitlines()[0],
                         permanent=False) from None
