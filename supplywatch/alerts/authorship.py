"""Who wrote each alert version, for the two-person rule by authorship.

Everyone who wrote any text of a version is one of its authors: whoever created it (a new alert, a correction, a
retraction) and everyone who saved a revision of it while it was a draft. Authorship is recorded in the same
transaction as the text and never removed, even when a later revision replaces the words: the rule is about who
shaped the alert, not whose sentence survived. :mod:`supplywatch.alerts.store` enforces the rules (no author
approves or gives the second look; posters revise and submit only drafts they wrote); this module holds the SQL.
"""

from __future__ import annotations

import datetime as dt

from ..utc import naive_utc

# Read beside each alert_versions row (the outer query's table must be ``alert_versions``): its authors, first first.
AUTHORS_COLUMN = (
    "(SELECT coalesce(array_agg(w.username ORDER BY w.since, w.username), CAST(ARRAY[] AS VARCHAR[]))"  # DuckDB and PostgreSQL
    " FROM alert_authors w"
    " WHERE w.alert_id = alert_versions.alert_id AND w.version = alert_versions.version)"
)


def record(con, alert_id: str, version: int, username: str, now: dt.datetime) -> None:
    """Make ``username`` an author of ``alert_id@version`` (once; later writes keep the first time)."""
    con.execute(
        "INSERT INTO alert_authors (alert_id, version, username, since) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [alert_id, version, username, naive_utc(now)],
    )
