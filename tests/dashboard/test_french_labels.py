"""Expected substances ('sold as') are named in the reader's language from the substance dictionary, in charts,
tables, the sidebar and the 'Showing:' line."""

import pytest

from supplywatch import i18n, views
from supplywatch.filters import Filters

FR = i18n.translator("fr")


@pytest.mark.parametrize(("value", "lang", "shown"), [
    ("heroin", "fr", "héroïne"),
    ("unknown opioid", "fr", "opioïde inconnu"),
    ("heroin", "en", "heroin"),
    ("fentanyl", "fr", "Fentanyl et analogues"),  # a class slug keeps its class name
    ("Purple down (as written)", "fr", "Purple down (as written)"),  # not in the dictionary: as the service wrote it
])
def test_expected_substance_names(value, lang, shown):
    assert views.target_label(value, FR if lang == "fr" else str, lang) == shown


def test_showing_line_names_the_expected_substance_in_french():
    ctx = views.Context(f=Filters(expected="heroin", region="Capital"), lang="fr", _=FR, staff=False, k=5)
    assert views.filter_summary(ctx) == "Région: Capital · Substance attendue: héroïne"
