"""Alert versions as table rows: the columns, a row read back as an :class:`Alert`, a version inserted or its
status moved, and one audit row. Every write here runs inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import json

from .. import auth, db
from . import authorship
from .model import Alert, AlertText, as_utc

SYSTEM = "system"  # the actor audited when the app acts on its own (automatic expiry, public files)
_COLS = (
    "alert_id, version, status, msg_type, severity, text_json, substances, regions, evidence, links, created_at,"
    ' published_at, expires_at, author, approver, "references", flagged_for_review, status_reason'
)
_READ = f"{_COLS}, {authorship.AUTHORS_COLUMN}"  # what SELECTs read: the columns, then the version's authors


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return as_utc(value) if value is not None else None


def _from_row(row) -> Alert:
    texts = {lang: AlertText(**t) for lang, t in json.loads(row[5]).items()}
    return Alert(
        alert_id=row[0], version=int(row[1]), status=row[2], msg_type=row[3], severity=row[4], text=texts,
        substances=tuple(row[6]), regions=tuple(row[7]), evidence=tuple(row[8]), links=tuple(row[9]),
        created_at=_utc(row[10]), published_at=_utc(row[11]), expires_at=_utc(row[12]), author=row[13],
        approver=row[14], references=row[15], flagged_for_review=bool(row[16]), status_reason=row[17],
        authors=tuple(row[18]),
    )


def _insert(con, a: Alert) -> None:
    text_json = _text_json(a)
    con.execute(
        f"INSERT INTO alert_versions ({_COLS}) VALUES ({', '.join(['?'] * 18)})",
        [a.alert_id, a.version, a.status, a.msg_type, a.severity, text_json, list(a.substances), list(a.regions),
         list(a.evidence), list(a.links), auth.naive_utc(a.created_at),
         auth.naive_utc(a.published_at) if a.published_at else None, auth.naive_utc(a.expires_at), a.author,
         a.approver, a.references, a.flagged_for_review, a.status_reason],
    )
    authorship.record(con, a.alert_id, a.version, a.author, a.created_at)


def _set_status(con, a: Alert, status: str, **extra) -> None:
    sets = ["status = ?"]
    params: list = [status]
    for col, value in extra.items():
        sets.append(f"{col} = ?")
        params.append(auth.naive_utc(value) if isinstance(value, dt.datetime) else value)
    con.execute(
        f"UPDATE alert_versions SET {', '.join(sets)} WHERE alert_id = ? AND version = ?",
        [*params, a.alert_id, a.version],
    )


def _text_json(a: Alert) -> str:
    return json.dumps({lang: t.__dict__ for lang, t in a.text.items()}, ensure_ascii=False)


def _overwrite_draft(con, a: Alert) -> None:
    """Replace the content of a draft row (the only content update: drafts were never public)."""
    text_json = _text_json(a)
    con.execute(
        "UPDATE alert_versions SET severity = ?, text_json = ?, substances = ?, regions = ?, evidence = ?,"
        " links = ?, expires_at = ? WHERE alert_id = ? AND version = ? AND status = 'draft'",
        [a.severity, text_json, list(a.substances), list(a.regions), list(a.evidence), list(a.links),
         auth.naive_utc(a.expires_at), a.alert_id, a.version],
    )


def _audit(con, now: dt.datetime, actor: str, action: str, alert: Alert | str | None, detail: str | None = None) -> None:
    alert_id, version = (alert.alert_id, alert.version) if isinstance(alert, Alert) else (alert, None)
    con.execute(
        "INSERT INTO alert_audit (logged_at, actor, action, alert_id, version, detail) VALUES (?, ?, ?, ?, ?, ?)",
        [auth.naive_utc(now), actor, action, alert_id, version, detail],
    )


def _versions(con, alert_id: str) -> list[Alert]:
    rows = con.execute(
        f"SELECT {_READ} FROM alert_versions WHERE alert_id = ? ORDER BY version", [alert_id]
    ).fetchall()
    return [_from_row(r) for r in rows]


def _select(where: str = "", params: list | None = None, con=None) -> list[Alert]:
    if con is None:
        with db.app_connection() as own:
            return _select(where, params, own)
    rows = con.execute(f"SELECT {_READ} FROM alert_versions {where}", params or []).fetchall()
    return [_from_row(r) for r in rows]
