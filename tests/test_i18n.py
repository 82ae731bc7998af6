"""Every UI string marked with _() has a French translation, and formats follow the locale."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from supplywatch import i18n

ROOT = Path(__file__).resolve().parent.parent
UI_FILES = sorted(
    [ROOT / "dashboard.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "supplywatch").rglob("*.py")]
)


def marked_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string literal passed directly to a function named ``_``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def test_every_marked_string_has_french():
    fr = i18n.catalogue("fr")
    missing = [
        f"{p.relative_to(ROOT)}:{line}: {text!r}"
        for p in UI_FILES
        for line, text in marked_strings(p)
        if text not in fr
    ]
    assert missing == [], "UI strings without a French translation:\n" + "\n".join(missing)


def test_translator_falls_back_to_english_id():
    assert i18n.translator("fr")("Language") == "Langue"
    assert i18n.translator("en")("Language") == "Language"
    assert i18n.translator("fr")("not in any catalogue") == "not in any catalogue"


@pytest.mark.parametrize(
    "lang, expected",
    [("en", "Mar 5, 2025"), ("fr", "5 mars 2025")],
)
def test_dates_follow_locale(lang, expected):
    assert i18n.format_date(dt.date(2025, 3, 5), lang) == expected


@pytest.mark.parametrize(
    "lang, value, digits, expected",
    [("en", 1234.5, 1, "1,234.5"), ("fr", 1234.5, 1, "1\u00a0234,5"), ("en", None, 0, "")],
)
def test_numbers_follow_locale(lang, value, digits, expected):
    assert i18n.format_number(value, lang, digits) == expected


def test_percent_follow_locale():
    assert i18n.format_percent(0.425, "en", 1) == "42.5%"
    assert i18n.format_percent(0.425, "fr", 1).replace("\u202f", " ").replace("\u00a0", " ") == "42,5 %"
