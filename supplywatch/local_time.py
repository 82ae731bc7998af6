"""Times shown to readers in the deployment's own time zone (SUPPLYWATCH_TIMEZONE), with its abbreviation.

A harm reduction worker reading "published 2:10 a.m. UTC" at night has to do arithmetic to know whether the alert
is an hour or a day old; the board says "6:10 p.m. PST" instead. The store keeps UTC (naive values are UTC); only
what is shown changes. The zone is an IANA name (America/Vancouver, America/Toronto, Europe/Paris ...); the
default is America/Vancouver. A name the system does not know stops the app with a one-line error instead of
silently showing UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates

from . import i18n
from .utc import as_utc

ENV = "SUPPLYWATCH_TIMEZONE"
DEFAULT = "America/Vancouver"


class TimeZoneError(ValueError):
    """SUPPLYWATCH_TIMEZONE names no time zone."""


@functools.cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeZoneError(
            f"{ENV}={name!r} is not a time zone name; use an IANA name such as America/Vancouver") from exc


def zone() -> ZoneInfo:
    """The deployment's time zone (SUPPLYWATCH_TIMEZONE, default America/Vancouver)."""
    return _zone(os.environ.get(ENV, "").strip() or DEFAULT)


def format_local(value: dt.datetime | None, lang: str, fmt: str = "short", tz: ZoneInfo | None = None) -> str:
    """``value`` (UTC; naive means UTC) in the deployment's zone and the reader's language, followed by the zone's
    abbreviation in that language ('2026-07-01, 11:30 a.m. PDT' / '2026-07-01 11 h 30 HAP'); '' for None."""
    if value is None:
        return ""
    return _zoned(value, lang, lambda here, locale: dates.format_datetime(here, format=fmt, tzinfo=here.tzinfo,
                                                                          locale=locale), tz)


def format_local_time(value: dt.datetime, lang: str) -> str:
    """The clock time of ``value`` (UTC; naive means UTC) in the deployment's zone, with its abbreviation
    ('4:05 p.m. PST' / '16 h 05 HNP'): for waits shorter than a day, such as a sign-in lockout."""
    return _zoned(value, lang, lambda here, locale: dates.format_time(here, format="short", tzinfo=here.tzinfo,
                                                                      locale=locale))


def _zoned(value: dt.datetime, lang: str, write, tz: ZoneInfo | None = None) -> str:
    """``write(moment in the zone, locale)`` followed by the zone's abbreviation in ``lang``."""
    here = as_utc(value).astimezone(tz or zone())
    locale = i18n.LOCALES.get(lang, "en_CA")
    return f"{write(here, locale)} {dates.get_timezone_name(here, 'short', locale=locale)}"


def local_date(value: dt.datetime) -> dt.date:
    """The deployment's calendar day of ``value`` (UTC; naive means UTC): 22:44 Pacific is that day, not the next."""
    return as_utc(value).astimezone(zone()).date()


def format_column(values, lang: str) -> list[str]:
    """:func:`format_local` over a table column of UTC timestamps (pandas' NaT and None shown as '')."""
    return [format_local(v.to_pydatetime() if hasattr(v, "to_pydatetime") else v, lang) if v is not None and v == v
            else "" for v in values]
