"""The delivery queue: rows owed to subscribers, claimed and settled by the worker.

Publishing only inserts rows here, inside the publishing transaction (the alert and
the messages it owes commit or roll back together); no mail server is touched, so a
slow or dead one never delays an alert. The unique key (subscriber, kind, alert,
version) makes a second enqueue of the same version a no-op: at most one message per
subscriber per alert version.

A row goes ``queued -> sending -> sent``. The worker commits ``sending`` before it
hands the message to the mail server and ``sent`` right after, so a worker killed in
between leaves the row in ``sending``. Such a row is never sent again (at-most-once):
:func:`reclaim_stale` turns it into a dead letter saying it may or may not have
arrived. Failures before the message was handed over (server down, 4xx) go back to
``queued`` with backoff; a refusal (5xx) or :data:`MAX_ATTEMPTS` failures make it dead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import auth, db
from ..alerts.model import SEVERITIES

# Wait before attempt n+1 after n failures: 1, 2, 4 ... minutes, at most an hour; dead after MAX_ATTEMPTS.
BACKOFF_FIRST = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)
MAX_ATTEMPTS = 8
# A row 'sending' for longer than this belongs to a worker that died mid-send.
STALE_AFTER = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Delivery:
    delivery_id: int
    subscriber_id: str
    kind: str  # alert | confirm
    alert_id: str
    version: int
    token_enc: str | None
    attempts: int


def enqueue_alert(con, alert, now: dt.datetime) -> int:
    """Queue one message per confirmed subscriber matching ``alert`` (region and minimum severity); return how many.

    Call inside the transaction that makes the version public (published, or a Cancel).
    Drafts and versions in review are never queued; nor are pending (unconfirmed) addresses.
    """
    if alert.status not in ("published", "cancelled"):
        return 0
    naive = auth.naive_utc(now)
    inserted = con.execute(
        "INSERT INTO deliveries (subscriber_id, kind, alert_id, version, status, next_attempt_at, enqueued_at)"
        " SELECT subscriber_id, 'alert', ?, ?, 'queued', ?, ? FROM subscribers"
        " WHERE confirmed_at IS NOT NULL AND list_position(?, min_severity) <= ?"
        " AND (len(regions) = 0 OR list_has_any(regions, ?))"
        " ON CONFLICT DO NOTHING",
        [alert.alert_id, int(alert.version), naive, naive, list(SEVERITIES),
         SEVERITIES.index(alert.severity) + 1, list(alert.regions)],
    ).fetchone()[0]
    return int(inserted)


def reclaim_stale(con, now: dt.datetime) -> int:
    """Rows left 'sending' by a dead worker become dead letters (never re-sent: they may have arrived)."""
    cutoff = auth.naive_utc(now) - STALE_AFTER
    n = con.execute(
        "UPDATE deliveries SET status = 'dead', token_enc = NULL,"
        " last_error = 'the worker stopped while sending; it may or may not have arrived, so it is not sent again'"
        " WHERE status = 'sending' AND claimed_at <= ?",
        [cutoff],
    ).fetchone()[0]
    return int(n)


def due(con, now: dt.datetime, limit: int) -> list[Delivery]:
    """Queued rows whose time has come, confirmations first, then oldest first."""
    rows = con.execute(
        "SELECT delivery_id, subscriber_id, kind, alert_id, version, token_enc, attempts FROM deliveries"
        " WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY kind = 'alert', next_attempt_at, delivery_id"
        " LIMIT ?",
        [auth.naive_utc(now), limit],
    ).fetchall()
    return [Delivery(*r) for r in rows]


def claim(con, delivery: Delivery, now: dt.datetime) -> bool:
    """queued -> sending (committed before anything is sent); False when another worker took it first."""
    n = con.execute(
        "UPDATE deliveries SET status = 'sending', claimed_at = ?, attempts = attempts + 1"
        " WHERE delivery_id = ? AND status = 'queued'",
        [auth.naive_utc(now), delivery.delivery_id],
    ).fetchone()[0]
    return n == 1


def mark_sent(con, delivery: Delivery, now: dt.datetime) -> None:
    con.execute(
        "UPDATE deliveries SET status = 'sent', sent_at = ?, token_enc = NULL, last_error = NULL"
        " WHERE delivery_id = ?",
        [auth.naive_utc(now), delivery.delivery_id],
    )


def backoff(attempts: int) -> dt.timedelta:
    """Wait after ``attempts`` failures: 1, 2, 4, 8 ... minutes, capped at an hour."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def mark_failed(con, delivery: Delivery, now: dt.datetime, reason: str, permanent: bool) -> str:
    """Back to queued with backoff, or dead (refused, or out of attempts); return the new status."""
    attempts = delivery.attempts + 1  # the claim counted this attempt
    reason = (reason.splitlines()[0] if reason else "unknown error")[:300]
    if permanent or attempts >= MAX_ATTEMPTS:
        why = reason if permanent else f"gave up after {attempts} attempts: {reason}"
        con.execute("UPDATE deliveries SET status = 'dead', token_enc = NULL, last_error = ? WHERE delivery_id = ?",
                    [why, delivery.delivery_id])
        return "dead"
    con.execute(
        "UPDATE deliveries SET status = 'queued', next_attempt_at = ?, last_error = ? WHERE delivery_id = ?",
        [auth.naive_utc(now + backoff(attempts)), reason, delivery.delivery_id],
    )
    return "queued"


def drop(con, delivery: Delivery, reason: str) -> None:
    """Dead without an attempt (the subscriber left, the alert version is gone)."""
    con.execute("UPDATE deliveries SET status = 'dead', token_enc = NULL, last_error = ? WHERE delivery_id = ?",
                [reason, delivery.delivery_id])


def summary() -> dict[str, int]:
    """Rows per status, for staff and the worker's report."""
    with db.app_connection() as con:
        rows = con.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall()
    return {r[0]: int(r[1]) for r in rows}


def problems(limit: int = 200) -> list[dict]:
    """Dead letters and rows waiting for a retry, newest first, with the reason (no addresses), for staff."""
    with db.app_connection() as con:
        rows = con.execute(
            "SELECT delivery_id, kind, alert_id, version, status, attempts, last_error, next_attempt_at"
            " FROM deliveries WHERE status = 'dead' OR (status = 'queued' AND attempts > 0)"
            " ORDER BY delivery_id DESC LIMIT ?",
            [limit],
        ).fetchall()
    cols = ("delivery_id", "kind", "alert_id", "version", "status", "attempts", "reason", "next_attempt_at")
    return [dict(zip(cols, r)) for r in rows]
