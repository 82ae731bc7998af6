"""What the public board needs besides the alerts: its region list and links to the static channel files."""

from __future__ import annotations

from . import settings
from .model import Alert


def region_options(*groups: list[Alert]) -> list[str]:
    """Every region named by the given alerts, sorted."""
    return sorted({r for group in groups for a in group for r in a.regions})


def public_files(alert: Alert | None, lang: str, region: str | None = None) -> list[tuple[str, str]]:
    """(kind, URL) of the static files for one alert version (cap, poster, sms), or of the feeds (atom, json).

    Empty when the channels package cannot say (the board still works without links).
    """
    try:
        from ..channels import links
    except Exception:  # channels missing or broken: no links rather than no board
        return []
    base = settings.base_url()
    if alert is not None:
        return [
            ("poster", links.file_url(base, links.poster_path(alert, lang))),
            ("cap", links.file_url(base, links.cap_path(alert))),
            ("sms", links.file_url(base, links.sms_path(alert, lang))),
        ]
    stem = links.region_slug(region) if region else "alerts"
    suffix = "" if lang == "en" else f"-{lang}"
    return [(ext, links.file_url(base, f"feeds/{stem}{suffix}.{ext}")) for ext in ("atom", "json")]
