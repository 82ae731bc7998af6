"""Email subscribers: subscribe with double opt-in, confirm, unsubscribe (deletes the address), staff counts.

An address is stored twice, never in clear: Fernet-encrypted (to send to it) and as a
keyed hash (to find it again and to name it in the audit). Anyone may subscribe with no
account, so subscribing says the same thing whether or not the address is known (no
way to learn who subscribes), never changes a known address's choices (an unsubscribe
and a new subscription do), and asks for confirmation at most once per
:data:`CONFIRM_RESEND_AFTER`. Nothing but the confirmation request is sent before the
person follows its link.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address

from .. import auth, db
from ..alerts.model import LANGS, SEVERITIES
from ..alerts.text import clean_text
from ..messages import UserError
from . import keys

CONFIRM_RESEND_AFTER = dt.timedelta(hours=1)
# A confirmation link older than this no longer works; the unconfirmed address is then dropped by `prune`.
CONFIRM_VALID_FOR = dt.timedelta(days=7)
MAX_ADDRESS = 254  # RFC 5321 path limit


class SubscriptionError(UserError):
    """A refused subscription step, one line, translatable."""


@dataclass(frozen=True)
class Subscriber:
    """One confirmed or pending subscriber as the worker needs it (the address decrypted only here)."""

    subscriber_id: str
    address: str
    regions: tuple[str, ...]
    min_severity: str
    lang: str


def normalise_address(address: str) -> str:
    """The address parsed as an RFC 5322 addr-spec, lower case; refuses anything else (display names, CR/LF ...)."""
    text = (address or "").strip()
    if not text or len(text) > MAX_ADDRESS or any(ch.isspace() or not ch.isprintable() for ch in text):
        raise SubscriptionError("{address!r} is not an email address", address=text[:80])
    try:
        parsed = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError):
        raise SubscriptionError("{address!r} is not an email address", address=text[:80]) from None
    if not parsed.username or "." not in parsed.domain or parsed.addr_spec != text:
        raise SubscriptionError("{address!r} is not an email address", address=text[:80])
    return parsed.addr_spec.lower()


def _choices(regions, min_severity: str, lang: str) -> tuple[list[str], str, str]:
    if min_severity not in SEVERITIES:
        raise SubscriptionError("severity {severity!r}: choose one of {choices}", severity=min_severity,
                                choices=", ".join(SEVERITIES))
    if lang not in LANGS:
        raise SubscriptionError("language {lang!r}: choose one of {choices}", lang=lang, choices=", ".join(LANGS))
    cleaned = list(dict.fromkeys(r for r in (clean_text(x, one_line=True) for x in regions or ()) if r))
    return cleaned, min_severity, lang


def _audit(con, now: dt.datetime, actor: str, action: str, address_hash: str | None, detail: str | None = None):
    con.execute(
        "INSERT INTO subscription_audit (logged_at, actor, action, address_hash, detail) VALUES (?, ?, ?, ?, ?)",
        [auth.naive_utc(now), actor, action, address_hash, detail],
    )


def subscribe(address: str, regions, min_severity: str, lang: str, now: dt.datetime) -> str:
    """Record a pending subscription and queue its confirmation request; return the one-line answer to show.

    An empty ``regions`` means every region. The answer is the same for a new, pending or
    confirmed address.
    """
    keys.check()
    addr = normalise_address(address)
    regions, min_severity, lang = _choices(regions, min_severity, lang)
    address_hash = keys.keyed_hash("address", addr)
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            row = con.execute(
                "SELECT subscriber_id, confirmed_at, confirm_sent_at FROM subscribers WHERE address_hash = ?",
                [address_hash],
            ).fetchone()
            if row is None:
                subscriber_id = secrets.token_hex(16)
                con.execute(
                    "INSERT INTO subscribers (subscriber_id, address_hash, address_enc, regions, min_severity, lang,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [subscriber_id, address_hash, keys.encrypt(addr), regions, min_severity, lang,
                     auth.naive_utc(now)],
                )
                _audit(con, now, "public", "subscribed", address_hash,
                       f"regions={'; '.join(regions) or '*'} min_severity={min_severity} lang={lang}")
                _queue_confirmation(con, subscriber_id, now)
            elif row[1] is None and (row[2] is None or auth.naive_utc(now) - row[2] >= CONFIRM_RESEND_AFTER):
                _queue_confirmation(con, row[0], now)
                _audit(con, now, "public", "confirmation_resent", address_hash)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return "check your inbox: follow the link in the message we sent to confirm"


def _queue_confirmation(con, subscriber_id: str, now: dt.datetime) -> None:
    """A new opt-in token: its hash on the subscriber, the token itself encrypted on the queued request only."""
    token = keys.random_token()
    naive = auth.naive_utc(now)
    con.execute("UPDATE subscribers SET confirm_hash = ?, confirm_sent_at = ? WHERE subscriber_id = ?",
                [keys.token_hash(token), naive, subscriber_id])
    con.execute(
        "INSERT INTO deliveries (subscriber_id, kind, alert_id, version, token_enc, status, next_attempt_at,"
        " enqueued_at) VALUES (?, 'confirm', '', ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING",
        [subscriber_id, int(now.timestamp()), keys.encrypt(token), naive, naive],
    )


def confirm(token: str, now: dt.datetime) -> bool:
    """Follow a confirmation link: True when it confirmed a pending subscription (or one already confirmed)."""
    keys.check()
    token_hash = keys.token_hash(token or "")
    with db.app_connection() as con:
        row = con.execute(
            "SELECT subscriber_id, address_hash, confirm_sent_at FROM subscribers WHERE confirm_hash = ?",
            [token_hash],
        ).fetchone()
        if row is None or auth.naive_utc(now) - row[2] > CONFIRM_VALID_FOR:
            return False
        con.execute("UPDATE subscribers SET confirmed_at = ?, confirm_hash = NULL WHERE subscriber_id = ?",
                    [auth.naive_utc(now), row[0]])
        _audit(con, now, "public", "confirmed", row[1])
    return True


def unsubscribe_token(subscriber_id: str) -> str:
    """The token of a subscriber's unsubscribe link: their random id and a MAC of it (nothing stored)."""
    return f"{subscriber_id}.{keys.keyed_hash('unsubscribe', subscriber_id)[:32]}"


