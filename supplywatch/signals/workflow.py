"""Running the rules on the warehouse and recording staff decisions: as of which day, who may decide."""

from __future__ import annotations

import datetime as dt

import duckdb

from .. import auth
from .persistence import DecisionError, Stored, _open_one, dismiss, load, mark_accepted, save
from .rules import run_all
from .settings import SignalSettings, load_settings
from .suggestion import Suggestion
from .suggestion import day_of as _today

DECIDERS = auth.ALERT_ROLES  # may accept or dismiss (admin too); re-checked on every action


def newest_data_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The newest day the rules can see: a sample's collection date or a daily/weekly overdose period's start."""
    return con.execute(
        """
        SELECT greatest((SELECT max(collected_date) FROM samples),
                        (SELECT max(period_start) FROM overdose_events
                         WHERE unit = 'count' AND period_type IN ('day', 'week')))
        """
    ).fetchone()[0]


def as_of(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> dt.datetime:
    """When to run the rules by default: ``now``, or the end of the newest data day when the data end before today.

    Every rule looks back ``recent_days`` from its "today"; a warehouse whose newest sample is
    a month old (the demo, or a site that loads monthly) would otherwise never suggest anything,
    with no reason given. Staff are told the date (page and CLI); ``--at`` still picks any time.
    """
    newest = newest_data_date(con)
    if newest is None or newest >= _today(now):
        return now
    return dt.datetime.combine(newest, dt.time(23, 59, 59), tzinfo=dt.timezone.utc)


def default_as_of(now: dt.datetime, db: str | None = None) -> dt.datetime:
    """:func:`as_of` on the current warehouse snapshot (what the next run will use)."""
    from .. import db as dbmod

    con = dbmod.connect_readonly(db)
    try:
        return as_of(con, now)
    finally:
        con.close()


def as_of_note(at: dt.datetime, now: dt.datetime, lang: str = "en") -> str:
    """One sentence telling staff which day the signals were checked as of, and why when it is not today."""
    from .. import i18n

    _ = i18n.translator(lang)
    day = i18n.format_date(_today(at), lang, "long")
    if _today(at) < _today(now):
        return _("Checked as of {date}, the day of the newest data: the samples and overdose counts end there, "
                 "so the signals look back from that day.").format(date=day)
    return _("Checked as of today, {date}.").format(date=day)


def run_and_store(now: dt.datetime, settings: SignalSettings | None = None, db: str | None = None,
                  at: dt.datetime | None = None) -> list[Suggestion]:
    """Run every rule on the current warehouse snapshot and store the new suggestions (after a load, or on demand).

    The rules run as of ``at``, by default :func:`as_of` (the newest data); ``now`` is when they are stored.
    """
    return run_as_of(now, settings, db, at)[1]


def run_as_of(now: dt.datetime, settings: SignalSettings | None = None, db: str | None = None,
              at: dt.datetime | None = None) -> tuple[dt.datetime, list[Suggestion]]:
    """:func:`run_and_store`, also returning the time the rules ran as of (to tell staff)."""
    from .. import db as dbmod

    con = dbmod.connect_readonly(db)
    try:
        at = at or as_of(con, now)
        found = run_all(con, at, settings or load_settings())
    finally:
        con.close()
    with dbmod.app_connection(db) as app:
        return at, save(app, found, now)


def accept(key: str, actor: str, now: dt.datetime, regions: tuple[str, ...] | None = None):
    """Turn a new suggestion into a draft alert (store.create_draft) and record who accepted it.

    ``regions`` replaces the suggestion's regions (a draft needs at least one; a signal over
    samples without a region has none). The draft still goes through review like any other.
    """
    from .. import db as dbmod
    from ..alerts import store

    _check_actor(actor, "accept signal", now)
    with dbmod.app_connection() as app:
        stored = _open_one(app, key).suggestion
    alert = store.create_draft(
        text=stored.text, severity=stored.severity, substances=stored.substances,
        regions=tuple(regions) if regions else stored.regions,
        evidence=(f"signal {stored.rule}: {stored.key}", *stored.evidence), actor=actor, now=now,
    )
    with dbmod.app_connection() as app:
        mark_accepted(app, key, actor, alert.alert_id, now)
    return alert


def _check_actor(actor: str, action: str, now: dt.datetime) -> None:
    """Re-read ``actor`` from the database: only an enabled poster, reviewer or admin may decide (refusals audited)."""
    from .. import auth

    if auth.current_user(actor, *DECIDERS) is None:
        auth.refuse(actor, action, DECIDERS, now)
        raise DecisionError(f"{action} needs the {' or '.join(DECIDERS)} role")


def decide_dismiss(key: str, actor: str, reason: str, now: dt.datetime) -> None:
    """Dismiss a suggestion as ``actor`` (role re-checked), with the reason they gave."""
    from .. import db as dbmod

    _check_actor(actor, "dismiss signal", now)
    with dbmod.app_connection() as app:
        dismiss(app, key, actor, reason, now)


def stored_suggestions(status: str | None = None) -> list[Stored]:
    """Suggestions from the app file (for the staff page)."""
    from .. import db as dbmod

    with dbmod.app_connection() as app:
        return load(app, status)
