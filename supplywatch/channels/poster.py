"""Printable US-letter PDF poster of one alert version in one language (fpdf2 + DejaVu).

One PDF per language: a poster is read from across a room, and two languages at
poster size would halve the headline. Severity is a word inside a shape (triangle
for warning, diamond for caution, circle for information), never colour alone.
The QR code points at the alert's public page.
"""

from __future__ import annotations

import math
from pathlib import Path

import qrcode
from fpdf import FPDF

from ..weblinks import link_problem
from .feeds import SEVERITY_WORD
from .. import local_time
from ..help_directory import HEADING
from .help_block import entries_for
from .links import ChannelError, plain, text_for, utc
from .poster_fonts import add_font

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_HINT = "install the Debian package fonts-dejavu-core (make sysdeps)"

# Okabe-Ito colours; the shape and the word carry the meaning, the colour only helps.
COLOURS = {"warning": (213, 94, 0), "caution": (230, 159, 0), "information": (0, 114, 178)}
SHAPES = {"warning": "triangle", "caution": "diamond", "information": "circle"}
WORDS = {
    "en": {"details": "What we found", "todo": "What to do", "issued": "Issued", "expires": "Until",
           "scan": "Scan for the latest version of this alert", "retracted": "RETRACTED: this alert was withdrawn",
           "update": "UPDATED: this version replaces an earlier one", "regions": "Where"},
    "fr": {"details": "Ce que nous avons trouvé", "todo": "Que faire", "issued": "Publiée le", "expires": "Jusqu'au",
           "scan": "Balayez pour la version la plus récente de cette alerte",
           "retracted": "RETIRÉE : cette alerte a été annulée",
           "update": "MISE À JOUR : cette version remplace une version antérieure", "regions": "Où"},
}


def _fonts(pdf: FPDF) -> None:
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not regular.exists() or not bold.exists():
        raise ChannelError(f"poster font {regular} is missing: {FONT_HINT}")
    add_font(pdf, "DejaVu", "", regular)  # parsed once per process (poster_fonts)
    add_font(pdf, "DejaVu", "B", bold)


def _help(pdf: FPDF, alert, lang: str, help_entries, width: float, bottom: float) -> None:
    """'Where to get help' and one line per entry while they fit above ``bottom`` (never a second page)."""
    shown = entries_for(alert, help_entries)[:HELP_ON_POSTER]
    if not shown or pdf.get_y() + 9 + 6.5 > bottom:
        return
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 8, HEADING[lang], align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 12)
    for entry in shown:
        line = entry.line(lang)
        lines = len(pdf.multi_cell(width, 6, line, dry_run=True, output="LINES"))
        if pdf.get_y() + lines * 6 > bottom:
            break
        pdf.multi_cell(width, 6, line, align="L", new_x="LMARGIN", new_y="NEXT")


def _shape(pdf: FPDF, kind: str, x: float, y: float, size: float) -> None:
    """Draw the severity shape with its outline in black so it reads in greyscale."""
    if kind == "triangle":
        pts = [(x + size / 2, y), (x + size, y + size), (x, y + size)]
    elif kind == "diamond":
        pts = [(x + size / 2, y), (x + size, y + size / 2), (x + size / 2, y + size), (x, y + size / 2)]
    else:
        pts = [
            (x + size / 2 + size / 2 * math.cos(t * math.pi / 18), y + size / 2 + size / 2 * math.sin(t * math.pi / 18))
            for t in range(36)
        ]
    pdf.polygon(pts, style="DF")


HELP_ON_POSTER = 4  # entries at most: the poster stays one page, read from across a room


