"""SMS texts fit one GSM-7 message in English and French, whatever staff type."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplywatch.alerts.model import AlertText
from supplywatch.channels import sms

from .conftest import make_alert

URL = "https://alerts.example.org/alerts?alert=SW-2026-0007"


def septets_ok(text: str) -> bool:
    return all(ch in sms.GSM7_BASIC or ch in sms.GSM7_EXTENSION for ch in text) and sms.gsm7_length(text) <= 160


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "WARNING: Carfentanil found in down sold as fentanyl Don't use alone. Carry naloxone and start low, "
               "go slow. " + URL),
        ("fr", "AVERTISSEMENT: Carfentanil trouvé dans du down vendu comme fentanyl Ne consommez pas seul.e. " + URL),
    ],
)
def test_texts_for_the_sample_alert(alert, lang, expected):
    text = sms.sms_text(alert, lang, URL)
    assert text == expected
    assert septets_ok(text)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("été à Montréal", "été à Montréal"),  # é, à are in GSM-7: kept
        ("fenêtre côté âme île flûte", "fenetre coté ame ile flute"),  # ê ô â î û are not
        ("ça Ça", "Ça Ça"),  # GSM-7 has only the capital cedilla
        ("cœur « guillemets » – tiret…", 'coeur " guillemets " - tiret...'),
        ("À l'Hôpital", "A l'Hopital"),
        ("line\r\nbreak\ttab\u00a0nbsp", "line break tab nbsp"),
        ("emoji 💊 and 中文", "emoji ? and ??"),
    ],
)
def test_transliteration(raw, expected):
    assert sms.to_gsm7(raw) == expected


@pytest.mark.parametrize("text, septets", [("abc", 3), ("€10", 4), ("[x]{y}", 10), ("é\n", 2)])
def test_extension_characters_count_twice(text, septets):
    assert sms.gsm7_length(text) == septets


def test_non_gsm_character_is_named():
    with pytest.raises(ValueError, match=r"^'ê' \(U\+00EA\) is not a GSM-7 character$"):
        sms.gsm7_length("tête")


@pytest.mark.parametrize("msg_type, lang, start", [
    ("Cancel", "en", "WARNING RETRACTED: "), ("Update", "fr", "AVERTISSEMENT MISE A JOUR: "),
    ("Cancel", "fr", "AVERTISSEMENT RETIRÉE: "),
])
def test_updates_and_retractions_are_labelled(msg_type, lang, start):
    assert sms.sms_text(make_alert(msg_type=msg_type, version=2), lang, URL).startswith(start)


def test_long_headline_is_cut_at_a_word_and_link_kept():
    long = AlertText(headline="Fentanyl mixed with medetomidine " * 10, details="", what_to_do="Carry naloxone.")
    text = sms.sms_text(make_alert(text={"en": long, "fr": long}), "en", URL)
    assert septets_ok(text)
    assert text.endswith("... " + URL)
    assert "medetomidine..." in text or "with..." in text or "Fentanyl..." in text


def test_overlong_link_is_left_out():
    url = "https://alerts.example.org/" + "x" * 100
    text = sms.sms_text(make_alert(), "en", url)
    assert "https://" not in text and septets_ok(text)


texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=400
)
french = st.text(alphabet="abcdeéèêëàâîïôöùûüçÇÉÈÊÀÂÎÔŒœ «»’–—… .,;:!?'\"€[]{}~^|\\", max_size=300)


@settings(max_examples=300, deadline=None)
@given(headline=st.one_of(texts, french), todo=st.one_of(texts, french), lang=st.sampled_from(["en", "fr"]),
       severity=st.sampled_from(["information", "caution", "warning"]),
       msg_type=st.sampled_from(["Alert", "Update", "Cancel"]))
def test_any_text_fits_one_gsm7_message(headline, todo, lang, severity, msg_type):
    text_ = AlertText(headline=headline or "x", details="", what_to_do=todo)
    out = sms.sms_text(make_alert(text={"en": text_, "fr": text_}, severity=severity, msg_type=msg_type), lang, URL)
    assert septets_ok(out), out
    assert out.startswith(sms.LABELS[lang][severity])
    assert out.endswith(URL)
