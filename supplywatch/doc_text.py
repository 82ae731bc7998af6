"""The project's Markdown documents (data dictionary, methods) shown inside a page, in the reader's language.

A document shown under a page's own title must not bring a second ``<h1>`` (screen-reader users jump by heading
level, and one H1 per page says what the page is): every heading goes one level down, so the document's ``#``
title becomes an ``<h2>`` under the page's ``<h1>``. Lines inside fenced code blocks are left alone.

A French reader gets ``docs/fr/<name>`` when it exists; otherwise the English file, and the page says so.
"""

from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^(#{1,5})(?=\s)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def demote_headings(text: str, by: int = 1) -> str:
    """Every ATX heading ``by`` levels lower (at most ``######``); fenced code is left as written."""
    out, fenced = [], False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            line = _HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + by), line, count=1)
        out.append(line)
    return "".join(out)


def document(folder: Path, name: str, lang: str) -> tuple[str, str] | None:
    """(the document's text with headings under a page's H1, the language it is written in), or None when
    neither the reader's language nor English is installed."""
    tried = ([(folder / lang / name, lang)] if lang != "en" else []) + [(folder / name, "en")]
    for path, written_in in tried:
        if path.is_file():
            return demote_headings(path.read_text(encoding="utf-8")), written_in
    return None
