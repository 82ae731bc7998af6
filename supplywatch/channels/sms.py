"""SMS text of one alert: at most 160 GSM-7 characters (one message), English or French.

GSM 03.38 has a basic set (1 septet each) and an extension set reached by an escape
(2 septets each). French accents the basic set has are kept (é è à ù ì ò É Ç ...);
the others are transliterated (ê->e, ô->o, â->a, î->i, û->u, ç->Ç, œ->oe, À->A ...)
so the message stays one GSM-7 segment instead of falling back to UCS-2 (70 chars).
"""

from __future__ import annotations

import re
import unicodedata

from ..weblinks import public_link
from .help_block import sms_part
from .links import alert_file, file_url, plain, text_for

LIMIT = 160

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")

# What GSM-7 lacks, mapped to what a French or English reader expects to see.
TRANSLITERATE = {
    "ç": "Ç", "â": "a", "ê": "e", "ë": "e", "î": "i", "ï": "i", "ô": "o", "û": "u", "ÿ": "y",
    "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I", "Ô": "O", "Ù": "U", "Û": "U",
    "Ÿ": "Y", "œ": "oe", "Œ": "OE", "á": "a", "í": "i", "ó": "o", "ú": "u", "Á": "A", "Í": "I", "Ó": "O",
    "Ú": "U", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "–": "-",
    "—": "-", "‑": "-", "−": "-", "…": "...", "•": "-", "·": ".", "\u00a0": " ", "\u202f": " ",
    "\u2009": " ", "\t": " ", "°": "o", "×": "x", "½": "1/2", "¼": "1/4", "µ": "u",
}
LABELS = {
    "en": {"information": "INFO", "caution": "CAUTION", "warning": "WARNING", "Update": "UPDATE",
           "Cancel": "RETRACTED"},
    "fr": {"information": "INFO", "caution": "PRUDENCE", "warning": "AVERTISSEMENT", "Update": "MISE A JOUR",
           "Cancel": "RETIRÉE"},
}
# A link longer than this would crowd out the message itself; then the text goes without it.
MAX_LINK = 70


def gsm7_char(ch: str) -> str:
    """``ch`` as GSM-7 text (possibly several characters, '?' when nothing fits)."""
    if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
        return ch
    if ch in TRANSLITERATE:
        return TRANSLITERATE[ch]
    stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if stripped and all(c in GSM7_BASIC for c in stripped):
        return stripped
    if unicodedata.category(ch).startswith(("Z", "C")):  # other spaces and controls
        return " "
    return "?"


def to_gsm7(text: str) -> str:
    """``text`` with every character in the GSM-7 sets and white space collapsed to single spaces."""
    out = "".join(gsm7_char(ch) for ch in unicodedata.normalize("NFC", text))
    return re.sub(r"\s+", " ", out.replace("\f", " ")).strip()


def gsm7_length(text: str) -> int:
    """Septets ``text`` takes: extension characters count 2. Raises ValueError outside GSM-7."""
    total = 0
    for ch in text:
        if ch in GSM7_BASIC:
            total += 1
        elif ch in GSM7_EXTENSION:
            total += 2
        else:
            raise ValueError(f"{ch!r} (U+{ord(ch):04X}) is not a GSM-7 character")
    return total


def _fit(text: str, budget: int) -> str:
    """``text`` cut at a word boundary to at most ``budget`` septets, with '...' when cut."""
    if gsm7_length(text) <= budget:
        return text
    if budget < 4:
        return ""
    cut = text
    while cut and gsm7_length(cut) > budget - 3:
        cut = cut[:-1]
    if " " in cut[len(cut) // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "..."


def sentences(text: str) -> list[str]:
    """``text`` split after '.', '!' or '?' followed by white space."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def short_guidance(text: str, budget: int) -> str:
    """As many whole sentences of the guidance as fit in ``budget`` septets (at least the first, shortened)."""
    parts = sentences(text)
    if not parts:
        return ""
    out = parts[0]
    for sentence in parts[1:]:
        if gsm7_length(f"{out} {sentence}") > budget:
            break
        out = f"{out} {sentence}"
    return _fit(out, budget)


def page_link(url: str | None) -> str:
    """``url`` as the SMS carries it (GSM-7), or '' when it cannot go in whole: not a plain web link, longer than
    :data:`MAX_LINK` septets, or with a character GSM-7 only reaches by escape."""
    url = public_link(url)  # a link that could break out of a message or hide its target is left out
    link = to_gsm7(url) if url else ""
    if not link or gsm7_length(link) > MAX_LINK or any(ch in GSM7_EXTENSION for ch in link):
        return ""
    return link


def languages_without_link(base_url: str) -> list[str]:
    """The languages whose SMS would go out without the alert's page link under this deployment's addresses, tried
    with an id as long as the store's (SW-2026-0007). Staff are told (app_pages/staff_alerts.py): the text still
    goes out, and a reader can still find the alert on the board. Raises ChannelError for an address that is not
    http(s)."""
    return [lang for lang in LABELS if not page_link(file_url(base_url, alert_file("SW-2026-0007", lang)))]


def sms_text(alert, lang: str, url: str | None, help_entries=()) -> str:
    """'WARNING: <headline> <what to do, whole sentences that fit> <url>' in at most 160 GSM-7 septets.

    The label and the link are kept whole; the what-to-do is shortened first, then the headline. When the
    help directory has an entry for the alert's regions and there is room left, 'Help: <its phone>' goes
    before the link.
    """
    text = text_for(alert, lang)
    labels = LABELS[lang]
    label = labels.get(alert.msg_type) if alert.msg_type in ("Update", "Cancel") else None
    label = f"{labels[alert.severity]} {label}" if label else labels[alert.severity]
    label = to_gsm7(label) + ":"
    link = page_link(url)
    headline = to_gsm7(plain(text.headline))
    todo = to_gsm7(plain(text.what_to_do))
    fixed = gsm7_length(label) + 1 + (gsm7_length(link) + 1 if link else 0)
    room = LIMIT - fixed
    headline_len = gsm7_length(headline)
    if headline_len + 1 + 20 <= room:  # keep the headline whole, fit the guidance after it
        body = f"{headline} {short_guidance(todo, room - headline_len - 1)}".strip()
    else:
        body = _fit(headline, room)
    text = " ".join(part for part in (label, body, link) if part)
    extra = to_gsm7(sms_part(alert, help_entries, lang))
    if extra and gsm7_length(text) + 1 + gsm7_length(extra) <= LIMIT:
        text = " ".join(part for part in (label, body, extra, link) if part)
    return text
