"""The public files (feeds, CAP, SMS texts, posters, board) rewritten after a change the public sees, and the
outcome of the last rewrite for staff. A channel failure is audited and reported, never undoes the alert."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import db
from . import settings
from .reads import active_alerts, history
from .rows import SYSTEM, _audit


@dataclass(frozen=True)
class PublishOutcome:
    """Result of rewriting the public files: ok, and a one-line message for staff."""

    ok: bool
    message: str


def refresh_public(now: dt.datetime, actor: str = SYSTEM, rebuild: bool = False) -> PublishOutcome:
    """Rewrite the feeds, boards and alert pages, and any missing CAP file, SMS text or poster (every one with
    ``rebuild``); audit the outcome, never raise."""
    with db.app_connection() as con:
        active, public = active_alerts(now, con=con), history(now, con=con)
    try:
        from .. import help_directory
        from ..channels import publish_all

        result = publish_all(active, public, db.public_dir(), settings.base_url(), now, rebuild=rebuild,
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
