"""Suggestions in the app file (``signal_suggestions``): stored once by key, read back, decided once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

import duckdb

from ..alerts.model import AlertText
from .suggestion import Suggestion

STATUSES = ("new", "accepted", "dismissed")


def _as_row(s: Suggestion, now: dt.datetime) -> list:
    text = {lang: dataclasses.asdict(t) for lang, t in s.text.items()}
    return [s.key, s.rule, s.title, s.severity, list(s.substances), list(s.regions), list(s.evidence),
            json.dumps(text, ensure_ascii=False), json.dumps(s.stats, ensure_ascii=False, default=str), now]


def save(app: duckdb.DuckDBPyConnection, suggestions: list[Suggestion], now: dt.datetime) -> list[Suggestion]:
    """Store suggestions not seen before (by key); return the new ones. Decided ones are never reopened."""
    known = {r[0] for r in app.execute("SELECT signal_key FROM signal_suggestions").fetchall()}
    new = [s for s in suggestions if s.key not in known]
    for s in new:
        app.execute(
            "INSERT INTO signal_suggestions (signal_key, rule, title, severity, substances, regions, evidence, "
            "text_json, stats_json, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _as_row(s, now),
        )
    return new


@dataclass(frozen=True)
class Stored:
    """A suggestion as stored, with its decision."""

    suggestion: Suggestion
    detected_at: dt.datetime
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None
    alert_id: str | None


def load(app: duckdb.DuckDBPyConnection, status: str | None = None) -> list[Stored]:
    """Stored suggestions (optionally of one status), newest first."""
    sql = ("SELECT signal_key, rule, title, severity, substances, regions, evidence, text_json, stats_json, "
           "detected_at, status, decided_by, decided_at, reason, alert_id FROM signal_suggestions")
    params: list = []
    if status:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        sql += " WHERE status = ?"
        params.append(status)
    rows = app.execute(sql + " ORDER BY detected_at DESC, signal_key", params).fetchall()
    out = []
    for row in rows:
        text = {lang: AlertText(**t) for lang, t in json.loads(row[7]).items()}
        suggestion = Suggestion(rule=row[1], key=row[0], title=row[2], severity=row[3], substances=tuple(row[4]),
                                regions=tuple(row[5]), evidence=tuple(row[6]), text=text,
                                stats=json.loads(row[8]) if row[8] else {})
        out.append(Stored(suggestion, row[9], row[10], row[11], row[12], row[13], row[14]))
    return out


class DecisionError(ValueError):
    """A decision that cannot be recorded (no reason, already decided, unknown key)."""


def _open_one(app: duckdb.DuckDBPyConnection, key: str) -> Stored:
    match = [s for s in load(app) if s.suggestion.key == key]
    if not match:
        raise DecisionError(f"no signal suggestion with key {key!r}")
    if match[0].status != "new":
        raise DecisionError(f"suggestion {key!r} was already {match[0].status} by {match[0].decided_by}")
    return match[0]


def dismiss(app: duckdb.DuckDBPyConnection, key: str, actor: str, reason: str, now: dt.datetime) -> None:
    """Record that ``actor`` dismissed the suggestion, with the reason they gave (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError("a reason is needed to dismiss a suggestion")
    _open_one(app, key)
    app.execute(
        "UPDATE signal_suggestions SET status = 'dismissed', decided_by = ?, decided_at = ?, reason = ? "
        "WHERE signal_key = ? AND status = 'new'",
        [actor, now, reason, key],
    )


def mark_accepted(app: duckdb.DuckDBPyConnection, key: str, actor: str, alert_id: str, now: dt.datetime) -> None:
    """Record that ``actor`` accepted the suggestion into the draft ``alert_id``."""
    _open_one(app, key)
    app.execute(
        "UPDATE signal_suggestions SET status = 'accepted', decided_by = ?, decided_at = ?, alert_id = ? "
        "WHERE signal_key = ? AND status = 'new'",
        [actor, now, alert_id, key],
    )
