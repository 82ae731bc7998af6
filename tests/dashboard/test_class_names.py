"""Each class has exactly one English and one French name, in supplywatch.classes, and every page says it: a class
named "Cuts and buffers" on a chart and "Cuts & fillers" in an alert cannot happen."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from supplywatch import classes, dictionary, display_names, i18n, metrics, views

LANGS = ("en", "fr")


def test_no_two_classes_share_a_name():
    for lang in LANGS:
        names = [classes.label(slug, lang) for slug in classes.CLASSES]
        assert len(set(names)) == len(names), lang


@pytest.mark.parametrize("slug", sorted(classes.CLASSES))
def test_the_catalogue_has_no_second_name_for_a_class(slug):
    """No .po entry names the class otherwise: no other English id for its French name, no other French for its
    English name."""
    en, fr = classes.label(slug, "en"), classes.label(slug, "fr")
    catalogue = i18n.catalogue("fr")
    assert {msgid for msgid, msgstr in catalogue.items() if msgstr == fr} <= {en}
    assert catalogue.get(en, fr) == fr


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", sorted(classes.CLASSES))
def test_pages_name_a_class_as_the_vocabulary_does(slug, lang):
    assert views.target_label(slug, i18n.translator(lang), lang) == classes.label(slug, lang)


@pytest.mark.parametrize(("target", "lang", "shown"), [
    ("carfentanil", "en", "Carfentanil"), ("xylazine", "fr", "Xylazine"), ("medetomidine", "fr", "Médétomidine"),
    ("heroin", "fr", "héroïne"),  # an expected substance, as the dictionary writes it
])
def test_substances_are_named_by_the_dictionary(target, lang, shown):
    assert views.target_label(target, i18n.translator(lang), lang) == shown


def names_on(page: str, label: str, lang: str) -> list[str]:
    """The options of the select box ``label`` on ``page``, as the reader sees them."""
    at = AppTest.from_file("../../dashboard.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (box,) = [s for s in at.selectbox if s.label == i18n.translator(lang)(label)]
    return list(box.options)


@pytest.mark.parametrize("lang", LANGS)
def test_trends_and_overdoses_name_classes_as_the_vocabulary(fixture_db, lang):
    def name(target: str) -> str:
        if target in classes.CLASSES:
            return classes.label(target, lang)
        return display_names.sentence_case(dictionary.substance_label(target, lang))

    trends = names_on("trends", "Substance or class", lang)
    assert trends == [name(t) for t in (*metrics.HEADLINE_TARGETS, "alpha2_sedative", "opioid_other", "stimulant",
                                         "cut")]
    assert classes.label("cut", lang) in trends and classes.label("benzodiazepine", lang) in trends
    assert names_on("overdoses", "Supply signal", lang) == [name(t) for t in metrics.HEADLINE_TARGETS]
