"""A draft version built from what staff typed: every field cleaned and checked (text, lists, links, expiry),
and the next alert id. Refusals are :class:`TextError` in one translatable line."""

from __future__ import annotations

import datetime as dt

from ..weblinks import WRONG_SCHEME, link_problem
from . import settings
from .model import SEVERITIES, Alert, AlertText, as_utc
from .text import TextError, allowed_link, check_field, clean_text


def _clean_texts(text: dict, complete: bool) -> dict[str, AlertText]:
    """Cleaned EN/FR text; a draft needs only the English headline, review needs everything."""
    out = {}
    for lang in ("en", "fr"):
        t = text.get(lang)
        if t is None and not complete and lang == "fr":
            continue
        if t is None:
            raise TextError("{name} ({lang}): required", name="headline", lang=lang)
        t = t if isinstance(t, AlertText) else AlertText(**t)
        out[lang] = AlertText(
            headline=check_field("headline", lang, t.headline, required=complete or lang == "en"),
            details=check_field("details", lang, t.details, required=False),
            what_to_do=check_field("what_to_do", lang, t.what_to_do, required=complete),
        )
    return out


def _clean_list(values, what: str, required: bool = False) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(v for v in (clean_text(x, one_line=True) for x in (values or ())) if v))
    if required and not items:
        raise TextError("{what}: at least one is required", what=what)
    return items


def _clean_links(values) -> tuple[str, ...]:
    out = []
    for value in values or ():
        good = allowed_link(value)
        if good is None and link_problem(value) == WRONG_SCHEME:
            raise TextError("link {link!r} refused: only http, https, mailto and tel links are allowed", link=value)
        if good is None:
            raise TextError("link {link!r} refused: a link needs a real host or address and no spaces, quotes, "
                            "brackets or unbalanced parentheses", link=value)
        out.append(good)
    return tuple(out)


def _clean_expiry(severity: str, expires_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if severity not in SEVERITIES:
        raise TextError("severity {severity!r}: choose one of {choices}", severity=severity, choices=", ".join(SEVERITIES))
    now = as_utc(now)
    expires = as_utc(expires_at) if expires_at else now + settings.DEFAULT_LIFETIME[severity]
    if expires <= now:
        raise TextError("expiry must be in the future")
    if expires - now > settings.MAX_LIFETIME:
        raise TextError("expiry must be within {days} days", days=settings.MAX_LIFETIME.days)
    return expires


def _complete(alert: Alert) -> None:
    """Refuse review of an alert without full English and French text."""
    _clean_texts({k: v for k, v in alert.text.items()}, complete=True)


def _new_id(con, now: dt.datetime) -> str:
    prefix = f"{settings.alert_prefix()}-{as_utc(now).year}-"
    n = con.execute(
        "SELECT count(DISTINCT alert_id) FROM alert_versions WHERE starts_with(alert_id, ?)", [prefix]
    ).fetchone()[0]
    return f"{prefix}{n + 1:04d}"


def _draft_version(alert_id: str, version: int, msg_type: str, references: str | None, author: str,
                   now: dt.datetime, fields: dict) -> Alert:
    """A draft version from user-supplied fields, every one cleaned and checked.

    ``fields``: text ({'en'|'fr': AlertText or dict}), severity, substances, regions,
    evidence, links, expires_at (default: the severity's lifetime).
    """
    unknown = set(fields) - {"text", "severity", "substances", "regions", "evidence", "links", "expires_at"}
    if unknown:
        raise TypeError(f"unknown alert fields: {', '.join(sorted(unknown))}")
    severity = fields.get("severity", "")
    return Alert(
        alert_id=alert_id, version=version, status="draft", msg_type=msg_type, severity=severity,
        text=_clean_texts(fields.get("text") or {}, complete=False),
        substances=_clean_list(fields.get("substances"), "substances"),
        regions=_clean_list(fields.get("regions"), "regions", required=True),
        evidence=_clean_list(fields.get("evidence"), "evidence"), links=_clean_links(fields.get("links")),
        created_at=as_utc(now), published_at=None,
        expires_at=_clean_expiry(severity, fields.get("expires_at"), now), author=author, approver=None,
        references=references, authors=(author,),
    )
