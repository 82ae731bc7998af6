"""The alert lifecycle on the app file: every version kept, every change and refusal audited.

draft -> in_review -> published -> expired (CAP 1.2 states). A correction is a new
version (msgType Update) that goes through review again and, once approved,
supersedes the version it references. A retraction is a new Cancel version published
at once by a reviewer; it stays visible as retracted. Rows are never deleted; the
only update is a version's status transition (plus who approved it and when).

Every function takes ``actor`` (a username, re-read from the database so a disabled
or demoted user loses access at once) and ``now`` (UTC) for frozen-clock tests.
After a change the public sees, :func:`refresh_public` rewrites the static channel
files; a channel failure is audited and reported to staff, never undoes the change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterator

import duckdb

from .. import auth, db
from ..delivery import queue as delivery_queue
from ..messages import UserError
from ..weblinks import WRONG_SCHEME, link_problem
from . import authorship, settings
from .model import PUBLIC_STATUSES, SEVERITIES, Alert, AlertText, as_utc, severity_rank
from .text import TextError, allowed_link, check_field, clean_text

SYSTEM = "system"
DRAFTERS = ("poster", "reviewer")
REVIEWERS = ("reviewer",)
_COLS = (
    "alert_id, version, status, msg_type, severity, text_json, substances, regions, evidence, links, created_at,"
    ' published_at, expires_at, author, approver, "references", flagged_for_review, status_reason'
)
_READ = f"{_COLS}, {authorship.AUTHORS_COLUMN}"  # what SELECTs read: the columns, then the version's authors


class AlertError(UserError):
    """A refused lifecycle step; one line saying why, translatable with ``translated(_)``."""


class ConcurrentChange(AlertError):
    """Another session changed the same rows in the same moment; nothing was written, trying again is safe."""


@dataclass(frozen=True)
class PublishOutcome:
    """Result of rewriting the public files: ok, and a one-line message for staff."""

    ok: bool
    message: str


# ---------------------------------------------------------------- rows <-> Alert

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


# ---------------------------------------------------------------- checks

def _rollback(con) -> None:
    """Roll back if a transaction is still open (a failed COMMIT has already rolled back)."""
    with contextlib.suppress(duckdb.TransactionException):
        con.execute("ROLLBACK")


@contextlib.contextmanager
def _step(actor: str, action: str, alert_id: str | None, now: dt.datetime, roles: tuple[str, ...]) -> Iterator:
    """One lifecycle step in one transaction: role re-checked from the database, refusals audited."""
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            row = con.execute("SELECT role, disabled FROM users WHERE username = ?", [actor]).fetchone()
            if row is None or row[1]:
                raise AlertError("{actor!r} is not an active staff account", actor=actor)
            if not auth.has_role(row[0], *roles):
                raise AlertError("{action} needs the {roles} role; {actor} is {role}", action=action,
                                 roles=" or ".join(roles), actor=actor, role=row[0])
            yield con
            con.execute("COMMIT")
        except (AlertError, TextError) as exc:
            _rollback(con)
            _audit(con, now, actor, "refused", alert_id, f"{action}: {exc}")
            raise AlertError(exc.template, **exc.params) from None
        except (duckdb.TransactionException, duckdb.ConstraintException):  # another session changed the same rows at the same moment
            _rollback(con)
            _audit(con, now, actor, "refused", alert_id, f"{action}: concurrent change")
            raise ConcurrentChange("{alert_id} was changed by someone else at the same moment; reload and try again",
                                   alert_id=alert_id or "") from None
        except BaseException:
            _rollback(con)
            raise


def _latest(con, alert_id: str) -> Alert:
    versions = _versions(con, alert_id)
    if not versions:
        raise AlertError("no alert {alert_id!r}", alert_id=alert_id)
    return versions[-1]


def _expect(alert: Alert, *statuses: str) -> None:
    if alert.status not in statuses:
        wanted = " or ".join(s.replace("_", " ") for s in statuses)
        raise AlertError("{key} is {status}, not {wanted}", key=alert.key, status=alert.status.replace("_", " "),
                         wanted=wanted)


def _clean_texts(text: dict, complete: bool) -> dict[str, AlertText]:
    """Cleaned EN/FR text; a draft needs only the English headline, review needs everything."""
    out = {}
    for lang in ("en", "fr"):
        t = text.get(lang)
        if t is None and not complete and lang == "fr":
            continue
        if t is None:
            raise TextError("{name} ({lang}): required", name="headline", lang=lang)
        t = t if isinstance(t, AlertText) else AlertText(**t)
        out[lang] = AlertText(
            headline=check_field("headline", lang, t.headline, required=complete or lang == "en"),
            details=check_field("details", lang, t.details, required=False),
            what_to_do=check_field("what_to_do", lang, t.what_to_do, required=complete),
        )
    return out


def _clean_list(values, what: str, required: bool = False) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(v for v in (clean_text(x, one_line=True) for x in (values or ())) if v))
    if required and not items:
        raise TextError("{what}: at least one is required", what=what)
    return items


def _clean_links(values) -> tuple[str, ...]:
    out = []
    for value in values or ():
        good = allowed_link(value)
        if good is None and link_problem(value) == WRONG_SCHEME:
            raise TextError("link {link!r} refused: only http, https, mailto and tel links are allowed", link=value)
        if good is None:
            raise TextError("link {link!r} refused: a link needs a real host or address and no spaces, quotes, "
                            "brackets or unbalanced parentheses", link=value)
        out.append(good)
    return tuple(out)


def _clean_expiry(severity: str, expires_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if severity not in SEVERITIES:
        raise TextError("severity {severity!r}: choose one of {choices}", severity=severity, choices=", ".join(SEVERITIES))
    now = as_utc(now)
    expires = as_utc(expires_at) if expires_at else now + settings.DEFAULT_LIFETIME[severity]
    if expires <= now:
        raise TextError("expiry must be in the future")
    if expires - now > settings.MAX_LIFETIME:
        raise TextError("expiry must be within {days} days", days=settings.MAX_LIFETIME.days)
    return expires


def _complete(alert: Alert) -> None:
    """Refuse review of an alert without full English and French text."""
    _clean_texts({k: v for k, v in alert.text.items()}, complete=True)


# ---------------------------------------------------------------- lifecycle

def _new_id(con, now: dt.datetime) -> str:
    prefix = f"{settings.alert_prefix()}-{as_utc(now).year}-"
    n = con.execute(
        "SELECT count(DISTINCT alert_id) FROM alert_versions WHERE starts_with(alert_id, ?)", [prefix]
    ).fetchone()[0]
    return f"{prefix}{n + 1:04d}"


def _draft_version(alert_id: str, version: int, msg_type: str, references: str | None, author: str,
                   now: dt.datetime, fields: dict) -> Alert:
    """A draft version from user-supplied fields, every one cleaned and checked.

    ``fields``: text ({'en'|'fr': AlertText or dict}), severity, substances, regions,
    evidence, links, expires_at (default: the severity's lifetime).
    """
    unknown = set(fields) - {"text", "severity", "substances", "regions", "evidence", "links", "expires_at"}
    if unknown:
        raise TypeError(f"unknown alert fields: {', '.join(sorted(unknown))}")
    severity = fields.get("severity", "")
    return Alert(
        alert_id=alert_id, version=version, status="draft", msg_type=msg_type, severity=severity,
        text=_clean_texts(fields.get("text") or {}, complete=False),
        substances=_clean_list(fields.get("substances"), "substances"),
        regions=_clean_list(fields.get("regions"), "regions", required=True),
        evidence=_clean_list(fields.get("evidence"), "evidence"), links=_clean_links(fields.get("links")),
        created_at=as_utc(now), published_at=None,
        expires_at=_clean_expiry(severity, fields.get("expires_at"), now), author=author, approver=None,
        references=references, authors=(author,),
    )


def create_draft(
    *, actor: str, now: dt.datetime, **fields,
) -> Alert:
    """A new alert, version 1, in draft (fields as in :func:`_draft_version`).

    Two drafts created in the same moment may pick the same next id; the loser tries again with the next one.
    """
    for attempt in range(5):
        try:
            with _step(actor, "create draft", None, now, DRAFTERS) as con:
                alert = _draft_version(_new_id(con, now), 1, "Alert", None, actor, now, fields)
                _insert(con, alert)
                _audit(con, now, actor, "created", alert, f"severity={alert.severity}")
            return alert
        except ConcurrentChange:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def revise_draft(
    alert_id: str, *, actor: str, now: dt.datetime, **fields,
) -> Alert:
    """Replace the content of a version still in draft (never public); the audit keeps the previous text.

    The reviser becomes one of the version's authors (so a reviewer who edits can no longer approve it); a poster
    may revise only a draft they wrote."""
    with _step(actor, "revise draft", alert_id, now, DRAFTERS) as con:
        old = _latest(con, alert_id)
        _expect(old, "draft")
        _refuse_poster_unless_author(con, actor, old,
                                     "{actor} did not write {key}: posters revise only their own drafts")
        new = _draft_version(old.alert_id, old.version, old.msg_type, old.references, old.author, now, fields)
        _overwrite_draft(con, new)
        authorship.record(con, old.alert_id, old.version, actor, now)
        previous = {lang: t.__dict__ for lang, t in old.text.items()}
        _audit(con, now, actor, "revised", new, json.dumps({"previous": previous, "severity": old.severity},
                                                           ensure_ascii=False))
        done = _latest(con, alert_id)
    return done


def submit_for_review(alert_id: str, actor: str, now: dt.datetime) -> Alert:
    """draft -> in_review; needs complete English and French text."""
    with _step(actor, "submit for review", alert_id, now, DRAFTERS) as con:
        alert = _latest(con, alert_id)
        _refuse_if_retracted(con, alert)
        _expect(alert, "draft")
        _refuse_poster_unless_author(con, actor, alert,
                                     "{actor} did not write {key}: posters submit only their own drafts")
        _complete(alert)
        if as_utc(alert.expires_at) <= as_utc(now):
            raise AlertError("{key} expires before it could be published; revise the expiry", key=alert.key)
        _set_status(con, alert, "in_review", status_reason=None)
        _audit(con, now, actor, "submitted", alert)
        done = _latest(con, alert_id)
    return done


def _refuse_poster_unless_author(con, actor: str, alert: Alert, refusal: str) -> None:
    """Posters act only on drafts they wrote; reviewers (and admins) may work on anyone's."""
    role = con.execute("SELECT role FROM users WHERE username = ?", [actor]).fetchone()[0]
    if not auth.has_role(role, *REVIEWERS) and actor not in alert.authors:
        raise AlertError(refusal, actor=actor, key=alert.key)


def _refuse_if_retracted(con, alert: Alert) -> None:
    public = [v for v in _versions(con, alert.alert_id) if v.status in PUBLIC_STATUSES]
    if public and public[-1].msg_type == "Cancel":
        raise AlertError("{alert_id} was retracted ({key}); start a new alert instead", alert_id=alert.alert_id,
                         key=public[-1].key)


def approve(alert_id: str, actor: str, now: dt.datetime) -> Alert:
    """in_review -> published by someone who wrote none of it (or an author alone for a warning when the deployment
    allows it, flagged for a second look)."""
    with _step(actor, "approve", alert_id, now, REVIEWERS) as con:
        alert = _latest(con, alert_id)
        _refuse_if_retracted(con, alert)
        _expect(alert, "in_review")
        if as_utc(alert.expires_at) <= as_utc(now):
            raise AlertError("{key} has already expired; return it to draft and set a new expiry", key=alert.key)
        flagged = False
        action = "published"
        if actor in alert.authors:
            if not settings.single_person_publish(alert.severity):
                raise AlertError(
                    "{actor} wrote {key} and cannot approve it: another reviewer must (two-person rule)",
                    actor=actor, key=alert.key,
                )
            flagged, action = True, "published_single_person"
        if alert.references:
            old_id, _, old_version = alert.references.partition("@")
            old = next((v for v in _versions(con, old_id) if v.version == int(old_version)), None)
            if old is not None and old.status == "published":
                _set_status(con, old, "superseded")
                _audit(con, now, actor, "superseded", old, f"by {alert.key}")
        _set_status(con, alert, "published", approver=actor, published_at=now, flagged_for_review=flagged)
        _audit(con, now, actor, action, alert, "flagged for review: single-person publish" if flagged else None)
        done = _latest(con, alert_id)
        delivery_queue.enqueue_alert(con, done, now)  # same transaction: the alert and the mail it owes
    refresh_public(now, actor)
    return done


def second_look(alert_id: str, actor: str, now: dt.datetime) -> Alert:
    """A second reviewer confirms an alert that one person published alone; clears its flag (audited)."""
    with _step(actor, "second look", alert_id, now, REVIEWERS) as con:
        alert = _latest(con, alert_id)
        if not alert.flagged_for_review:
            raise AlertError("{key} is not waiting for a second look", key=alert.key)
        if actor == alert.approver:
            raise AlertError("{actor} published {key} alone; the second look must be someone else's", actor=actor,
                             key=alert.key)
        if actor in alert.authors:
            raise AlertError("{actor} wrote {key}; the second look must come from someone who did not", actor=actor,
                             key=alert.key)
        _set_status(con, alert, alert.status, flagged_for_review=False)
        _audit(con, now, actor, "second_look", alert, f"confirms the single-person publish by {alert.approver}")
        done = _latest(con, alert_id)
    return done


def return_to_draft(alert_id: str, actor: str, reason: str, now: dt.datetime) -> Alert:
    """in_review -> draft with the reviewer's reason."""
    with _step(actor, "return to draft", alert_id, now, REVIEWERS) as con:
        alert = _latest(con, alert_id)
        _expect(alert, "in_review")
        why = clean_text(reason, one_line=True)
        if not why:
            raise AlertError("a reason is required to return an alert to draft")
        _set_status(con, alert, "draft", status_reason=why)
        _audit(con, now, actor, "returned_to_draft", alert, why)
        done = _latest(con, alert_id)
    return done


def _published(con, alert_id: str, refusal: str) -> tuple[list[Alert], Alert]:
    """All versions of ``alert_id`` and its current public one; ``refusal`` (a template) unless that is published."""
    versions = _versions(con, alert_id)
    if not versions:
        raise AlertError("no alert {alert_id!r}", alert_id=alert_id)
    public = [v for v in versions if v.status in PUBLIC_STATUSES]
    if not public or public[-1].status != "published":
        state = public[-1].status if public else versions[-1].status.replace("_", " ")
        raise AlertError(refusal, alert_id=alert_id, state=state)
    return versions, public[-1]


def correct(
    alert_id: str, *, actor: str, now: dt.datetime, **fields,
) -> Alert:
    """A new draft version (CAP Update) of a published alert; it replaces the old one once approved."""
    with _step(actor, "correct", alert_id, now, DRAFTERS) as con:
        versions, old = _published(
            con, alert_id, "only a published alert can be corrected; {alert_id} is {state}")
        if versions[-1].status in ("draft", "in_review"):
            raise AlertError("a correction of {alert_id} is already in progress ({key})", alert_id=alert_id,
                             key=versions[-1].key)
        new = _draft_version(alert_id, versions[-1].version + 1, "Update", old.key, actor, now, fields)
        _insert(con, new)
        _audit(con, now, actor, "correction_drafted", new, f"replaces {old.key}")
    return new


def retract(alert_id: str, actor: str, reason: str, now: dt.datetime) -> Alert:
    """Publish a Cancel version at once (a reviewer alone may retract); the alert stays visible as retracted."""
    with _step(actor, "retract", alert_id, now, REVIEWERS) as con:
        versions, old = _published(
            con, alert_id, "only a published alert can be retracted; {alert_id} is {state}")
        why = clean_text(reason, one_line=True)
        if not why:
            raise AlertError("a reason is required to retract an alert")
        cancel = Alert(
            alert_id=alert_id, version=versions[-1].version + 1, status="cancelled", msg_type="Cancel",
            severity=old.severity, text=old.text, substances=old.substances, regions=old.regions,
            evidence=old.evidence, links=old.links, created_at=as_utc(now), published_at=as_utc(now),
            expires_at=old.expires_at, author=actor, approver=actor, references=old.key, status_reason=why,
            authors=(actor,),
        )
        _set_status(con, old, "superseded")
        _audit(con, now, actor, "superseded", old, f"by {cancel.key}")
        _insert(con, cancel)
        _audit(con, now, actor, "retracted", cancel, why)
        delivery_queue.enqueue_alert(con, cancel, now)
    refresh_public(now, actor)
    return cancel


def due_for_expiry(now: dt.datetime) -> list[Alert]:
    """Published versions whose expiry has passed at ``now`` (read only: what :func:`expire_due` would record)."""
    return _select("WHERE status = 'published' AND expires_at <= ? ORDER BY alert_id", [auth.naive_utc(now)])


def expire_due(now: dt.datetime, actor: str = SYSTEM) -> list[str]:
    """Mark published versions past their expiry as expired, audited under ``actor``; return their keys.

    'system' is kept for the app's own automatic expiry (public board, staff page), where no person acted; the
    command line passes the OS user that ran it."""
    with db.app_connection() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            rows = con.execute(
                f"SELECT {_READ} FROM alert_versions WHERE status = 'published' AND expires_at <= ? ORDER BY alert_id",
                [auth.naive_utc(now)],
            ).fetchall()
            due = [_from_row(r) for r in rows]
            for alert in due:
                _set_status(con, alert, "expired")
                _audit(con, now, actor, "expired", alert, f"expiry {alert.expires_at.isoformat()}")
            con.execute("COMMIT")
        except (duckdb.TransactionException, duckdb.ConstraintException):
            _rollback(con)  # another session is recording the same expiries right now
            return []
        except BaseException:
            _rollback(con)
            raise
    if due:
        refresh_public(now, actor)
    return [a.key for a in due]


# ---------------------------------------------------------------- reading

def _select(where: str = "", params: list | None = None, con=None) -> list[Alert]:
    if con is None:
        with db.app_connection() as own:
            return _select(where, params, own)
    rows = con.execute(f"SELECT {_READ} FROM alert_versions {where}", params or []).fetchall()
    return [_from_row(r) for r in rows]


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


# ---------------------------------------------------------------- public files

def refresh_public(now: dt.datetime, actor: str = SYSTEM) -> PublishOutcome:
    """Rewrite the feeds, CAP files, SMS texts and posters; audit the outcome, never raise."""
    with db.app_connection() as con:
        active, public = active_alerts(now, con=con), history(now, con=con)
    try:
        from .. import help_directory
        from ..channels import publish_all

        result = publish_all(active, public, db.public_dir(), settings.base_url(), now,
                             help_entries=help_directory.current())
        outcome = PublishOutcome(True, f"{len(result['written'])} public files written")
    except Exception as exc:  # a broken channel must never lose or block the alert itself
        outcome = PublishOutcome(False, f"public files not updated: {type(exc).__name__}: {exc}".splitlines()[0])
    with db.app_connection() as con:
        _audit(con, now, actor, "channels_published" if outcome.ok else "channels_failed", None, outcome.message)
    return outcome


def last_publish() -> PublishOutcome | None:
    """The outcome of the most recent public-file refresh, for the staff page's warning."""
    with db.app_connection() as con:
        row = con.execute(
            "SELECT action, detail FROM alert_audit WHERE action IN ('channels_published', 'channels_failed')"
            " ORDER BY audit_id DESC LIMIT 1"
        ).fetchone()
    return PublishOutcome(row[0] == "channels_published", row[1]) if row else None


def alerts_csv(alerts: list[Alert], lang: str = "en") -> bytes:
    """Public fields of ``alerts`` as formula-guarded CSV (no evidence lines, no staff names)."""
    import pandas as pd

    from ..sample_table import to_csv

    rows = [
        {
            "alert_id": a.alert_id, "version": a.version, "status": a.status, "msg_type": a.msg_type,
            "severity": a.severity, "regions": "; ".join(a.regions), "substances": "; ".join(a.substances),
            "published_at": a.published_at.isoformat() if a.published_at else "",
            "expires_at": a.expires_at.isoformat(), "headline": a.text_for(lang).headline,
            "details": a.text_for(lang).details, "what_to_do": a.text_for(lang).what_to_do,
        }
        for a in alerts
    ]
    return to_csv(pd.DataFrame(rows, columns=[
        "alert_id", "version", "status", "msg_type", "severity", "regions", "substances", "published_at",
        "expires_at", "headline", "details", "what_to_do",
    ]))
