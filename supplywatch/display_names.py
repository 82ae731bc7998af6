"""Substance and class names as readers see them, in one casing: the page's label for a class or headline
target ('Fentanyl & analogues'), else the substance dictionary's display name ('MDMA', 'heroin' / 'héroïne'),
written in sentence case so 'mdma' and 'Medetomidine' never sit side by side as 'mdma' and 'medetomidine'."""

from __future__ import annotations

from typing import Callable

from . import dictionary


def sentence_case(text: str) -> str:
    """The first letter upper case, the rest as written ('heroin' -> 'Heroin', 'MDMA', 'U-47700', '4-FA' kept)."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def display_name(name: str | None, target_label: Callable[[str], str], lang: str) -> str:
    """``target_label(name)`` when it names ``name`` (a class or target slug), else the dictionary's label for
    ``lang``; a name the dictionary does not know comes back as written; all in sentence case."""
    if not name:
        return ""
    shown = target_label(name)
    if shown == name:
        shown = dictionary.substance_label(name, lang)
    return sentence_case(shown)
