"""The poster fonts are parsed once per process, and sharing them never changes a poster's bytes."""

import dataclasses

from fpdf import FPDF

from supplywatch.alerts.model import AlertText
from supplywatch.channels import poster, poster_fonts

from .conftest import make_alert

URL = "https://alerts.example.org/alerts?alert=SW-2026-0007"


def parsed_per_poster(pdf: FPDF, family: str, style: str, path) -> None:
    """How fpdf2 adds a font on its own: reading the file again for every document."""
    pdf.add_font(family, style, str(path))


def test_shared_fonts_give_the_same_bytes_as_fonts_parsed_for_each_poster(monkeypatch):
    greek = make_alert(text={**make_alert().text, "en": AlertText(
        headline="Xylazine (α2 agonist) in dope – ≥ 2 samples ‰", details="Ωmega strip · µg", what_to_do="Ask → staff")})
    alerts = [make_alert(), greek, make_alert(alert_id="SW-2026-0008", regions=("Nunavut",))]
    shared = [poster.poster_pdf(a, lang, URL) for a in alerts for lang in ("en", "fr")]
    # Again in another order: no glyph of one poster leaks into the next one's embedded subset.
    again = [poster.poster_pdf(a, lang, URL) for a in reversed(alerts) for lang in ("fr", "en")]
    assert again == [shared[i] for i in (5, 4, 3, 2, 1, 0)]
    monkeypatch.setattr(poster, "add_font", parsed_per_poster)
    assert [poster.poster_pdf(a, lang, URL) for a in alerts for lang in ("en", "fr")] == shared


def test_each_font_file_is_parsed_once_per_process():
    poster.poster_pdf(make_alert(), "en", URL)
    before = poster_fonts.parsed()
    for version in range(2, 5):
        poster.poster_pdf(dataclasses.replace(make_alert(), version=version), "fr", URL)
    assert before == poster_fonts.parsed() == 2  # DejaVu Sans and DejaVu Sans Bold
