"""The community alert as every channel sees it: one immutable version of one alert.

Shape follows OASIS CAP 1.2: an alert keeps its ``alert_id`` across versions, each
correction is a new ``version`` with ``msg_type`` Update referencing the one it
replaces, and a retraction is a Cancel version. Nothing here talks to a database;
:mod:`supplywatch.alerts.store` builds these from the app file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..alert_states import PUBLIC_STATUSES, SEVERITIES, STATUSES, severity_rank
from ..utc import as_utc  # noqa: F401  (model.as_utc, as the alerts package calls it)

__all__ = ["Alert", "AlertText", "as_utc", "LANGS", "MSG_TYPES", "PUBLIC_STATUSES", "SEVERITIES", "STATUSES",
           "severity_rank"]

MSG_TYPES = ("Alert", "Update", "Cancel")
LANGS = ("en", "fr")


@dataclass(frozen=True)
class AlertText:
    """The layered text of one alert in one language: one-sentence headline, details, what to do."""

    headline: str
    details: str
    what_to_do: str


@dataclass(frozen=True)
class Alert:
    """One version of one community drug alert."""

    alert_id: str  # stable across versions, e.g. 'SW-2026-0007'
    version: int  # 1, 2, ... each correction or retraction is a new version
    status: str  # draft | in_review | published | superseded | expired | cancelled
    msg_type: str  # CAP msgType: Alert | Update | Cancel
    severity: str  # information | caution | warning
    text: dict[str, AlertText]  # keys 'en' and 'fr'
    substances: tuple[str, ...]
    regions: tuple[str, ...]
    evidence: tuple[str, ...]  # plain-text evidence lines (sample ids, signal, overdose counts, dates)
    created_at: dt.datetime  # UTC
    published_at: dt.datetime | None
    expires_at: dt.datetime  # UTC
    author: str
    approver: str | None
    references: str | None = None  # 'alert_id@version' this one replaces or cancels
    flagged_for_review: bool = False  # published by one person (urgent); needs a second look
    status_reason: str | None = None  # why it was returned to draft, retracted ...
    links: tuple[str, ...] = field(default_factory=tuple)  # http/https/mailto/tel only
    # Everyone who wrote text of this version, first first (``author`` is the first); none of them may approve it.
    authors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        """'alert_id@version', the identity of this version in CAP references and file names."""
        return f"{self.alert_id}@{self.version}"

    def is_active(self, now: dt.datetime) -> bool:
        """Published and not yet expired at ``now`` (UTC); expiry needs nobody to act."""
        return self.status == "published" and as_utc(now) < as_utc(self.expires_at)

    @property
    def is_retracted(self) -> bool:
        """A Cancel version: shown in history as retracted."""
        return self.msg_type == "Cancel"

    def text_for(self, lang: str) -> AlertText:
        """Text in ``lang``, falling back to English when that language is missing."""
        return self.text.get(lang) or self.text["en"]