def unsubscribe(token: str, now: dt.datetime) -> bool:
    """One click: delete the subscriber and everything still queued for them. False for a bad or spent token."""
    keys.check()
    subscriber_id, _, mac = (token or "").partition(".")
    if not subscriber_id or not hmac.compare_digest(unsubscribe_token(subscriber_id), token):
        return False
    return _delete(subscriber_id, now, "public", "unsubscribed")


def remove(address: str, actor: str, now: dt.datetime) -> bool:
    """Staff remove an address on the person's request; False when it is not subscribed."""
    keys.check()
    address_hash = keys.keyed_hash("address", normalise_address(address))
    with db.app_connection() as con:
        row = con.execute("SELECT subscriber_id FROM subscribers WHERE address_hash = ?", [address_hash]).fetchone()
    return row is not None and _delete(row[0], now, actor, "removed")


def _delete(subscriber_id: str, now: dt.datetime, actor: str, action: str) -> bool:
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            row = con.execute("SELECT address_hash FROM subscribers WHERE subscriber_id = ?",
                              [subscriber_id]).fetchone()
            if row is None:
                con.execute("ROLLBACK")
                return False
            con.execute("DELETE FROM deliveries WHERE subscriber_id = ? AND status = 'queued'", [subscriber_id])
            con.execute("DELETE FROM subscribers WHERE subscriber_id = ?", [subscriber_id])
            _audit(con, now, actor, action, row[0])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return True


def load(con, subscriber_id: str) -> Subscriber | None:
    """A subscriber with the address decrypted, for sending; None once unsubscribed."""
    row = con.execute(
        "SELECT subscriber_id, address_enc, regions, min_severity, lang FROM subscribers WHERE subscriber_id = ?",
        [subscriber_id],
    ).fetchone()
    if row is None:
        return None
    return Subscriber(row[0], keys.decrypt(row[1]), tuple(row[2]), row[3], row[4])


def counts() -> list[dict]:
    """Confirmed subscribers per region ('*': every region) and language, for staff; no addresses."""
    with db.app_connection() as con:
        rows = con.execute(
            "SELECT region, lang, count(*) FROM ("
            " SELECT unnest(CASE WHEN coalesce(array_length(regions, 1), 0) = 0 THEN CAST(ARRAY['*'] AS VARCHAR[])"
            " ELSE regions END) AS region, lang"
            " FROM subscribers WHERE confirmed_at IS NOT NULL) AS s GROUP BY region, lang ORDER BY region, lang"
        ).fetchall()
    return [{"region": r[0], "lang": r[1], "subscribers": int(r[2])} for r in rows]


def prune(now: dt.datetime) -> int:
    """Delete addresses never confirmed within :data:`CONFIRM_VALID_FOR` (the worker calls this each round)."""
    cutoff = auth.naive_utc(now) - CONFIRM_VALID_FOR
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            gone = con.execute(
                "SELECT subscriber_id, address_hash FROM subscribers WHERE confirmed_at IS NULL AND created_at <= ?"
                " AND (confirm_sent_at IS NULL OR confirm_sent_at <= ?)", [cutoff, cutoff]).fetchall()
            for subscriber_id, address_hash in gone:
                con.execute("DELETE FROM deliveries WHERE subscriber_id = ? AND status = 'queued'", [subscriber_id])
                con.execute("DELETE FROM subscribers WHERE subscriber_id = ?", [subscriber_id])
                _audit(con, now, "worker", "expired_unconfirmed", address_hash)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return len(gone)
