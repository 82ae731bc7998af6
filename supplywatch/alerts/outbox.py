"""The messages a publication owes, written by the alerts package in the transaction that publishes.

When a version becomes public (approved, or a retraction's Cancel), one row per confirmed subscriber and per
enabled webhook that wants it goes into the delivery queue (the ``deliveries`` table) inside that same
transaction: the alert and the messages it owes commit or roll back together, and no mail server is touched.
The alerts package owns this step; ``supplywatch.delivery`` only reads and settles the rows (its worker), so the
two packages import in one direction: delivery stands on alerts, never the reverse. The unique key (subscriber,
kind, alert, version) makes a second enqueue of the same version a no-op.
"""

from __future__ import annotations

import datetime as dt

from ..alert_states import SEVERITIES
from ..utc import naive_utc


def enqueue_alert(con, alert, now: dt.datetime) -> int:
    """Queue one message per confirmed subscriber and per webhook matching ``alert`` (region and minimum severity),
    and to everyone owed an earlier version of it (an update or retraction reaches whoever heard of the alert, even
    when it moved region or dropped below their minimum); return how many.

    Call inside the transaction that makes the version public (published, or a Cancel).
    Drafts and versions in review are never queued; nor are pending (unconfirmed) addresses.
    """
    if alert.status not in ("published", "cancelled"):
        return 0
    return (_enqueue(con, alert, now, "alert", "subscribers", "subscriber_id", "confirmed_at IS NOT NULL")
            + _enqueue(con, alert, now, "webhook", "webhooks", "webhook_id", "disabled_at IS NULL"))


def _enqueue(con, alert, now: dt.datetime, kind: str, table: str, id_col: str, ready: str) -> int:
    naive = naive_utc(now)
    inserted = con.execute(
        "INSERT INTO deliveries (subscriber_id, kind, alert_id, version, status, next_attempt_at, enqueued_at)"
        f" SELECT {id_col}, ?, ?, ?, 'queued', ?, ? FROM {table}"
        f" WHERE {ready} AND ((array_position(?, min_severity) <= ?"  # standard SQL: DuckDB and PostgreSQL
        " AND (coalesce(array_length(regions, 1), 0) = 0 OR regions && CAST(? AS VARCHAR[])))"
        f" OR {id_col} IN (SELECT subscriber_id FROM deliveries WHERE kind = ? AND alert_id = ?"
        " AND version < ? AND status <> 'dead'))"
        " ON CONFLICT DO NOTHING",
        [kind, alert.alert_id, int(alert.version), naive, naive, list(SEVERITIES),
         SEVERITIES.index(alert.severity) + 1, list(alert.regions), kind, alert.alert_id, int(alert.version)],
    ).fetchone()[0]
    return int(inserted)
