"""English and French text, dates and numbers.

English strings in the code are the message ids (gettext style); French lives in
``supplywatch/locale/fr/LC_MESSAGES/*.po``, one catalogue per area (``supply.po``,
``alerts.po`` ...), merged at load. Mark every UI string with ``_("...")`` from
:func:`translator` so ``tests/test_i18n.py`` can check it has a French translation.
Placeholders use ``str.format`` names: ``_("{n} samples").format(n=...)``.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Callable

from babel import dates, numbers
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "fr": "Français"}
LOCALES = {"en": "en_CA", "fr": "fr_CA"}
LOCALE_DIR = Path(__file__).parent / "locale"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """All translations for ``lang`` (msgid -> msgstr), untranslated entries left out."""
    out: dict[str, str] = {}
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh, locale=lang):
                if msg.id and msg.string and not msg.fuzzy:
                    out[str(msg.id)] = str(msg.string)
    return out


def translator(lang: str) -> Callable[[str], str]:
    """A ``_`` function for ``lang``; English (or a missing French entry) returns the id unchanged."""
    if lang not in LANGUAGES or lang == "en":
        return lambda s: s
    cat = catalogue(lang)
    return lambda s: cat.get(s, s)


def format_date(value: dt.date | None, lang: str, fmt: str = "medium") -> str:
    """A date as readers of ``lang`` write it ('Mar 5, 2025' / '5 mars 2025'); '' for None."""
    if value is None:
        return ""
    return dates.format_date(value, format=fmt, locale=LOCALES.get(lang, "en_CA"))


def format_number(value: float | int | None, lang: str, digits: int = 0) -> str:
    """A number with the locale's grouping and decimal mark ('1,234.5' / '1 234,5')."""
    if value is None:
        return ""
    return numbers.format_decimal(
        value, format=f"#,##0{'.' + '0' * digits if digits else ''}", locale=LOCALES.get(lang, "en_CA")
    )


def format_percent(share: float | None, lang: str, digits: int = 0) -> str:
    """A share in 0..1 as a percentage ('42%' / '42 %'); '' for None."""
    if share is None:
        return ""
    # French typography puts a no-break space before the sign; babel drops it with a custom pattern.
    sign = "\u00a0%" if lang == "fr" else "%"
    return format_number(share * 100, lang, digits) + sign
