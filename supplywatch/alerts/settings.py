"""Deployment settings for alerts, read from the environment (never from the repository).

SUPPLYWATCH_BASE_URL              public address of the dashboard (feeds and posters link to it)
SUPPLYWATCH_SINGLE_PERSON_PUBLISH 'warning' (or 1/true/yes) lets an author publish their own
                                  warning-level alert, flagged for review afterwards; off by default
SUPPLYWATCH_ALERT_PREFIX          alert id prefix, 'SW' by default ('SW-2026-0007')
"""

from __future__ import annotations

import datetime as dt
import os

DEFAULT_BASE_URL = "http://localhost:8501"
# Default lifetime of an alert by severity; staff may pick another expiry up to MAX_LIFETIME.
DEFAULT_LIFETIME = {
    "warning": dt.timedelta(days=7),
    "caution": dt.timedelta(days=14),
    "information": dt.timedelta(days=30),
}
MAX_LIFETIME = dt.timedelta(days=90)


def base_url() -> str:
    return os.environ.get("SUPPLYWATCH_BASE_URL") or DEFAULT_BASE_URL


def single_person_publish(severity: str) -> bool:
    """True when this deployment lets an author publish their own alert of ``severity`` alone."""
    value = (os.environ.get("SUPPLYWATCH_SINGLE_PERSON_PUBLISH") or "").strip().lower()
    return severity == "warning" and value in ("warning", "1", "true", "yes")


def alert_prefix() -> str:
    return (os.environ.get("SUPPLYWATCH_ALERT_PREFIX") or "SW").strip() or "SW"
