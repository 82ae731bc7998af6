"""docs/substances.md lists every class with the labels the code uses, and every method."""

from pathlib import Path

import pytest

from supplywatch import classes

DOC = Path(__file__).resolve().parents[2] / "docs" / "substances.md"


@pytest.fixture(scope="module")
def doc_rows() -> dict[str, list[str]]:
    """First cell (without backticks) -> cells, for every table row of the document."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells
    return rows


@pytest.mark.parametrize("slug", list(classes.CLASSES))
def test_every_class_is_documented_with_its_labels(doc_rows, slug):
    cls = classes.CLASSES[slug]
    assert doc_rows[slug][1:3] == [cls.label_en, cls.label_fr]


@pytest.mark.parametrize("method", list(classes.METHODS))
def test_every_method_is_documented(doc_rows, method):
    assert method in doc_rows
