"""Documents shown inside a page keep one H1 per page (their headings go one level down, code blocks untouched)
and come in the reader's language when a translation is installed."""

import pytest

from supplywatch import doc_text

DOC = """# Methods

Intro with a # that is not a heading and #hashtag.

## Positivity
### Why it matters
###### deepest stays at six

```sh
# a shell comment, not a heading
## nor this
```

####### seven hashes is no heading
"""


def test_every_heading_goes_one_level_down_and_code_is_left_alone():
    assert doc_text.demote_headings(DOC) == """## Methods

Intro with a # that is not a heading and #hashtag.

### Positivity
#### Why it matters
###### deepest stays at six

```sh
# a shell comment, not a heading
## nor this
```

####### seven hashes is no heading
"""


def test_the_installed_docs_have_no_h1_once_shown_in_a_page(real_docs):
    for name in ("methods.md", "data-dictionary.md"):
        text, lang = doc_text.document(real_docs, name, "en")
        assert lang == "en"
        lines = [line for line in text.splitlines() if line.startswith("# ")]
        assert lines == [], f"{name}: {lines[:3]}"


@pytest.fixture
def real_docs():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("lang, installed, expected", [
    ("fr", ["fr/methods.md", "methods.md"], ("## Méthodes\n", "fr")),
    ("fr", ["methods.md"], ("## Methods\n", "en")),
    ("en", ["fr/methods.md", "methods.md"], ("## Methods\n", "en")),
    ("en", ["fr/methods.md"], None),
])
def test_the_reader_language_first_then_english(tmp_path, lang, installed, expected):
    for rel in installed:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("# Méthodes\n" if rel.startswith("fr/") else "# Methods\n", encoding="utf-8")
    assert doc_text.document(tmp_path, "methods.md", lang) == expected
