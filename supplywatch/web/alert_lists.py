"""Community and outside alerts on the supply pages and the public board: read once per change of the app
database's version (public data, shared by every reader), kept on screen while that database is out of reach."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from .. import app_version, db, local_time
from ..weblinks import public_link
from .queries import query, status
from .reader import Context


# Shown over the public board while the app database (PostgreSQL) cannot be reached.
ALERTS_STALE = ("The alert list could not be refreshed just now: it shows what this server last read. The feeds,"
                " posters and plain web page keep the last published alerts.")


def alerts_stale() -> bool:
    """True when this run's community alerts come from the last read, the app database being out of reach."""
    return app_version.APP_VERSION.stale()


@st.cache_data(show_spinner=False, max_entries=8)
def _public_history(version: str) -> list:
    """Every version of a community alert that was ever public, read once per change of the app file; the board
    and the supply pages' alert lists derive what they show from it for the viewer's time."""
    from ..alerts import store

    return list(store.history(dt.datetime.now(dt.timezone.utc)))


def public_board(now: dt.datetime) -> tuple[list, list]:
    """(active, past) alerts for the public board, read once per change of the app file (public data, shared).

    Expiry is recorded (and the feeds refreshed) only when a published alert is actually past its expiry, so
    an ordinary view neither writes nor opens the app file.
    """
    from ..alerts import store

    try:
        public = _public_history(app_version.APP_VERSION.token())
    except db.AppStoreUnavailable:  # nothing read yet by this server: an empty board under the banner, no traceback
        return [], []
    if any(a.status == "published" and a.expires_at <= now for a in public):
        try:
            store.expire_due(now)
        except Exception:  # a busy or read-only app file must never take the public board down
            pass
        public = _public_history(app_version.APP_VERSION.token())
    return store.board(now, public)


def community_alerts(region: str | None) -> list[dict]:
    """Active community alerts for ``region`` (all when None), from the cached public history.

    Expiry is by time alone, so each call checks ``is_active`` on the cached versions. Each is dated by its day in
    the deployment's zone, the day its readers saw it published.
    """
    try:
        public = _public_history(app_version.APP_VERSION.token())
    except Exception:  # the alerts file being migrated or locked must not break a supply page
        public = []
    now = dt.datetime.now(dt.timezone.utc)
    found = [a for a in public if a.is_active(now) and (not region or region in a.regions)]
    out = [{"date": local_time.local_date(a.published_at or a.created_at), "alert": a} for a in found]
    return sorted(out, key=lambda r: r["date"], reverse=True)


def alert_list(ctx: Context, limit: int = 5) -> None:
    """Active community alerts for the reader's region, each a card linking to the full alert (what to do) on the
    alerts board; then external alerts of the last 30 days, newest first, as plain text (never HTML)."""
    from ..alerts.text import escape_markdown

    _ = ctx._
    shown = 0
    for row in community_alerts(ctx.f.region)[:limit]:
        alert = row["alert"]
        text = alert.text_for(ctx.lang)
        severity = {"information": _("Information"), "caution": _("Caution"), "warning": _("Warning")}
        with st.container(border=True, key=f"sw-alert-{alert.alert_id}"):
            st.text(f"{ctx.date(row['date'])} · {severity.get(alert.severity, '')} · {text.headline}")
            # the board's deep link: the whole alert with its advice, in this session (language and filters kept)
            st.page_link("app_pages/alerts_board.py", label=escape_markdown(_("What to do and the full alert")),
                         icon=":material/arrow_forward:", query_params={"alert": alert.alert_id})
        shown += 1
    # Alerts issued elsewhere carry no expiry: show those from the 30 days before the newest sample.
    latest = status()["status"]["latest_sample"] or dt.date.today()
    recent = query("external_alerts", replace(ctx.f, start=latest - dt.timedelta(days=30), end=None))
    for i, r in enumerate(recent.head(max(0, limit - shown)).to_dict("records")):
        st.text(f"{ctx.date(r['issued_date'])} · {r['source']} · {r['title']}")
        link = public_link(r.get("link")) if isinstance(r.get("link"), str) else None
        if link and link.startswith(("https://", "http://")):
            st.link_button(_("Read the alert"), link, key=f"sw-alert-link-{i}")
        shown += 1
    if not shown:
        st.caption(_("No alerts for this area."))
