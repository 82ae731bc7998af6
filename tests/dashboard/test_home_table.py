"""The home page's "Table of these numbers" is a plain table (an HTML table with header cells, no data grid): its
ten rows of text, in the reader's language, each cell shown as text."""

from __future__ import annotations

import pytest
import streamlit as st

from supplywatch import views

from .test_pages import run


def table_markdown(at) -> list[str]:
    [expander] = [e for e in at.expander if e.label in ("Table of these numbers", "Tableau de ces chiffres")]
    return [line for m in expander.markdown for line in m.value.splitlines()]


@pytest.mark.parametrize("lang, head, checked", [
    ("en", "| Measure | This week | Previous week |", "| Samples checked | 15 | 7 |"),
    ("fr", "| Mesure | Cette semaine | Semaine précédente |", "| Échantillons analysés | 15 | 7 |"),
])
def test_home_numbers_table_is_plain_text(fixture_db, lang, head, checked):
    at = run(params={"lang": lang})
    lines = table_markdown(at)
    assert lines[:2] == [head, "|---|---|---|"]
    assert checked in lines  # 15 samples this week, 7 the week before (tests/dashboard/conftest.py)
    assert len(lines) == 2 + 9  # samples checked, six substances, median fentanyl %, matched: as the metrics above
    assert not at.dataframe  # no grid on the home page


def test_text_table_cells_show_as_text(monkeypatch):
    shown = []
    monkeypatch.setattr(st, "markdown", shown.append)
    views.text_table([{"a": "x | y", "b": "*bold*\nnext"}, {"a": None, "b": "[link](https://e.org)"}],
                     {"a": "A", "b": "B"})
    assert shown == ["| A | B |\n|---|---|\n| x \\| y | \\*bold\\* next |\n|   | \\[link\\]\\(https\u2060\\://e\\.org\\) |"]
