"""A French document (docs/fr/<name>.md) keeps the shape of its English original, and the Data page in French
shows it instead of the "English only" notice.

The Data page shows docs/fr/<name>.md to French readers whenever it exists (supplywatch/doc_text.py), so a French
file that falls behind its English original would silently hide a section from them. Each French file must have:
the same sequence of heading levels (a section added in English without its French fails, naming the heading), the
same number of rows in each table, and the same fenced code blocks byte for byte (commands are not translated).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from supplywatch import doc_text
from tests.dashboard.test_pages import run

DOCS = Path(__file__).resolve().parents[2] / "docs"
FRENCH = sorted((DOCS / "fr").glob("*.md"))

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def shape(text: str) -> tuple[list[tuple[int, str]], list[int], list[str]]:
    """(headings as (level, title), rows per table, fenced code blocks as written); nothing in a fence is a heading."""
    headings, tables, fences = [], [], []
    block: list[str] | None = None
    in_table = False
    for line in text.splitlines(keepends=True):
        if block is not None:  # inside a fence: kept byte for byte, never a heading or a table
            block.append(line)
            if _FENCE.match(line):
                fences.append("".join(block))
                block = None
            continue
        if _FENCE.match(line):
            block, in_table = [line], False
            continue
        if line.lstrip().startswith("|"):
            if not in_table:
                tables.append(0)
            tables[-1] += 1
            in_table = True
            continue
        in_table = False
        m = _HEADING.match(line)
        if m:
            headings.append((len(m.group(1)), m.group(2)))
    if block is not None:
        fences.append("".join(block))  # an unclosed fence still has to match
    return headings, tables, fences


def heading_problems(english: list[tuple[int, str]], french: list[tuple[int, str]]) -> list[str]:
    """What differs between two heading outlines, naming the English headings concerned.

    Headings written the same in both (table names such as ``samples``) are anchors; between two anchors the
    levels must match one for one. Where they do not, every English heading of that stretch is named (levels
    alone cannot say which of two same-level headings is the new one)."""
    def split(outline, other):
        anchors, runs = [], [[]]
        for heading in outline:
            if heading in other:
                anchors.append(heading)
                runs.append([])
            else:
                runs[-1].append(heading)
        return anchors, runs

    def named(headings):
        return ", ".join(f"{'#' * lvl} {title}" for lvl, title in headings) or "(none)"

    en_anchors, en_runs = split(english, set(french))
    fr_anchors, fr_runs = split(french, set(english))
    if en_anchors != fr_anchors:  # the same title twice, or in another order
        return [f"English {named(en_anchors)} <-> French {named(fr_anchors)}"]
    return [f"English {named(en)} <-> French {named(fr)}"
            for en, fr in zip(en_runs, fr_runs) if [lvl for lvl, _ in en] != [lvl for lvl, _ in fr]]


def test_there_is_a_french_document():
    assert DOCS / "fr" / "data-dictionary.md" in FRENCH


@pytest.mark.parametrize("french", FRENCH, ids=[p.name for p in FRENCH])
def test_a_french_document_has_the_shape_of_its_english_original(french):
    english = DOCS / french.name
    assert english.is_file(), f"docs/fr/{french.name} has no English original docs/{french.name}"
    en_head, en_tables, en_fences = shape(english.read_text(encoding="utf-8"))
    fr_head, fr_tables, fr_fences = shape(french.read_text(encoding="utf-8"))
    assert heading_problems(en_head, fr_head) == [], f"docs/fr/{french.name}: headings differ from the English"
    assert fr_tables == en_tables, f"docs/fr/{french.name}: rows per table {fr_tables}, English {en_tables}"
    assert fr_fences == en_fences, f"docs/fr/{french.name}: fenced code blocks differ from the English"


EN_DOC = """# Guide
## samples
Text.
| a | b |
|---|---|
| 1 | 2 |
```sh
# a comment, not a heading
python -m etl load x.csv
```
## Exports
"""
FR_DOC = EN_DOC.replace("# Guide", "# Guide (fr)").replace("Text.", "Texte.").replace("## Exports", "## Exportations")


def test_the_shape_check_itself():
    """The comparison above catches what it is for: a matching pair passes, and each kind of drift is reported."""
    en, fr = shape(EN_DOC), shape(FR_DOC)
    assert en[0] == [(1, "Guide"), (2, "samples"), (2, "Exports")]  # the fenced '# a comment' is no heading
    assert (en[1], en[2]) == (fr[1], fr[2]) and heading_problems(en[0], fr[0]) == []
    # A section added in English only is named, even between two translated headings.
    added = EN_DOC.replace("## Exports", "## Retention\n## Exports")
    assert heading_problems(shape(added)[0], fr[0]) == ["English ## Retention, ## Exports <-> French ## Exportations"]
    assert heading_problems(shape(EN_DOC.replace("## samples", "## samples\n### new"))[0], fr[0]) == [
        "English ### new, ## Exports <-> French ## Exportations"]
    assert heading_problems(en[0], shape(FR_DOC.replace("## Exportations", "### Exportations"))[0]) != []
    assert shape(EN_DOC.replace("| 1 | 2 |", "| 1 | 2 |\n| 3 | 4 |"))[1] != fr[1]
    assert shape(EN_DOC.replace("load x.csv", "load y.csv"))[2] != fr[2]


def test_the_data_page_in_french_shows_the_french_dictionary(fixture_db):
    at = run("data", params={"lang": "fr"})
    tab = next(t for t in at.tabs if t.label == "Dictionnaire de données")
    english_only = "Ce document n'existe pour l'instant qu'en anglais."  # ENGLISH_ONLY in French (data.po)
    assert [i.value for i in tab.info] == []  # not the "English only" notice
    shown = [m.value for m in tab.markdown]
    first = next(line for line in (DOCS / "fr" / "data-dictionary.md").read_text(encoding="utf-8").splitlines()
                 if line.startswith("#"))
    assert first == "# Dictionnaire de données"
    assert any(m.startswith(f"#{first}\n") for m in shown), [m[:60] for m in shown]  # one level down, under the H1
    assert not any(m.startswith("## Data dictionary") for m in shown)
    # The notice itself still works: the methods tab, with no French file yet, says it is in English only.
    if not (DOCS / "fr" / "methods.md").exists():
        methods = next(t for t in at.tabs if t.label == "Méthodes")
        assert english_only in [i.value for i in methods.info]


def test_the_data_page_in_english_shows_the_english_dictionary(fixture_db):
    at = run("data")
    tab = next(t for t in at.tabs if t.label == "Data dictionary")
    assert any(m.value.startswith("## Data dictionary\n") for m in tab.markdown)
    assert [i.value for i in tab.info] == []


def test_the_document_served_in_french_is_the_french_file():
    text, lang = doc_text.document(DOCS, "data-dictionary.md", "fr")
    assert lang == "fr" and text.startswith("## Dictionnaire de données\n")
