"""On-page choices live in the URL: a reload or a shared link shows the same substance, interval, population,
method comparison and overdose view; values that are not options are ignored."""

from __future__ import annotations

import pytest

from supplywatch.web import page_choices

from .test_pages import frame, run


@pytest.mark.parametrize("raw, found, value", [
    ("carfentanil", True, "carfentanil"),
    (["fentanyl", "carfentanil"], True, "carfentanil"),  # the last of a repeated key, as the filters read it
    (" month ", True, "month"),
    ("none", True, None),
    ("1", True, True),
    ("0", True, False),
    ("Carfentanil", False, None),  # exact option text only
    ("<script>", False, None),
    ("", False, None),
    (None, False, None),
])
def test_parse_accepts_only_an_option(raw, found, value):
    options = ("fentanyl", "carfentanil", "week", "month", None, False, True)
    assert page_choices.parse(raw, options) == (found, value)


def test_trends_choices_go_into_the_url(fixture_db):
    at = run("trends")
    assert not {"substance", "interval", "split", "population", "compare"} & set(at.query_params)
    at.selectbox(key="tr_target").set_value("carfentanil").run()
    at.radio(key="tr_period").set_value("month").run()
    at.radio(key="tr_population").set_value("opioid").run()
    at.toggle(key="tr_methods").set_value(True).run()
    assert {k: at.query_params[k] for k in ("substance", "interval", "population", "compare")} == {
        "substance": "carfentanil", "interval": "month", "population": "opioid", "compare": "1"}
    at.radio(key="tr_period").set_value("week").run()  # back to the default: out of the link
    assert "interval" not in at.query_params


def test_a_trends_link_reloads_to_the_same_choices(fixture_db):
    at = run("trends", params={"substance": "carfentanil", "interval": "month", "population": "opioid",
                               "compare": "1", "split": "region"})
    assert at.selectbox(key="tr_target").value == "carfentanil"
    assert at.radio(key="tr_period").value == "month"
    assert at.radio(key="tr_population").value == "opioid"
    assert at.radio(key="tr_group").value == "region"
    assert at.toggle(key="tr_methods").value is True
    assert at.radio(key="tr_group").disabled  # comparing methods: the methods are the lines


def test_a_trends_link_with_unknown_values_shows_the_defaults(fixture_db):
    at = run("trends", params={"substance": "heroin'--", "interval": "yearly", "compare": "yes"})
    assert at.selectbox(key="tr_target").value == "fentanyl"
    assert at.radio(key="tr_period").value == "week"
    assert at.toggle(key="tr_methods").value is False
    assert not {"substance", "interval", "compare"} & set(at.query_params)


def test_overdoses_choices_go_into_the_url_and_come_back(fixture_db):
    at = run("overdoses")
    assert at.selectbox(key="od_region").value == "all"
    at.selectbox(key="od_region").set_value("North").run()
    at.selectbox(key="od_target").set_value("xylazine").run()
    assert (at.query_params["show"], at.query_params["signal"]) == ("North", "xylazine")
    assert {r["Region"] for r in frame(at, "Value").to_dict("records")} == {"North"}

    again = run("overdoses", params={"show": "North", "signal": "xylazine", "measure": "deaths"})
    assert again.selectbox(key="od_region").value == "North"
    assert again.selectbox(key="od_target").value == "xylazine"
    assert again.selectbox(key="od_measure").value == "deaths"
    assert {r["Period"]: r["Value"] for r in frame(again, "Value").to_dict("records")} == {
        "2026 Q1": "not available (NA)"}
