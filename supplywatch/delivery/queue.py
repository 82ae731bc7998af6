"""The delivery queue: rows owed to subscribers, claimed and settled by the worker.

Publishing only inserts rows here, inside the publishing transaction (the alert and
the messages it owes commit or roll back together; the alerts package owns that step,
supplywatch.alerts.outbox, and this module settles the rows); no mail server is touched,
so a slow or dead one never delays an alert. The unique key (subscriber, kind, alert,
version) makes a second enqueue of the same version a no-op: at most one message per
subscriber per alert version.

A row goes ``queued -> sending -> sent``. The worker commits a batch as ``sending``
before it hands any of it to the mail server, journals each message just before and
just after the hand-over (:mod:`.journal`), and commits the outcomes after the batch.
A worker killed mid-batch leaves rows in ``sending``; the next one settles them from
the journal (:func:`recover`): sent ones are sent, untried ones go back to the queue,
and the one message that was in the server's hands is never sent again
(at-most-once) but becomes a dead letter saying it may or may not have arrived.
Failures before the hand-over (server down, 4xx) go back to ``queued`` with backoff;
a refusal (5xx) or :data:`MAX_ATTEMPTS` failures make it dead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import auth, db
from ..alerts.outbox import enqueue_alert  # noqa: F401  (queue.enqueue_alert: the rows this queue settles)

# Wait before attempt n+1 after n failures: 1, 2, 4 ... minutes, at most an hour; dead after MAX_ATTEMPTS.
BACKOFF_FIRST = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=1)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Delivery:
    delivery_id: int
    subscriber_id: str
    kind: str  # alert | confirm
    alert_id: str
    version: int
    token_enc: str | None
    attempts: int


AMBIGUOUS = "the worker stopped while sending; it may or may not have arrived, so it is not sent again"


def recover(con, tried: set[int], sent: set[int]) -> dict[str, int]:
    """Settle rows a killed worker left in 'sending', from its journal (see :mod:`.journal`).

    Journalled as sent: sent. Journalled as tried but not sent: dead (it may have arrived; never sent twice).
    Neither: the worker never got to them, back to queued.
    """
    rows = con.execute("SELECT delivery_id FROM deliveries WHERE status = 'sending'").fetchall()
    out = {"sent": 0, "dead": 0, "queued": 0}
    for (delivery_id,) in rows:
        if delivery_id in sent:
            con.execute("UPDATE deliveries SET status = 'sent', sent_at = claimed_at, attempts = attempts + 1,"
                        " token_enc = NULL, last_error = NULL WHERE delivery_id = ?", [delivery_id])
            out["sent"] += 1
        elif delivery_id in tried:
            con.execute("UPDATE deliveries SET status = 'dead', attempts = attempts + 1, token_enc = NULL,"
                        " last_error = ? WHERE delivery_id = ?", [AMBIGUOUS, delivery_id])
            out["dead"] += 1
        else:
            out["queued"] += 1
    con.execute("UPDATE deliveries SET status = 'queued', claimed_at = NULL WHERE status = 'sending'")
    return out


def due(con, now: dt.datetime, limit: int, kinds: tuple[str, ...] | None = None) -> list[Delivery]:
    """Queued rows whose time has come, confirmations first, then oldest first; only ``kinds`` when given
    (a worker with no mail server takes webhooks only, so waiting mail never fills its batches)."""
    rows = con.execute(
        "SELECT delivery_id, subscriber_id, kind, alert_id, version, token_enc, attempts FROM deliveries"
        " WHERE status = 'queued' AND next_attempt_at <= ? AND (? OR kind = ANY(CAST(? AS VARCHAR[])))"
        " ORDER BY kind = 'alert', next_attempt_at, delivery_id LIMIT ?",
        [auth.naive_utc(now), kinds is None, list(kinds or ()), limit],
    ).fetchall()
    return [Delivery(*r) for r in rows]


def claim(con, items: list[Delivery], now: dt.datetime) -> list[Delivery]:
    """queued -> sending for ``items``, committed before anything is sent; the ones this call took."""
    if not items:
        return []
    ids = [d.delivery_id for d in items]
    taken = {r[0] for r in con.execute(
        "UPDATE deliveries SET status = 'sending', claimed_at = ? WHERE status = 'queued' AND delivery_id = ANY(?)"
        " RETURNING delivery_id", [auth.naive_utc(now), ids]).fetchall()}
    return [d for d in items if d.delivery_id in taken]


def release(con, items: list[Delivery]) -> None:
    """sending -> queued for rows claimed but never tried (the round stopped early)."""
    if items:
        con.execute("UPDATE deliveries SET status = 'queued', claimed_at = NULL WHERE status = 'sending'"
                    " AND delivery_id = ANY(?)", [[d.delivery_id for d in items]])


def mark_sent(con, items: list[Delivery], now: dt.datetime) -> None:
    if items:
        con.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, attempts = attempts + 1, token_enc = NULL,"
            " last_error = NULL WHERE delivery_id = ANY(?)",
            [auth.naive_utc(now), [d.delivery_id for d in items]],
        )


def backoff(attempts: int) -> dt.timedelta:
    """Wait after ``attempts`` failures: 1, 2, 4, 8 ... minutes, capped at an hour."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def mark_failed(con, delivery: Delivery, now: dt.datetime, reason: str, permanent: bool) -> str:
    """Back to queued with backoff, or dead (refused, or out of attempts); return the new status."""
    attempts = delivery.attempts + 1
    reason = (reason.splitlines()[0] if reason else "unknown error")[:300]
    if permanent or attempts >= MAX_ATTEMPTS:
        why = reason if permanent else f"gave up after {attempts} attempts: {reason}"
        con.execute("UPDATE deliveries SET status = 'dead', attempts = ?, token_enc = NULL, last_error = ?"
                    " WHERE delivery_id = ?", [attempts, why, delivery.delivery_id])
        return "dead"
    con.execute(
        "UPDATE deliveries SET status = 'queued', claimed_at = NULL, attempts = ?, next_attempt_at = ?,"
        " last_error = ? WHERE delivery_id = ?",
        [attempts, auth.naive_utc(now + backoff(attempts)), reason, delivery.delivery_id],
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
