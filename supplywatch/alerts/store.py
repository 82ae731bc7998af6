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

This module holds the steps, each one transaction (:func:`_step`). Beside it: the rows
they write (``rows``), the cleaning of what staff typed (``drafting``), the messages a
publication owes, queued in the same transaction (``outbox``), the reads (``reads``),
the public files (``public_files``) and the CSV (``export``); ``store.X`` keeps every
name callers use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from typing import Iterator

import duckdb

from .. import auth, db
from ..messages import UserError
from . import authorship, outbox, settings
from .drafting import _complete, _draft_version, _new_id
from .export import alerts_csv  # noqa: F401  (store.alerts_csv, as the pages call it)
from .model import PUBLIC_STATUSES, Alert, as_utc
from .public_files import PublishOutcome, last_publish, refresh_public  # noqa: F401
from .reads import (  # noqa: F401  (store.get, store.active_alerts ... as callers read them)
    active_alerts, audit_log, board, due_for_expiry, get, history, past_alerts, staff_queue, versions,
)
from .rows import (  # noqa: F401  (store.SYSTEM, store._COLS as callers and tests read them)
    _COLS, _READ, SYSTEM, _audit, _from_row, _insert, _overwrite_draft, _set_status, _versions,
)
from .text import TextError, clean_text

DRAFTERS = auth.ALERT_ROLES
REVIEWERS = auth.REVIEW_ROLES


class AlertError(UserError):
    """A refused lifecycle step; one line saying why, translatable with ``translated(_)``."""


class ConcurrentChange(AlertError):
    """Another session changed the same rows in the same moment; nothing was written, trying again is safe."""


# ---------------------------------------------------------------- one step, one transaction

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
        outbox.enqueue_alert(con, done, now)  # same transaction: the alert and the mail it owes
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
        outbox.enqueue_alert(con, cancel, now)
    refresh_public(now, actor)
    return cancel


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


