"""OASIS CAP 1.2 XML for one alert version, with an English and a French info block.

Severity ladder -> CAP (documented in docs/channels.md):

=============  ==========  ========  =========
our severity   urgency     severity  certainty
=============  ==========  ========  =========
information    Future      Minor     Possible
caution        Expected    Moderate  Likely
warning        Immediate   Severe    Observed
=============  ==========  ========  =========

Our alerts come from drug-checking results that have been seen, but the lower rungs
describe a risk that is possible or likely for people who use drugs, not observed harm.
``Extreme`` is kept for nothing: a drug alert is never a mass-casualty event notice.
A Cancel keeps the info blocks (CAP lets receivers show why) with urgency ``Past``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from .links import ChannelError, alert_static_url, check_base_url, iso, plain, text_for

NS = "urn:oasis:names:tc:emergency:cap:1.2"
XSD = Path(__file__).with_name("cap-v1.2.xsd")

CAP_LADDER = {
    "information": ("Future", "Minor", "Possible"),
    "caution": ("Expected", "Moderate", "Likely"),
    "warning": ("Immediate", "Severe", "Observed"),
}
CAP_LANGUAGE = {"en": "en-CA", "fr": "fr-CA"}
EVENT = {"en": "Toxic drug supply alert", "fr": "Alerte sur l'approvisionnement toxique en drogues"}
SENDER_NAME = {"en": "Supply Watch", "fr": "Supply Watch"}
MSG_TYPES = ("Alert", "Update", "Cancel")

# CAP 1.2 section 3.2.1: identifier and sender must not hold spaces, commas or < &.
_FORBIDDEN = set(" ,<&\t\n\r")


def sender_for(base_url: str) -> str:
    """CAP sender: ``SUPPLYWATCH_CAP_SENDER`` or 'supplywatch@<host of base_url>'."""
    sender = os.environ.get("SUPPLYWATCH_CAP_SENDER") or f"supplywatch@{urlsplit(base_url).hostname or 'localhost'}"
    if _FORBIDDEN & set(sender):
        raise ChannelError(f"CAP sender {sender!r} must not contain spaces, commas, '<' or '&'")
    return sender


def identifier(alert) -> str:
    """CAP identifier of one version: 'SW-2026-0007-v2' (unique per sender, no forbidden characters)."""
    ident = f"{alert.alert_id}-v{int(alert.version)}"
    if _FORBIDDEN & set(ident):
        raise ChannelError(f"alert id {alert.alert_id!r} cannot be a CAP identifier (space, comma, < or &)")
    return ident


def sent_time(alert):
    """When a version went out: its publication time, or its creation time for a never-published draft."""
    return alert.published_at or alert.created_at


def cap_xml(alert, *, base_url: str, referenced=None) -> bytes:
    """The CAP 1.2 document for ``alert``; ``referenced`` is the Alert named by ``alert.references``.

    Update and Cancel messages carry CAP's ``references`` as 'sender,identifier,sent'.
    """
    if alert.msg_type not in MSG_TYPES:
        raise ChannelError(f"alert {alert.alert_id}: msg_type {alert.msg_type!r} is not one of {', '.join(MSG_TYPES)}")
    if alert.severity not in CAP_LADDER:
        raise ChannelError(f"alert {alert.alert_id}: severity {alert.severity!r} is not on the ladder")
    base_url = check_base_url(base_url)
    sender = sender_for(base_url)
    root = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})

    def sub(parent, tag, value):
        el = etree.SubElement(parent, f"{{{NS}}}{tag}")
        el.text = value
        return el

    sub(root, "identifier", identifier(alert))
    sub(root, "sender", sender)
    sub(root, "sent", iso(sent_time(alert)))
    sub(root, "status", "Actual")
    sub(root, "msgType", alert.msg_type)
    sub(root, "scope", "Public")
    reason = plain(getattr(alert, "status_reason", None))
    if alert.msg_type == "Cancel" and reason:
        sub(root, "note", reason)  # why it was retracted, for receivers that show notes
    if alert.msg_type in ("Update", "Cancel"):
        if referenced is None:
            raise ChannelError(
                f"alert {alert.alert_id} v{alert.version} is an {alert.msg_type} but the version it references "
                f"({alert.references}) was not given"
            )
        sub(root, "references", f"{sender},{identifier(referenced)},{iso(sent_time(referenced))}")
    urgency, severity, certainty = CAP_LADDER[alert.severity]
    if alert.msg_type == "Cancel":
        urgency = "Past"
    for lang, cap_lang in CAP_LANGUAGE.items():
        text = text_for(alert, lang)
        info = sub(root, "info", None)
        sub(info, "language", cap_lang)
        sub(info, "category", "Health")
        sub(info, "event", EVENT[lang])
        sub(info, "responseType", "AllClear" if alert.msg_type == "Cancel" else "Avoid")
        sub(info, "urgency", urgency)
        sub(info, "severity", severity)
        sub(info, "certainty", certainty)
        if alert.expires_at is not None:
            sub(info, "expires", iso(alert.expires_at))
        sub(info, "senderName", SENDER_NAME[lang])
        sub(info, "headline", plain(text.headline))
        sub(info, "description", plain(text.details))
        sub(info, "instruction", plain(text.what_to_do))
        sub(info, "web", alert_static_url(base_url, alert, lang))  # the static page in this block's language
        for region in alert.regions:
            area = sub(info, "area", None)
            sub(area, "areaDesc", plain(region))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@functools.cache
def _schema():
    import xmlschema

    return xmlschema.XMLSchema(str(XSD))


def validation_errors(document: bytes) -> list[str]:
    """Every way ``document`` breaks the OASIS CAP 1.2 schema (empty list when valid)."""
    from io import BytesIO

    return [f"{err.path}: {err.reason}" for err in _schema().iter_errors(BytesIO(document))]
