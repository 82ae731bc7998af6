"""The alert board's last resort: the active alerts of the public JSON feed in the shared public folder.

A server keeps the community alerts it last read and shows them, under a banner, while the app database
(PostgreSQL) does not answer. A server *started* during the outage has read nothing; rather than an empty board
(which reads as "no danger right now" at the worst moment), it shows what the last publication wrote to the shared
public folder every server serves: ``feeds/alerts.json`` (``alerts-fr.json`` in French), the same text feed
readers and the plain board page already get. The feed is read as data: every field is type-checked and shown as
text by the page (escaped), an unreadable or missing file gives an empty list, and an entry whose expiry has passed
is left out. Nothing in it is per user.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from .alert_states import SEVERITIES
from .channels.links import feed_path
from .utc import as_utc

MAX_BYTES = 5_000_000  # a feed of every active alert is a few kB per alert; anything larger is not ours


@dataclass(frozen=True)
class FeedAlert:
    """One active alert as the public feed wrote it (plain text only)."""

    severity: str
    headline: str
    text: str  # details, what to do, regions, expiry: the feed's content_text
    regions: tuple[str, ...]
    expires: dt.datetime | None


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _when(value) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return as_utc(parsed)


def active_alerts(public_dir: Path, lang: str, now: dt.datetime) -> list[FeedAlert]:
    """The alerts of the all-regions feed in ``lang`` still active at ``now``, in the feed's order; [] when the
    file is missing, too large or not a feed."""
    path = Path(public_dir) / feed_path(None, lang, "json")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        doc = json.loads(raw) if len(raw) <= MAX_BYTES else None
    except (OSError, ValueError):
        return []
    items = doc.get("items") if isinstance(doc, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        extra = item.get("_supplywatch") if isinstance(item.get("_supplywatch"), dict) else {}
        headline = _text(item.get("summary")) or _text(item.get("title"))
        expires = _when(extra.get("expires"))
        if not headline or (expires is not None and expires <= now):
            continue
        regions = extra.get("regions") if isinstance(extra.get("regions"), list) else []
        severity = extra.get("severity") if extra.get("severity") in SEVERITIES else "information"
        out.append(FeedAlert(severity, headline, _text(item.get("content_text")),
                             tuple(r for r in regions if isinstance(r, str)), expires))
    return out