def poster_pdf(alert, lang: str, url: str, help_entries=()) -> bytes:
    """The poster as PDF bytes; the same alert, language, URL and help entries always give the same bytes.

    Up to :data:`HELP_ON_POSTER` help entries for the alert's regions go above the QR code, as many as fit
    on the one page (the rest are on the alert's page the code leads to).
    """
    problem = link_problem(url)
    if problem:  # the QR code and the printed address must be the alert's real page
        raise ChannelError(f"poster link refused: {problem}")
    text = text_for(alert, lang)
    words = WORDS[lang]
    pdf = FPDF(orientation="P", unit="mm", format="letter")
    pdf.set_creation_date(utc(alert.published_at or alert.created_at))
    pdf.set_title(plain(text.headline))
    pdf.set_lang("fr-CA" if lang == "fr" else "en-CA")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(18, 16, 18)
    _fonts(pdf)
    pdf.add_page()
    colon = " :" if lang == "fr" else ":"
    width = pdf.w - pdf.l_margin - pdf.r_margin

    # Severity band: shape + word.
    colour = COLOURS.get(alert.severity, (0, 0, 0))
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.8)
    pdf.set_fill_color(*colour)
    _shape(pdf, SHAPES.get(alert.severity, "circle"), pdf.l_margin, pdf.get_y(), 24)
    pdf.set_xy(pdf.l_margin + 30, pdf.get_y() + 4)
    pdf.set_font("DejaVu", "B", 34)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(width - 30, 16, SEVERITY_WORD[lang][alert.severity].upper())
    pdf.set_y(pdf.get_y() + 26)

    if alert.msg_type in ("Update", "Cancel"):
        pdf.set_font("DejaVu", "B", 18)
        banner = words["retracted" if alert.msg_type == "Cancel" else "update"]
        reason = plain(getattr(alert, "status_reason", None)) if alert.msg_type == "Cancel" else ""
        pdf.multi_cell(width, 9, f"{banner}\n{reason}" if reason else banner, border=1, align="L",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    pdf.set_font("DejaVu", "B", 30)
    pdf.multi_cell(width, 13, plain(text.headline), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if alert.regions:
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(width, 7, f"{words['regions']}{colon} {', '.join(plain(r) for r in alert.regions)}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for heading, body in ((words["details"], text.details), (words["todo"], text.what_to_do)):
        if not plain(body):
            continue
        pdf.set_font("DejaVu", "B", 18)
        pdf.multi_cell(width, 9, heading, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 15)
        pdf.multi_cell(width, 7.5, plain(body), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    qr_size = 45
    _help(pdf, alert, lang, help_entries, width, pdf.h - pdf.b_margin - qr_size - 4)

    # QR code and dates at the foot of the page (a new page only if the text ran long).
    if pdf.get_y() > pdf.h - pdf.b_margin - qr_size:
        pdf.add_page()
    top = pdf.h - pdf.b_margin - qr_size
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    pdf.image(qr.make_image().get_image(), x=pdf.l_margin, y=top, w=qr_size, h=qr_size)
    left, text_width = pdf.l_margin + qr_size + 6, width - qr_size - 6
    pdf.set_xy(left, top + 2)
    pdf.set_font("DejaVu", "", 12)
    pdf.multi_cell(text_width, 6.5, words["scan"], align="L", new_x="LMARGIN", new_y="NEXT")
    _address(pdf, url, left, text_width)
    pdf.set_x(left)
    pdf.set_font("DejaVu", "", 12)
    lines = []
    if alert.published_at:
        lines.append(f"{words['issued']}{colon} {local_time.format_local(alert.published_at, lang)}")
    if alert.expires_at:
        # The day and the clock time on the deployment's clock: a UTC date is a day late every evening in the west.
        lines.append(f"{words['expires']}{colon} {local_time.format_local(alert.expires_at, lang)}")
    lines.append(f"{alert.alert_id} v{int(alert.version)}")
    pdf.multi_cell(text_width, 6.5, "\n".join(lines), align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _address(pdf: FPDF, url: str, left: float, width: float) -> None:
    """The printed address on one line (a wrapped address gets typed wrong): 12 pt, smaller down to 7 pt if needed."""
    size = 12.0
    pdf.set_font("DejaVu", "B", size)
    while size > 7 and pdf.get_string_width(url) > width:
        size -= 0.5
        pdf.set_font("DejaVu", "B", size)
    pdf.set_x(left)
    pdf.cell(width, 6.5, url, new_x="LMARGIN", new_y="NEXT")
