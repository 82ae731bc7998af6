"""The PDF poster is letter size, and its text (accents included) can be extracted in both languages."""

import io

import pytest
from pypdf import PdfReader

from supplywatch.channels import poster

from .conftest import make_alert

URL = "https://alerts.example.org/alerts?alert=SW-2026-0007"


def extract(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


@pytest.mark.parametrize(
    "lang, must_contain",
    [
        ("en", ["WARNING", "Carfentanil found in down sold as fentanyl", "What to do", "Don't use alone.",
                "Scan for the latest version"]),
        ("fr", ["AVERTISSEMENT", "Carfentanil trouvé dans du down vendu comme fentanyl", "Que faire",
                "Ne consommez pas seul·e.", "Île-de-Montréal", "Balayez pour la version la plus récente"]),
    ],
)
def test_poster_text_is_extractable_with_accents(alert, lang, must_contain):
    reader, text = extract(poster.poster_pdf(alert, lang, URL))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US letter in points
    for phrase in must_contain:
        assert phrase in text
    assert URL in text


def test_poster_has_a_qr_image(alert):
    reader, _ = extract(poster.poster_pdf(alert, "en", URL))
    assert len(reader.pages[0].images) == 1


def test_poster_is_deterministic(alert):
    assert poster.poster_pdf(alert, "en", URL) == poster.poster_pdf(alert, "en", URL)


@pytest.mark.parametrize("severity, word", [("information", "INFORMATION"), ("caution", "PRUDENCE")])
def test_severity_is_a_word(severity, word):
    _, text = extract(poster.poster_pdf(make_alert(severity=severity), "fr", URL))
    assert text.startswith(word)


def test_retraction_says_so(alert):
    _, text = extract(poster.poster_pdf(make_alert(msg_type="Cancel", version=2), "en", URL))
    assert "RETRACTED: this alert was withdrawn" in text


def test_missing_font_is_a_clear_error(alert, monkeypatch, tmp_path):
    monkeypatch.setattr(poster, "FONT_DIR", tmp_path)
    with pytest.raises(poster.ChannelError, match="fonts-dejavu-core"):
        poster.poster_pdf(alert, "en", URL)


def test_long_text_flows_onto_more_pages_with_the_qr_code_last():
    from supplywatch.alerts.model import AlertText

    long = AlertText(headline="Headline " * 20, details="Long details sentence. " * 200,
                     what_to_do="Carry naloxone. " * 50)
    reader, text = extract(poster.poster_pdf(make_alert(text={"en": long, "fr": long}), "en", URL))
    assert len(reader.pages) > 1
    assert [len(p.images) for p in reader.pages][-1] == 1
    assert text.count("Carry naloxone.") == 50


# Published 06:30 UTC on 27 Nov = 22:30 PST on the 26th; expires 07:00 UTC on 11 Dec = 23:00 PST on the 10th. The
# poster used to print the UTC dates (27 Nov, 11 Dec): a warning read on the evening of the 10th as valid a day more.
# (extract() folds the narrow no-break space Babel puts before p.m. into a space.)
@pytest.mark.parametrize("lang, issued, until", [
    ("en", "Issued: 2026-11-26, 10:30 p.m. PST", "Until: 2026-12-10, 11:00 p.m. PST"),
    ("fr", "Publiée le : 2026-11-26 22 h 30 HNP", "Jusqu'au : 2026-12-10 23 h 00 HNP"),
])
def test_poster_dates_are_on_the_deployments_clock(monkeypatch, lang, issued, until):
    import datetime as dt

    from supplywatch import local_time

    monkeypatch.setenv(local_time.ENV, "America/Vancouver")
    alert = make_alert(published_at=dt.datetime(2026, 11, 27, 6, 30, tzinfo=dt.timezone.utc),
                       expires_at=dt.datetime(2026, 12, 11, 7, 0, tzinfo=dt.timezone.utc))
    _, text = extract(poster.poster_pdf(alert, lang, URL))
    assert issued in text and until in text
    assert "2026-11-27" not in text and "2026-12-11" not in text
