"""The poster's DejaVu fonts, parsed once per process.

fpdf2 reads a TrueType file in ``add_font`` (the character map and the width of every
glyph: about 0.4 s for each of DejaVu Sans and Sans Bold), and that was most of the
time to publish an alert. What it derives from the file never changes, so the first
poster keeps it as a template and every later poster gets a copy of the template with
its own fresh per-document state: an unread, lazily loaded ``fontTools`` font (fpdf2
subsets that font in place when it writes the PDF, so it is never shared) and an empty
subset map. A poster therefore has the same bytes whether it is the first made in the
process or the hundredth.

The copy each poster embeds is read from the file once, too, without the OpenType layout
tables (GSUB, GPOS, GDEF, kern, MATH): fpdf2 without text shaping places glyphs by their
advance widths alone and never reads them, yet subsetting them when the PDF is written
took a third of a poster's time. The glyphs, metrics and hinting are untouched.
"""

from __future__ import annotations

import copy
import io
import threading
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

_TEMPLATES: dict[tuple[str, str, str], TTFFont] = {}
_FILES: dict[str, bytes] = {}
UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "MATH")
_LOCK = threading.Lock()  # two staff publishing at once must not parse twice or share a half-made template


def _template(path: Path, family: str, style: str) -> TTFFont:
    key = (str(path), family, style)
    with _LOCK:
        if key not in _TEMPLATES:
            scratch = FPDF()
            scratch.add_font(family, style, str(path))
            _TEMPLATES[key] = scratch.fonts[f"{family.lower()}{style}"]
        return _TEMPLATES[key]


def _embeddable(path: Path) -> bytes:
    """The font file without the layout tables a poster never uses, read once per process."""
    with _LOCK:
        if str(path) not in _FILES:
            font = ttLib.TTFont(str(path), recalcTimestamp=False)
            for tag in UNUSED_TABLES:
                if tag in font:
                    del font[tag]
            out = io.BytesIO()
            font.save(out)
            _FILES[str(path)] = out.getvalue()
        return _FILES[str(path)]


def add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """``pdf.add_font(family, style, path)`` without parsing the file again after the first time in this process."""
    template = _template(path, family, style)
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(io.BytesIO(_embeddable(path)), recalcTimestamp=False, lazy=True)
    font.cw = copy.copy(template.cw)  # a defaultdict: a lookup of a missing character adds it
    font._hbfont = None
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    pdf.fonts[f"{family.lower()}{style}"] = font


def parsed() -> int:
    """How many font files this process has parsed (for tests and the bench)."""
    return len(_TEMPLATES)
