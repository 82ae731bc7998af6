"""The "where to get help" part of each channel, from the entries for an alert's regions (supplywatch.help_directory).

The same entries everywhere: a list in the board pages and mails, plain lines in the text mail,
fields in the JSON feed item (and so in each webhook body), a few lines on the poster and,
when there is room, the first phone number in the SMS. Entries are already plain text
(cleaned when loaded); HTML escapes them again here.
"""

from __future__ import annotations

from html import escape

from ..help_directory import ALWAYS_OPEN, HEADING, KIND_LABELS, for_regions

SMS_WORD = {"en": "Help", "fr": "Aide"}


def entries_for(alert, entries) -> list:
    return for_regions(list(entries or ()), alert.regions) if entries else []


def json_items(alert, entries, lang: str) -> list[dict]:
    """The entries as the JSON feed item's ``_supplywatch.help`` (both the name and the kind in ``lang``)."""
    return [{"kind": e.kind, "kind_label": KIND_LABELS[lang][e.kind], "region": e.region, "name": e.name[lang],
             "address": e.address or None, "hours": ALWAYS_OPEN[lang] if e.open_24_7 else e.hours.get(lang),
             "open_24_7": e.open_24_7, "phone": e.phone, "url": e.url, "notes": e.notes.get(lang)}
            for e in entries_for(alert, entries)]


def text_lines(alert, entries, lang: str) -> str:
    """'Where to get help:' then one line per entry (notes after a dash), or '' when there is none."""
    shown = entries_for(alert, entries)
    if not shown:
        return ""
    colon = " :" if lang == "fr" else ":"
    lines = [f"- {e.line(lang)}" + (f" ({e.notes[lang]})" if e.notes.get(lang) else "") + (f" {e.url}" if e.url else "")
             for e in shown]
    return f"{HEADING[lang]}{colon}\n" + "\n".join(lines)


def html_list(alert, entries, lang: str, heading: str = "h3") -> str:
    """'<h3>Where to get help</h3><ul>...</ul>' with each name linked to its site when it has one; '' when none."""
    shown = entries_for(alert, entries)
    if not shown:
        return ""
    items = []
    for e in shown:
        text = escape(e.line(lang))
        if e.notes.get(lang):
            text += f" ({escape(e.notes[lang])})"
        if e.url:
            text += f' <a href="{escape(e.url, quote=True)}">{escape(e.url)}</a>'
        items.append(f"<li>{text}</li>")
    return f"<{heading}>{escape(HEADING[lang])}</{heading}><ul>{''.join(items)}</ul>"


def sms_part(alert, entries, lang: str) -> str:
    """'Help: 555-0101' (the first entry's phone) or ''."""
    shown = entries_for(alert, entries)
    return f"{SMS_WORD[lang]}: {shown[0].phone}" if shown else ""
