"""Reading alerts: the public board (active, past, history), one alert and its versions, the staff queue and
the audit log. Nothing here writes."""

from __future__ import annotations

import datetime as dt

from .. import auth, db
from .model import PUBLIC_STATUSES, Alert, severity_rank
from .rows import _select


def due_for_expiry(now: dt.datetime) -> list[Alert]:
    """Published versions whose expiry has passed at ``now`` (read only: what :func:`expire_due` would record)."""
    return _select("WHERE status = 'published' AND expires_at <= ? ORDER BY alert_id", [auth.naive_utc(now)])


def _board_order(alerts: list[Alert]) -> list[Alert]:
    """Most severe first, then newest first."""
    epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return sorted(alerts, key=lambda a: (-severity_rank(a.severity), -(a.published_at or epoch).timestamp(), a.alert_id))


def active_alerts(now: dt.datetime, region: str | None = None, con=None) -> list[Alert]:
    """Published versions not yet expired at ``now`` (by time alone), most severe and newest first."""
    alerts = _select("WHERE status = 'published' AND expires_at > ?", [auth.naive_utc(now)], con)
    if region:
        alerts = [a for a in alerts if region in a.regions]
    return _board_order(alerts)


def history(now: dt.datetime, con=None) -> list[Alert]:
    """Every version that was ever public (published, superseded, expired, cancelled), newest first."""
    alerts = _select(f"WHERE status IN ({', '.join(['?'] * len(PUBLIC_STATUSES))})", list(PUBLIC_STATUSES), con)
    epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return sorted(alerts, key=lambda a: (a.published_at or epoch, a.version), reverse=True)


def past_alerts(now: dt.datetime, region: str | None = None) -> list[Alert]:
    """For the public history view: the latest public version of each alert no longer active (expired or retracted)."""
    past = board(now, history(now))[1]
    return [a for a in past if not region or region in a.regions]


def board(now: dt.datetime, public: list[Alert]) -> tuple[list[Alert], list[Alert]]:
    """(active, past) for the public board at ``now`` from the public history (:func:`history`), without reading
    the file again: callers may cache the history and ask at any time."""
    active = _board_order([a for a in public if a.status == "published" and a.expires_at > now])
    active_ids = {a.alert_id for a in active}
    latest: dict[str, Alert] = {}
    for a in public:
        if a.alert_id not in latest or a.version > latest[a.alert_id].version:
            latest[a.alert_id] = a
    epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    past = sorted((a for a in latest.values() if a.alert_id not in active_ids),
                  key=lambda a: a.published_at or epoch, reverse=True)
    return active, past


def get(alert_id: str) -> Alert | None:
    """The latest version of an alert (any status), or None."""
    versions = _select("WHERE alert_id = ? ORDER BY version DESC LIMIT 1", [alert_id])
    return versions[0] if versions else None


def versions(alert_id: str) -> list[Alert]:
    """Every version of an alert, oldest first."""
    return _select("WHERE alert_id = ? ORDER BY version", [alert_id])


def staff_queue() -> list[Alert]:
    """Latest version of every alert, newest first: what the staff page lists."""
    rows = _select(
        "WHERE (alert_id, version) IN (SELECT alert_id, max(version) FROM alert_versions GROUP BY alert_id)"
        " ORDER BY created_at DESC, alert_id DESC"
    )
    return rows


def audit_log(alert_id: str | None = None, limit: int = 1000) -> list[dict]:
    """Audit rows (oldest first) for one alert or all: at (UTC), actor, action, alert_id, version, detail."""
    sql = "SELECT logged_at, actor, action, alert_id, version, detail FROM alert_audit"
    params: list = []
    if alert_id:
        sql += " WHERE alert_id = ?"
        params.append(alert_id)
    sql += " ORDER BY audit_id LIMIT ?"
    with db.app_connection() as con:
        rows = con.execute(sql, [*params, limit]).fetchall()
    return [dict(zip(("at", "actor", "action", "alert_id", "version", "detail"), r)) for r in rows]
