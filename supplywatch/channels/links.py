"""File names, public URLs and plain-text cleaning shared by every channel.

Every channel file is named from the alert's id and version so a published version's
files never change meaning; links we emit are built from a checked ``base_url``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import datetime
from urllib.parse import quote

from ..plain_text import strip_markup
from ..utc import as_utc
from ..weblinks import SCHEMES, public_link

ALLOWED_SCHEMES = SCHEMES
LANGS = ("en", "fr")

# XML 1.0 forbids most C0 controls; feeds and CAP would fail to parse with them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class ChannelError(ValueError):
    """A channel cannot be produced from the input (bad base URL, missing language ...)."""


def check_base_url(base_url: str) -> str:
    """The public site's root URL without a trailing slash; only an http(s) link that parses safely is accepted."""
    good = public_link(base_url)
    if not good or not good.startswith(("http://", "https://")):
        raise ChannelError(f"base_url must be an http:// or https:// address, got {base_url!r}")
    return good.rstrip("/")


def safe_link(url: str | None) -> str | None:
    """``url`` as published when it parses as a safe http, https, mailto or tel link; otherwise None."""
    return public_link(url)


def plain(text: str | None) -> str:
    """Alert text as plain text safe for any XML/JSON/PDF: no markup, no control characters, LF line ends.

    The store cleans text on the way in; markup is stripped again here (nh3, supplywatch.plain_text) so a version
    stored before that cleaning, or written some other way, still reaches no feed, CAP file, SMS or poster as HTML.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", strip_markup(_XML_ILLEGAL.sub("", text))).strip()


def region_slug(region: str) -> str:
    """A file-name slug for a region: ASCII lower case, hyphens ('Île-de-Montréal' -> 'ile-de-montreal')."""
    ascii_ = unicodedata.normalize("NFKD", region).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    slug = slug or "region"
    # 'alerts' is the all-regions feed; never let a region overwrite it.
    return "region-alerts" if slug == "alerts" else slug


def safe_id(alert_id: str) -> str:
    """The alert id as a file-name part: anything but letters, digits, '.', '_' and '-' becomes '-'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", alert_id)


def version_stem(alert) -> str:
    """'SW-2026-0007-v2': the stem every per-version file shares."""
    return f"{safe_id(alert.alert_id)}-v{int(alert.version)}"


def cap_path(alert) -> str:
    return f"cap/{version_stem(alert)}.xml"


def poster_path(alert, lang: str) -> str:
    return f"posters/{version_stem(alert)}-{lang}.pdf"


def sms_path(alert, lang: str) -> str:
    return f"sms/{version_stem(alert)}-{lang}.txt"


def feed_path(region: str | None, lang: str, ext: str) -> str:
    """'feeds/alerts.atom', 'feeds/alerts-fr.json', 'feeds/ile-de-montreal-fr.atom' ..."""
    stem = region_slug(region) if region else "alerts"
    return f"feeds/{stem}{'' if lang == 'en' else '-' + lang}.{ext}"


def alert_page_url(base_url: str, alert) -> str:
    """The alert on the dashboard's board (``alerts`` page with ``?alert=``).

    Kept as the feed entries' id (readers de-duplicate on it, so it must never change); readers are sent to
    :func:`alert_static_url` instead, which needs no dashboard session.
    """
    return f"{check_base_url(base_url)}/alerts?alert={quote(alert.alert_id, safe='')}"


def alert_file(alert_id: str, lang: str) -> str:
    """'alerts/SW-2026-0007.html', 'alerts/SW-2026-0007-fr.html': one page per alert (not per version), so a link
    sent out with the first version still shows the latest word on it, retraction or end included."""
    return f"alerts/{safe_id(alert_id)}{'' if lang == 'en' else '-' + lang}.html"


def alert_static_url(base_url: str, alert, lang: str) -> str:
    """The alert's static page in ``lang``: where the SMS, poster QR code, feeds, CAP, mail and webhooks send readers."""
    return file_url(base_url, alert_file(alert.alert_id, lang))


def file_url(base_url: str, relative: str) -> str:
    """URL of a static public file: under ``SUPPLYWATCH_PUBLIC_URL`` when set, else ``<base_url>/public``."""
    root = os.environ.get("SUPPLYWATCH_PUBLIC_URL") or f"{check_base_url(base_url)}/public"
    return f"{check_base_url(root)}/{relative}"


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (naive datetimes are taken as UTC, as the store writes them), whole seconds."""
    return as_utc(moment).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """RFC 3339 / CAP time: '2026-11-27T08:00:00+00:00' (CAP 1.2 forbids 'Z')."""
    return utc(moment).isoformat()


def text_for(alert, lang: str):
    """The alert's AlertText in ``lang``, falling back to English when a language is missing."""
    text = alert.text.get(lang) or alert.text.get("en")
    if text is None:
        raise ChannelError(f"alert {alert.alert_id} v{alert.version} has no English text")
    return text
